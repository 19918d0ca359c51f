package chunk

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzMarkdownChunk checks the Markdown chunker on any text and window
// size: it never panics or fails; chunks are sections in line order with
// valid, non-empty line ranges; a chunk's content is exactly its lines;
// and no chunk is more than a few windows long.
func FuzzMarkdownChunk(f *testing.F) {
	for _, s := range []string{
		"", "# Title\n\nText.\n", "Preamble\n\n## A\n\ntext a\n\n### A.1\nmore\n\n## B\n", "Title\n===\n\nbody\n",
		"Sub\n---\n- item\n---\n", "```\n# not a heading\n```\n# heading\n", "~~~\n## x\n", "    # indented code\n",
		"#NoSpace\n####### seven\n# \n#\n", "\r\n# crlf\r\ntext\r\n", "> quote\n===\n", strings.Repeat("line of text\n", 300),
		"# T\n" + strings.Repeat("x", 5000) + "\n", "\n\n\n", "# a\n# b\n# c\n", "\xff\x00# bin\n",
	} {
		f.Add([]byte(s), 2000, 200)
		f.Add([]byte(s), 100, 10)
	}
	f.Fuzz(func(t *testing.T, src []byte, size, overlap int) {
		opts := Options{ChunkSize: size, Overlap: overlap}
		lang, chunks, err := File("doc.md", src, opts)
		if lang != LangMarkdown || err != nil {
			t.Fatalf("File: lang %q, err %v", lang, err)
		}
		li := newLineIndex(src)
		n := li.lines()
		norm := opts.normalized()
		prev := 0
		for _, c := range chunks {
			if c.Kind != KindSection {
				t.Fatalf("chunk kind %q", c.Kind)
			}
			if c.StartLine < 1 || c.EndLine < c.StartLine || c.EndLine > n || c.StartLine < prev {
				t.Fatalf("chunk lines %d-%d out of order or range (file has %d, previous starts %d)", c.StartLine, c.EndLine, n, prev)
			}
			prev = c.StartLine
			if want := li.text(src, c.StartLine, c.EndLine); c.Content != want {
				t.Fatalf("chunk %d-%d content %q, want its lines %q", c.StartLine, c.EndLine, c.Content, want)
			}
			if len(bytes.TrimSpace([]byte(c.Content))) == 0 {
				t.Fatalf("chunk %d-%d is blank", c.StartLine, c.EndLine)
			}
			// A section is one chunk up to two windows; longer ones are
			// cut into windows, which exceed the size only by one line.
			if lines := c.EndLine - c.StartLine + 1; lines > 1 && len(c.Content) > 2*norm.ChunkSize+longestLine(c.Content) {
				t.Fatalf("chunk %d-%d is %d bytes with chunk size %d", c.StartLine, c.EndLine, len(c.Content), norm.ChunkSize)
			}
		}
	})
}

func longestLine(s string) int {
	m := 0
	for _, l := range strings.Split(s, "\n") {
		m = max(m, len(l)+1)
	}
	return m
}
