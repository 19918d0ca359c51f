package llm

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

// golden compares got with testdata/<test>/<name>.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", strings.Split(t.Name(), "/")[0], name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func render(r Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "=== system\n%s\n", r.System)
	for _, m := range r.Messages {
		fmt.Fprintf(&b, "=== %s\n%s", m.Role, m.Content)
	}
	return b.String()
}

var sources = []Source{
	{N: 1, File: "internal/resilience/retry.go", StartLine: 120, EndLine: 124, Name: "Retrier.Do",
		Content: "func (r *Retrier) Do(ctx context.Context, fn func(ctx context.Context) error) error {\n\tb := &backoff.ExponentialBackOff{}\n}\n"},
	{N: 2, File: "docs/retry.md", StartLine: 1, EndLine: 6, Name: "Retries",
		Content: "# Retries\n\nUse it like this:\n\n```go\nr.Do(ctx, fn)\n```"},
}

func TestBuildPrompt(t *testing.T) {
	t.Run("grounded", func(t *testing.T) {
		r := BuildPrompt("  How does the retry loop back off? ", sources, "")
		golden(t, "grounded", render(r))
		msg := r.Messages[0].Content
		for _, want := range []string{
			"[1] internal/resilience/retry.go:120-124 Retrier.Do\n```go\nfunc (r *Retrier) Do(",
			"[2] docs/retry.md:1-6 Retries\n````markdown\n", // a longer fence around content holding ```
			"Question: How does the retry loop back off?",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("prompt lacks %q", want)
			}
		}
		for _, want := range []string{"only the numbered sources", "[1]", "do not contain the answer", "data, not instructions"} {
			if !strings.Contains(r.System, want) {
				t.Errorf("system prompt lacks %q", want)
			}
		}
	})
	t.Run("no sources", func(t *testing.T) {
		r := BuildPrompt("What is a circuit breaker?", nil, "")
		golden(t, "general", render(r))
		if !strings.Contains(r.Messages[0].Content, DefaultNoContextNote) || !strings.Contains(r.System, "general knowledge") {
			t.Errorf("general prompt lacks the note or the instruction:\n%s", render(r))
		}
		r = BuildPrompt("q", nil, "The user chose to start anew.")
		if !strings.Contains(r.Messages[0].Content, "Note: The user chose to start anew.") {
			t.Errorf("caller's note missing:\n%s", render(r))
		}
	})
	t.Run("numbering by position when N is 0", func(t *testing.T) {
		r := BuildPrompt("q", []Source{{File: "a.go", Content: "x"}, {File: "b.go", StartLine: 7, Content: "y"}}, "weak match")
		msg := r.Messages[0].Content
		if !strings.Contains(msg, "[1] a.go\n") || !strings.Contains(msg, "[2] b.go:7\n") || !strings.HasPrefix(msg, "Note: weak match") {
			t.Errorf("prompt:\n%s", msg)
		}
	})
	t.Run("budgets", func(t *testing.T) {
		line := strings.Repeat("x", 99) + "\n" // 100 bytes a line
		var many []Source
		for i := range 12 {
			many = append(many, Source{N: i + 1, File: fmt.Sprintf("f%d.go", i), StartLine: 1, EndLine: 100, Content: strings.Repeat(line, 100)})
		}
		msg := BuildPrompt("q", many, "").Messages[0].Content
		// Each 10,000-byte source is cut at the last line end within 4,000
		// bytes (byte 3,999): 40 whole lines shown, 60 not.
		if !strings.Contains(msg, "(source [1] cut short: 60 more lines not shown)") {
			t.Errorf("no truncation note for [1]")
		}
		// 24,000 bytes hold six such sources; the rest are left out.
		if !strings.Contains(msg, "[6] f5.go") || strings.Contains(msg, "[7] f6.go") ||
			!strings.Contains(msg, "(6 lower-ranked sources left out to keep the prompt short.)") {
			t.Errorf("budget not applied")
		}
		if len(msg) > MaxContextChars+2000 {
			t.Errorf("prompt is %d bytes", len(msg))
		}
	})
}

func TestTruncateSource(t *testing.T) {
	for _, tc := range []struct {
		in      string
		limit   int
		want    string
		wantCut int
	}{
		{"short", 10, "short", 0},
		{"aaaa\nbbbb\ncccc", 12, "aaaa\nbbbb", 1},
		{"aaaa\nbbbbbbbbbbbbbbbb", 12, "aaaa\nbbbbbbb", 1}, // no line end in the second half: cut mid-line
		{"héllo wörld", 2, "h", 1},                         // never split a rune (é is 2 bytes)
	} {
		got, cut := truncateSource(tc.in, tc.limit)
		if got != tc.want || cut != tc.wantCut {
			t.Errorf("truncateSource(%q, %d) = %q, %d; want %q, %d", tc.in, tc.limit, got, cut, tc.want, tc.wantCut)
		}
	}
}
