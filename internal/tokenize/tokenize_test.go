package tokenize

import (
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
