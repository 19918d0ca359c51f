package tokenize

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"HTTPServer", "http server httpserver"},
		{"EncodeToString", "encod string encodetostring"},
		{"base64Encode", "base 64 encod base64encode"},
		{"snake_case_name", "snake case name"},
		{"returns the base32 encoding of src", "return base 32 base32 encod src"},
		{"x := utf8.RuneLen(r)", "x utf utf8 rune len runelen r"},
		{"parseHTTP2Frame", "pars http frame parsehttp2frame"},
		{"Größe ändern", "größe ändern"},
		{"", ""},
		{"the of and", ""},
		{strings.Repeat("a", MaxTokenLen+1) + " ok", "ok"},
	}
	tk := New()
	for _, tt := range tests {
		got := strings.Join(tk.Tokens(tt.in), " ")
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("Tokens(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestAppendJoinedUnique(t *testing.T) {
	tk := New()
	seen := map[string]struct{}{}
	b := tk.AppendJoined(nil, "readFile read file", seen)
	b = tk.AppendJoined(b, "ReadFile again", seen)
	if got, want := string(b), "read file readfile again"; got != want {
		t.Errorf("AppendJoined = %q, want %q", got, want)
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := strings.Repeat("func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }\n", 100)
	tk := New()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tk.Each(text, func(string) {})
	}
}

// TestVariants: a stem the stemmer may have undoubled also matches the
// other spelling, so "sniff" finds "sniffing" and "adding" finds "add".
func TestVariants(t *testing.T) {
	tk := New()
	stem := func(w string) string {
		var out []string
		tk.Each(w, func(s string) { out = append(out, s) })
		if len(out) != 1 {
			t.Fatalf("%q: tokens %q", w, out)
		}
		return out[0]
	}
	for _, pair := range [][2]string{{"sniff", "sniffing"}, {"add", "adding"}, {"add", "added"}, {"egg", "eggs"}} {
		a, b := stem(pair[0]), stem(pair[1])
		if a != b && !slices.Contains(Variants(a), b) && !slices.Contains(Variants(b), a) {
			t.Errorf("%q (%s) and %q (%s): neither is a variant of the other", pair[0], a, pair[1], b)
		}
	}
	for _, w := range []string{"stop", "header", "cache", "pass", "all"} {
		for _, v := range Variants(stem(w)) {
			if v == stem(w) {
				t.Errorf("%q: variant %q is the stem itself", w, v)
			}
		}
	}
	if v := Variants("pass"); v != nil {
		t.Errorf("Variants(pass) = %q: s is never undoubled", v)
	}
}
