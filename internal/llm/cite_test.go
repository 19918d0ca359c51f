package llm

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCitations(t *testing.T) {
	src := []Source{
		{N: 1, File: "a.go", StartLine: 1, EndLine: 9, Name: "A"},
		{N: 2, File: "b.go", StartLine: 10, EndLine: 19, Name: "B"},
		{N: 3, File: "c.go", StartLine: 20, EndLine: 29},
		{N: 4, File: "d.go", StartLine: 30, EndLine: 39},
	}
	cases := []struct {
		name, answer string
		want         []int
	}{
		{"single", "It retries [2].", []int{2}},
		{"adjacent and repeated, first-appearance order", "See [3][1]. Also [1] and [3].", []int{3, 1}},
		{"comma list", "Both [2, 1] agree.", []int{2, 1}},
		{"range", "All of [1-3].", []int{1, 2, 3}},
		{"en dash range and mixed", "See [4,1–2].", []int{4, 1, 2}},
		{"out of range ignored", "See [9] and [0] and [2].", []int{2}},
		{"indexing in prose ignored", "items[1] and f(x)[2] but not [3]", []int{3}},
		{"inline code ignored", "Use `arr[1]` as in [4].", []int{4}},
		{"fenced code ignored", "Answer [2].\n```go\nx := a[1]\ny := [3]int{}\n```\nMore [1].", []int{2, 1}},
		{"unclosed fence ignored to the end", "Answer [2].\n```\nz[3] [4]", []int{2}},
		{"tilde fence", "~~~\n[1]\n~~~\n[3]", []int{3}},
		{"silly range ignored", "[1-1000]", nil},
		{"markdown link text counts", "see [2](b.go)", []int{2}},
		{"no citations", "The sources don't show this.", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for _, c := range ParseCitations(tc.answer, src) {
				got = append(got, c.N)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseCitations(%q) (-want +got):\n%s", tc.answer, diff)
			}
		})
	}

	got := ParseCitations("[2]", src)
	want := []Citation{{N: 2, File: "b.go", StartLine: 10, EndLine: 19, Name: "B"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("citation fields (-want +got):\n%s", diff)
	}
	// Sources numbered by position when N is 0, as BuildPrompt does.
	if got := ParseCitations("[2]", []Source{{File: "x"}, {File: "y"}}); len(got) != 1 || got[0].File != "y" {
		t.Errorf("positional numbering: %+v", got)
	}
}
