package llm

import (
	"regexp"
	"strconv"
	"strings"
)

// Citation is a source the answer cites.
type Citation struct {
	N         int    `json:"n"`
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Name      string `json:"name,omitempty"`
}

// citeGroup matches a bracketed citation: [1], [1, 2], [1-3], [2,4-5].
var citeGroup = regexp.MustCompile(`\[\s*\d+(?:\s*(?:,|-|–)\s*\d+)*\s*\]`)

// maxCiteRange bounds a range such as [1-3]; a wider one is not a citation.
const maxCiteRange = 50

// ParseCitations returns the distinct sources answer cites, in order of
// first citation. It reads the forms [1], [1][2], [1, 2] and [1-3] in prose
// only: fenced code blocks and inline code are skipped, and so is a bracket
// right after a letter, digit, underscore or closing parenthesis (items[1],
// f(x)[0]). Numbers that name no source are ignored. A source's number is
// its N, or its position + 1 when N is 0, as in BuildPrompt.
func ParseCitations(answer string, sources []Source) []Citation {
	byN := make(map[int]Source, len(sources))
	for i, s := range sources {
		n := s.N
		if n <= 0 {
			n = i + 1
		}
		if _, dup := byN[n]; !dup {
			byN[n] = s
		}
	}
	var out []Citation
	seen := map[int]bool{}
	add := func(n int) {
		s, ok := byN[n]
		if !ok || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, Citation{N: n, File: s.File, StartLine: s.StartLine, EndLine: s.EndLine, Name: s.Name})
	}

	lines := strings.Split(answer, "\n")
	kinds := classifyLines(lines)
	for i, line := range lines {
		if kinds[i] != proseLine && kinds[i] != indentLine {
			continue // code; indented lines may be a list item's paragraph (see classifyLines)
		}
		line = stripInlineCode(line)
		for _, m := range citeGroup.FindAllStringIndex(line, -1) {
			if m[0] > 0 && isIndexable(line[m[0]-1]) {
				continue
			}
			for _, n := range expandGroup(line[m[0]+1 : m[1]-1]) {
				add(n)
			}
		}
	}
	return out
}

// isIndexable reports whether a '[' after c indexes an expression rather
// than opening a citation. ']' is not one: [1][2] is two citations.
func isIndexable(c byte) bool {
	return c == '_' || c == ')' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// expandGroup turns "1, 3-5" into 1 3 4 5.
func expandGroup(g string) []int {
	var out []int
	for _, part := range strings.Split(g, ",") {
		part = strings.ReplaceAll(part, "–", "-")
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := strconv.Atoi(strings.TrimSpace(hi))
		if err != nil || b < a || b-a > maxCiteRange {
			continue
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out
}
