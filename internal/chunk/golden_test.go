package chunk

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden chunks every file in testdata/golden and compares a readable
// rendering of the chunks with FILE.golden. Run with -update to rewrite.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, chunks, err := File(f, src, Options{ChunkSize: 400, Overlap: 80})
			got := render(src, chunks, err)
			golden := f + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("chunks of %s differ (-want +got):\n%s", f, d)
			}
		})
	}
	if n == 0 {
		t.Fatal("no fixtures in testdata/golden")
	}
}

// render prints one block per chunk: kind, lines, qualified name, the
// signature, the first line of the doc, and the first and last line of the
// content, which must be the file's lines at the chunk's range.
func render(src []byte, chunks []Chunk, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	lines := strings.Split(string(src), "\n")
	for _, c := range chunks {
		fmt.Fprintf(&b, "%s %d-%d %s\n", c.Kind, c.StartLine, c.EndLine, c.QualifiedName)
		if c.Name != "" && c.Name != c.QualifiedName {
			fmt.Fprintf(&b, "  name: %s\n", c.Name)
		}
		if c.Signature != "" {
			fmt.Fprintf(&b, "  sig:  %s\n", strings.ReplaceAll(c.Signature, "\n", "⏎"))
		}
		if c.Doc != "" {
			fmt.Fprintf(&b, "  doc:  %s\n", firstLine(c.Doc))
		}
		want := strings.Join(lines[c.StartLine-1:min(c.EndLine, len(lines))], "\n")
		if strings.TrimRight(c.Content, "\r\n") != strings.TrimRight(want, "\r\n") {
			fmt.Fprintf(&b, "  CONTENT DOES NOT MATCH LINES %d-%d\n", c.StartLine, c.EndLine)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
