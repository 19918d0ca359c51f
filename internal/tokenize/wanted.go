package tokenize

// Wanted is a set of tokens a caller looks for in text (EachWanted): a
// query's terms, when scoring candidate chunks. It lets the tokenizer
// skip stemming the parts that cannot become one of them, which is most
// of the work of tokenizing a chunk for a question of a few words.
//
// The test is on the first two letters: a Porter2 stem keeps the first
// two letters of its (lower-cased) word, except a stem shorter than two
// letters ("aed" -> "a") and the exceptional forms dying, lying and tying
// (-> die, lie, tie), which keep the first (checked over a word list in
// TestStemKeepsPrefix). A part is stemmed when its first two letters are
// those of a wanted token, when its first letter is that of a wanted
// token shorter than two letters or of an exceptional form, and whenever
// it is not plain ASCII.
type Wanted struct {
	set  map[string]bool
	two  map[[2]byte]bool
	one  [256]bool
	none bool
}

// exceptional are the words whose stem does not keep their first two
// letters though it has two or more.
var exceptional = []string{"dying", "lying", "tying"}

// NewWanted returns the set of toks.
func NewWanted(toks []string) *Wanted {
	w := &Wanted{set: make(map[string]bool, len(toks)), two: make(map[[2]byte]bool, len(toks))}
	for _, t := range toks {
		w.set[t] = true
		switch {
		case len(t) >= 2:
			w.two[[2]byte{t[0], t[1]}] = true
			for _, e := range exceptional {
				if t[0] == e[0] {
					w.one[e[0]] = true
				}
			}
		case len(t) == 1:
			w.one[t[0]] = true
		}
	}
	w.none = len(toks) == 0
	return w
}

// Has reports whether tok is wanted.
func (w *Wanted) Has(tok string) bool { return w.set[tok] }

// mayStemTo reports whether part (a word part, in its original case) can
// have a wanted stem.
func (w *Wanted) mayStemTo(p string) bool {
	if w.none {
		return false
	}
	a := p[0]
	if a >= 0x80 {
		return true
	}
	a = lowerASCII(a)
	if w.one[a] {
		return true
	}
	if len(p) < 2 {
		return false
	}
	b := p[1]
	if b >= 0x80 {
		return true
	}
	return w.two[[2]byte{a, lowerASCII(b)}]
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EachWanted calls emit for every token of text that w holds, in order,
// duplicates included: the tokens of Each that are in w, for less work.
func (t *Tokenizer) EachWanted(text string, w *Wanted, emit func(tok string)) {
	t.each(text, w, emit)
}
