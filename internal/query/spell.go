package query

import (
	"context"
	"slices"
	"strings"

	"github.com/aurora-dev/aur/internal/tokenize"
)

// Spelling: a word of the question that the index does not hold at all
// is most often misspelled ("upgarde", "automaticaly"); scored as it is,
// it matches nothing and only lowers the grade. Such a word is matched,
// as an alternative form, by the commonest word of the index one edit
// away (a letter deleted, inserted, replaced, or two neighbours swapped:
// Damerau's single error, which covers most typing mistakes). The
// candidates come from the question alone and are looked up in the
// index's own vocabulary, so nothing is learned from, or tuned to, any
// set of questions.

// minSpellLen is the shortest word corrected: one edit away from a short
// word is a different word ("cat", "car"), not a typo.
const minSpellLen = 5

// maxSpellWords bounds the words corrected in one question (each costs
// one vocabulary lookup of a few hundred candidates).
const maxSpellWords = 4

// spellWords returns the lower-cased plain words of q (letters only) long
// enough to correct, each with the tokens it analyzes to.
func spellWords(tk *tokenize.Tokenizer, q string) map[string][]string {
	out := map[string][]string{}
	for _, w := range strings.FieldsFunc(q, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if len(w) < minSpellLen || len(w) > tokenize.MaxTokenLen {
			continue
		}
		// Identifiers (mixed case beyond a capital first letter) are
		// names, not words: a missing one is missing, not misspelled.
		if strings.ToLower(w[1:]) != w[1:] {
			continue
		}
		w = strings.ToLower(w)
		if _, ok := out[w]; !ok {
			out[w] = tk.Tokens(w)
		}
	}
	return out
}

// edits1 returns the strings one typing error away from w, of the two
// kinds that make most misspellings of words a writer knows: two
// neighbouring letters swapped ("upgarde"), and a doubled letter written
// once or a single one twice ("sesion", "proccess", "automaticaly").
// Other single edits (any letter replaced, added or dropped) turn too
// many correct words into other correct words ("react" into "redact",
// "unpack" into "unack") to be corrections.
func edits1(w string) []string {
	out := make([]string, 0, 3*len(w))
	for i := 0; i < len(w); i++ {
		// Drop one letter of a doubled pair.
		if i+1 < len(w) && w[i] == w[i+1] {
			out = append(out, w[:i]+w[i+1:])
		}
		// Double a letter.
		out = append(out, w[:i+1]+w[i:])
		// Swap neighbours.
		if i+1 < len(w) && w[i] != w[i+1] {
			out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:])
		}
	}
	return out
}

// corrections maps each token of a misspelled word (one the index holds
// no form of, in df) to the token of the index's commonest word one edit
// away, and adds that token's document frequency (at generation gen) to
// df. Ties go to the lexically first token, so the result is
// deterministic.
func (e *Engine) corrections(ctx context.Context, q string, gen int64, df map[string]int) (map[string]string, error) {
	words := spellWords(e.tk, q)
	var missing []string
	for w, toks := range words {
		if len(toks) != 1 || df[toks[0]] > 0 || len(tokenize.Related(toks[0])) > 0 {
			continue
		}
		missing = append(missing, w)
	}
	if len(missing) == 0 {
		return nil, nil
	}
	slices.Sort(missing)
	if len(missing) > maxSpellWords {
		missing = missing[:maxSpellWords]
	}
	cands := map[string][]string{} // misspelled token -> candidate tokens
	var all []string
	seen := map[string]bool{}
	for _, w := range missing {
		tok := words[w][0]
		for _, ed := range edits1(w) {
			toks := e.tk.Tokens(ed)
			if len(toks) != 1 || toks[0] == tok {
				continue
			}
			c := toks[0]
			if !slices.Contains(cands[tok], c) {
				cands[tok] = append(cands[tok], c)
			}
			if !seen[c] {
				seen[c] = true
				all = append(all, c)
			}
		}
	}
	var cdf map[string]int
	var err error
	if e.ix != nil {
		cdf = e.ix.docFreq(all)
	} else {
		cdf, err = e.db.DocFreq(ctx, all)
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for tok, cs := range cands {
		best := ""
		for _, c := range cs {
			if cdf[c] > 0 && (best == "" || cdf[c] > cdf[best] || cdf[c] == cdf[best] && c < best) {
				best = c
			}
		}
		if best != "" {
			out[tok] = best
			df[best] = cdf[best]
		}
	}
	return out, nil
}
