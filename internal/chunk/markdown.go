package chunk

import (
	"bytes"
	"strings"
)

func init() { register(LangMarkdown, markdownChunker{}) }

// markdownChunker makes one chunk per section, a section being a heading of
// level 1 to 3 and everything up to the next such heading. Deeper headings
// stay inside their section. Text before the first heading is a section
// named after nothing (a preamble). Headings inside fenced code blocks are
// not headings. A section longer than two windows is cut into windows that
// keep the section's name, so no chunk grows without bound.
//
// No official tree-sitter Markdown grammar has Go bindings, and a full
// CommonMark parser is more than sections need: ATX ("## Title") and setext
// ("Title\n===") headings and code fences are the whole grammar of this.
type markdownChunker struct{}

type mdHeading struct {
	line, level int
	title       string
	endLine     int // last line of the heading itself (setext headings take two)
}

func (markdownChunker) Chunk(_ string, src []byte, opts Options) ([]Chunk, error) {
	li := newLineIndex(src)
	n := li.lines()
	var hs []mdHeading
	fence := ""
	for l := 1; l <= n; l++ {
		text := strings.TrimRight(string(src[li[l-1]:li[l]]), "\r\n")
		trimmed := strings.TrimLeft(text, " ")
		if len(text)-len(trimmed) <= 3 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			switch {
			case fence == "":
				fence = trimmed[:3]
			case strings.HasPrefix(trimmed, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if lvl, title, ok := atxHeading(text); ok {
			if lvl <= 3 {
				hs = append(hs, mdHeading{line: l, level: lvl, title: title, endLine: l})
			}
			continue
		}
		if l < n && strings.TrimSpace(text) != "" && !strings.HasPrefix(text, "    ") {
			next := strings.TrimSpace(string(src[li[l]:li[l+1]]))
			if lvl := setextLevel(next); lvl > 0 && !isListOrQuote(trimmed) {
				hs = append(hs, mdHeading{line: l, level: lvl, title: strings.TrimSpace(text), endLine: l + 1})
				l++
			}
		}
	}

	var out []Chunk
	section := func(from, to int, h *mdHeading, path string) {
		for from <= to && len(bytes.TrimSpace(src[li[from-1]:li[from]])) == 0 {
			from++
		}
		for to >= from && len(bytes.TrimSpace(src[li[to-1]:li[to]])) == 0 {
			to--
		}
		if from > to {
			return
		}
		// A heading followed directly by a subheading has no text of its
		// own; its title lives on in the children's qualified names.
		if h != nil && to <= h.endLine {
			return
		}
		c := Chunk{Kind: KindSection, StartLine: from, EndLine: to}
		if h != nil {
			c.Name, c.QualifiedName = h.title, path
			c.Signature = strings.Repeat("#", h.level) + " " + h.title
		}
		if li[to]-li[from-1] <= 2*opts.ChunkSize {
			c.Content = li.text(src, from, to)
			out = append(out, c)
			return
		}
		for _, w := range windows(src, li, from, to, opts) {
			w.Kind, w.Name, w.QualifiedName, w.Signature = KindSection, c.Name, c.QualifiedName, c.Signature
			out = append(out, w)
		}
	}
	first := n + 1
	if len(hs) > 0 {
		first = hs[0].line
	}
	section(1, first-1, nil, "")
	var stack [4]string
	for i := range hs {
		h := &hs[i]
		stack[h.level] = h.title
		for k := h.level + 1; k < len(stack); k++ {
			stack[k] = ""
		}
		var parts []string
		for k := 1; k <= h.level; k++ {
			if stack[k] != "" {
				parts = append(parts, stack[k])
			}
		}
		end := n
		if i+1 < len(hs) {
			end = hs[i+1].line - 1
		}
		section(h.line, end, h, strings.Join(parts, " > "))
	}
	return out, nil
}

// atxHeading parses "## Title ##" (up to three leading spaces).
func atxHeading(line string) (level int, title string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return 0, "", false
	}
	for level < len(t) && t[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(t) && t[level] != ' ' && t[level] != '\t') {
		return 0, "", false
	}
	title = strings.TrimSpace(t[level:])
	title = strings.TrimSpace(strings.TrimRight(title, "#"))
	return level, title, true
}

// setextLevel reports whether a line underlines a setext heading: 1 for
// "===", 2 for "---". Setext headings are at most level 2.
func setextLevel(s string) int {
	if s == "" {
		return 0
	}
	if strings.Trim(s, "=") == "" {
		return 1
	}
	if strings.Trim(s, "-") == "" && len(s) >= 2 {
		return 2
	}
	return 0
}

func isListOrQuote(s string) bool {
	return strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "* ") || strings.HasPrefix(s, "> ") || strings.HasPrefix(s, "+ ")
}
