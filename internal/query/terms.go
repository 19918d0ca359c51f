package query

import (
	"math"
	"strings"
	"unicode"

	"github.com/aurora-dev/aur/internal/tokenize"
)

// Term is one distinct token of the query with its weight. A term also
// matches its related tokens (abbreviations and long forms, see
// tokenize.Related): "length" matches `len`.
type Term struct {
	Text string   `json:"term"`
	Alts []string `json:"alternatives,omitempty"`
	DF   int      `json:"df"`  // chunks containing it (the largest of its forms)
	IDF  float64  `json:"idf"` // ln(1 + (N - df + 0.5) / (df + 0.5))
	// Optional terms (hyphenated words written as one) score when present
	// but do not count against groundedness when absent.
	Optional bool `json:"optional,omitempty"`
}

// forms returns the term and its alternatives.
func (t Term) forms() []string {
	return append([]string{t.Text}, t.Alts...)
}

// hyphenCompounds returns the hyphenated words of a query written as one
// ("quoted-printable" -> "quotedprintable", "Mach-O" -> "macho"): code
// often spells them that way in package and identifier names.
func hyphenCompounds(q string) []string {
	var out []string
	for _, f := range strings.Fields(q) {
		f = strings.Trim(f, ".,;:!?()[]{}\"'`“”")
		if !strings.Contains(f, "-") {
			continue
		}
		parts := strings.Split(f, "-")
		ok := len(parts) > 1
		for _, p := range parts {
			for _, r := range p {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					ok = false
				}
			}
			if p == "" {
				ok = false
			}
		}
		if ok {
			out = append(out, strings.ToLower(strings.Join(parts, "")))
		}
	}
	return out
}

// analyze returns the distinct tokens of a query in order of appearance.
func analyze(tk *tokenize.Tokenizer, q string) []string {
	seen := map[string]bool{}
	var out []string
	tk.Each(q, func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	})
	return out
}

// idf is the BM25 inverse document frequency in its always-positive form
// (as in Lucene): a term in every chunk still weighs a little, never less
// than zero.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// matchExpr builds the FTS5 expression: the OR of the quoted terms. Tokens
// hold only letters and digits (see tokenize), so quoting is enough to keep
// every token a plain string to FTS5; quotes are doubled regardless.
func matchExpr(terms []Term) string {
	var b strings.Builder
	for _, t := range terms {
		for _, f := range t.forms() {
			if b.Len() > 0 {
				b.WriteString(" OR ")
			}
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
		}
	}
	return b.String()
}
