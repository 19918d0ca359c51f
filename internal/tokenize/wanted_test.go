package tokenize

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kljensen/snowball/english"
)

// words returns the distinct lower-cased word parts of this repository's
// Go sources and docs: a few thousand real words, identifiers included.
func words(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	tk := New()
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".md")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, f := range strings.FieldsFunc(string(b), func(r rune) bool { return !isWordRune(r) }) {
			for _, part := range splitParts(f, nil) {
				seen[strings.ToLower(part)] = true
			}
		}
		_ = tk
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range append(exceptional, "aed", "ued", "skies", "cry", "possibility", "yelling", "Ïndex") {
		seen[strings.ToLower(w)] = true
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// TestStemKeepsPrefix checks what Wanted relies on: a stem keeps the
// first letter of its word, and its first two unless it is shorter or the
// word is exceptional.
func TestStemKeepsPrefix(t *testing.T) {
	ws := words(t)
	if len(ws) < 2000 {
		t.Fatalf("only %d words", len(ws))
	}
	for _, w := range ws {
		s := english.Stem(w, true)
		if s == "" || w[0] >= 0x80 {
			continue
		}
		if s[0] != w[0] {
			t.Errorf("%q -> %q: first letter changed", w, s)
		}
		if len(s) >= 2 && len(w) >= 2 && s[:2] != w[:2] && !slices.Contains(exceptional, w) {
			t.Errorf("%q -> %q: first two letters changed", w, s)
		}
	}
}

// TestEachWantedIsEachFiltered: EachWanted emits exactly the tokens of
// Each that are wanted, in order.
func TestEachWantedIsEachFiltered(t *testing.T) {
	ws := words(t)
	text := strings.Join(ws, " ") + " HTTPServer base64Encode snake_case_word Dying LYING tying aed ÉCOLE école naïve x1 a b 7 Ⱥⱥ"
	tk := New()
	all := tk.Tokens(text)
	// Wanted sets: every 7th token, single letters, the exceptional stems.
	sets := [][]string{{"die", "lie", "tie"}, {"http", "server", "httpserver"}, {"a", "7", "école"}, nil}
	var every []string
	for i := 0; i < len(all); i += 7 {
		every = append(every, all[i])
	}
	sets = append(sets, every)
	for _, set := range sets {
		w := NewWanted(set)
		var want []string
		for _, tok := range all {
			if slices.Contains(set, tok) {
				want = append(want, tok)
			}
		}
		var got []string
		New().EachWanted(text, w, func(tok string) { got = append(got, tok) })
		if !slices.Equal(got, want) {
			t.Errorf("set %.60v: EachWanted gave %d tokens, Each filtered %d", set, len(got), len(want))
		}
	}
}
