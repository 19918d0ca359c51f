package query

import (
	"strings"

	"github.com/aurora-dev/aur/internal/tokenize"
)

// Snippet returns the most telling few lines of a chunk: the window of up
// to maxLines consecutive non-blank lines whose tokens carry the most query
// IDF, each line trimmed and cut at 160 characters. With no match it is the
// first lines.
func Snippet(tk *tokenize.Tokenizer, content string, terms []Term, maxLines int) string {
	lines := strings.Split(content, "\n")
	if maxLines <= 0 {
		maxLines = 3
	}
	weight := map[string]float64{}
	for _, t := range terms {
		for _, f := range t.forms() {
			weight[f] = max(weight[f], t.IDF)
		}
	}
	scores := make([]float64, len(lines))
	for i, l := range lines {
		seen := map[string]bool{}
		tk.Each(l, func(tok string) {
			if w, ok := weight[tok]; ok && !seen[tok] {
				seen[tok] = true
				scores[i] += w
			}
		})
	}
	best, bestScore := 0, -1.0
	for i := range lines {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		s := 0.0
		for j := i; j < min(i+maxLines, len(lines)); j++ {
			s += scores[j]
		}
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	var out []string
	for j := best; j < len(lines) && len(out) < maxLines; j++ {
		l := strings.TrimSpace(strings.ReplaceAll(lines[j], "\t", " "))
		if l == "" {
			continue
		}
		if len(l) > 160 {
			l = l[:157] + "..."
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
