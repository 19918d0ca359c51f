package tokenize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzTokenize checks what the index and the query engine rely on: tokens
// are non-empty, valid UTF-8, at most MaxTokenLen bytes and free of
// spaces (the full-text index stores them space-separated); a reused
// tokenizer (with its stem memo) gives what a fresh one gives; and
// AppendJoined is the tokens joined by spaces.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"", "HTTPServer base64Encode snake_case", "func (s *Server) Serve(l net.Listener) error",
		"encoding encoded Encode", "the a of 1 2 x", "日本語のテキスト", "ÀÉÎÕÜ straße İstanbul",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x\x00y\xffz", "ǅungla ǈ ǋ",
		// 47 bytes that lower-case to 70: tokens used to exceed MaxTokenLen.
		"ȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺ1",
		"IPv6Address GetHTTPResponseCode utf8ToUTF16", "１２３ ٣٤ Ⅻ",
	} {
		f.Add(s)
	}
	reused := New()
	f.Fuzz(func(t *testing.T, text string) {
		got := reused.Tokens(text)
		fresh := New().Tokens(text)
		if strings.Join(got, " ") != strings.Join(fresh, " ") {
			t.Fatalf("reused tokenizer %q, fresh %q", got, fresh)
		}
		for _, tok := range got {
			if tok == "" || !utf8.ValidString(tok) || len(tok) > MaxTokenLen || strings.ContainsFunc(tok, unicode.IsSpace) {
				t.Fatalf("Tokens(%q): bad token %q (%d bytes)", text, tok, len(tok))
			}
		}
		if joined := string(New().AppendJoined(nil, text, nil)); joined != strings.Join(got, " ") {
			t.Fatalf("AppendJoined(%q) = %q, want the tokens joined", text, joined)
		}
	})
}
