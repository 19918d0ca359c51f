package query

import (
	"strings"
	"unicode"
)

// Phrases are the exact strings of a query that code may contain
// verbatim: what a user quoted, and the word runs of text pasted from a
// terminal or a log. A pasted error message is the words its format
// string holds with values filled in; splitting it at the punctuation that
// surrounds values (quotes, colons, brackets, sentence ends) leaves runs
// such as "Client.Timeout exceeded while awaiting headers" that the
// emitting string literal contains as they are.
//
// A run counts when it has at least minPhraseWords words and
// minPhraseLetters letters: shorter ones ("not found") occur everywhere and
// say little. A quoted string counts from MinSubstring characters: the
// user asked for it. Natural questions are runs too, but a whole question
// is rarely a substring of code, so they find nothing and change nothing.
const (
	minPhraseWords   = 3
	minPhraseLetters = 12
	maxPhrases       = 4
	// minPartialLetters is the letters a part of an unquoted phrase
	// needs to count (see shareIn): parts of natural questions as short
	// as "the lock file" are in comments everywhere.
	minPartialLetters = 20
	// maxPartialWords bounds the runs searched for parts: a pasted
	// message's runs are a line at most (punctuation cuts them), and the
	// search costs a scan of the chunk's text per word, for every
	// candidate. A longer run (a pasted paragraph) counts only whole.
	maxPartialWords = 32
)

// Phrase is one exact string of a query and its share of the query's
// letters, the weight of finding it.
type Phrase struct {
	Text   string  `json:"text"`
	Quoted bool    `json:"quoted,omitempty"`
	Share  float64 `json:"share"`
}

// phrases extracts a query's phrases, longest first, at most maxPhrases.
func phrases(q string) []Phrase {
	total := letters(q)
	if total == 0 {
		return nil
	}
	var out []Phrase
	add := func(s string, quoted bool) {
		s = strings.Join(strings.Fields(s), " ")
		if quoted {
			if len([]rune(s)) < 3 {
				return
			}
		} else if len(strings.Fields(s)) < minPhraseWords || letters(s) < minPhraseLetters {
			return
		}
		for _, p := range out {
			if strings.EqualFold(p.Text, s) {
				return
			}
		}
		out = append(out, Phrase{Text: s, Quoted: quoted, Share: min(1, float64(letters(s))/float64(total))})
	}
	// Quoted parts first: "..." and `...` (a single quote is an
	// apostrophe too often to pair).
	rest := q
	for _, quote := range []string{`"`, "`", "“"} {
		closeQ := quote
		if quote == "“" {
			closeQ = "”"
		}
		for {
			i := strings.Index(rest, quote)
			if i < 0 {
				break
			}
			j := strings.Index(rest[i+len(quote):], closeQ)
			if j < 0 {
				break
			}
			add(rest[i+len(quote):i+len(quote)+j], true)
			rest = rest[:i] + " | " + rest[i+len(quote)+j+len(closeQ):]
		}
	}
	for _, run := range splitRuns(rest) {
		add(run, false)
	}
	// Longest first; the cap keeps the substring searches few.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].Text) > len(out[j-1].Text); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > maxPhrases {
		out = out[:maxPhrases]
	}
	return out
}

// phraseMatch finds an unquoted phrase, or a part of it, in a chunk's
// text (see shareIn).
type phraseMatch struct {
	share float64
	// lower is the phrase lower-cased; starts and ends are the byte
	// offsets of its words in lower, and letters its letter count.
	lower        string
	starts, ends []int
	letters      int
}

// phraseMatches returns the matchers of a retrieval's unquoted phrases,
// nil for the quoted ones (those are looked up in the trigram index).
func phraseMatches(ps []Phrase) []*phraseMatch {
	out := make([]*phraseMatch, len(ps))
	for i, p := range ps {
		if !p.Quoted {
			out[i] = newPhraseMatch(p)
		}
	}
	return out
}

func newPhraseMatch(ph Phrase) *phraseMatch {
	p := &phraseMatch{share: ph.Share, lower: strings.ToLower(ph.Text)}
	p.letters = letters(p.lower)
	in := false
	for i, r := range p.lower {
		switch sp := r == ' '; {
		case sp && in:
			p.ends = append(p.ends, i)
			in = false
		case !sp && !in:
			p.starts = append(p.starts, i)
			in = true
		}
	}
	if in {
		p.ends = append(p.ends, len(p.lower))
	}
	return p
}

// shareIn is the share of the query an unquoted phrase earns in a chunk
// whose lower-cased text is lower: all of its share when the chunk holds
// it, else the part of it the chunk's longest run of its words holds
// verbatim, when that run has at least minPhraseWords words and
// minPartialLetters letters from its first word of more than three
// letters. A pasted log line carries a prefix ("npm error", a time
// stamp, a file name) and values around the words of the literal that
// emitted it, so only a part of it is in the code; a natural question's
// words in a row, in a comment or a message, are the same evidence in a
// smaller measure.
func (p *phraseMatch) shareIn(lower string) float64 {
	if strings.Contains(lower, p.lower) {
		return p.share
	}
	n := len(p.starts)
	if n > maxPartialWords {
		return 0
	}
	holds := func(i, j int) bool { // words i..j-1
		return strings.Contains(lower, p.lower[p.starts[i]:p.ends[j-1]])
	}
	best := 0
	// Words i..j-1 are held, when j > i: then so are i+1..j-1, and the
	// next start extends from j. Each word is added once and each start
	// fails once: at most two searches a word.
	j := 0
	for i := 0; i+minPhraseWords <= n; i++ {
		if j < i+minPhraseWords {
			j = i + minPhraseWords
			if !holds(i, j) {
				j = 0
				continue
			}
		}
		for j < n && holds(i, j+1) {
			j++
		}
		// The part counts from its first word of more than three
		// letters: "the", "to", "of" before it say nothing. (Its end is
		// not trimmed: "nil map" ends a message as well as "map" does.)
		a := i
		for a < j-1 && p.short(a) {
			a++
		}
		if l := letters(p.lower[p.starts[a]:p.ends[j-1]]); j-a >= minPhraseWords && l >= minPartialLetters && l > best {
			best = l
		}
		if j == n {
			break
		}
	}
	if best == 0 || p.letters == 0 {
		return 0
	}
	return p.share * float64(best) / float64(p.letters)
}

// short reports whether word k of the phrase has three letters or fewer.
func (p *phraseMatch) short(k int) bool {
	return letters(p.lower[p.starts[k]:p.ends[k]]) <= 3
}

// splitRuns cuts text at the characters that delimit values in messages:
// anything but letters, digits, white space and the characters inside
// identifiers, paths and words (_ - . / '), and at a sentence end (". ").
func splitRuns(s string) []string {
	s = strings.ReplaceAll(s, ". ", " | ")
	return strings.FieldsFunc(s, func(r rune) bool {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) {
			return false
		}
		switch r {
		case '_', '-', '.', '/', '\'':
			return false
		}
		return true
	})
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
