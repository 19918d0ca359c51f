package query

import (
	"strings"
	"testing"
)

// FuzzPhrases checks a question's phrases, their parts and its symbols
// on any input: nothing panics; every share is in [0, 1]; a part's share
// never exceeds its phrase's, and a text holding the whole phrase earns
// all of it; symbols are words of the question.
func FuzzPhrases(f *testing.F) {
	for _, s := range []string{
		"npm error ERESOLVE unable to resolve dependency tree",
		"http.client.RemoteDisconnected: Remote end closed connection without response",
		"email.message_from_bytes policy=policy.default", "İİİ the Straße ǅ", "a.b.c.d _x_ __init__",
		"“quoted phrase here” and `code` and \"more\"", strings.Repeat("word ", 40),
	} {
		f.Add(s, "raise Error('unable to resolve dependency tree') straße")
	}
	f.Fuzz(func(t *testing.T, q, content string) {
		lower := strings.ToLower(content)
		for _, p := range phrases(q) {
			if p.Share < 0 || p.Share > 1 {
				t.Fatalf("phrase %q: share %v", p.Text, p.Share)
			}
			if p.Quoted {
				continue
			}
			m := newPhraseMatch(p)
			s := m.shareIn(lower)
			if s < 0 || s > p.Share+1e-12 {
				t.Fatalf("phrase %q in %q: share %v of %v", p.Text, content, s, p.Share)
			}
			if whole := m.shareIn(strings.ToLower(p.Text)); whole != p.Share {
				t.Fatalf("phrase %q in itself: share %v, want %v", p.Text, whole, p.Share)
			}
		}
		for _, s := range symbols(q) {
			if !strings.Contains(q, s) {
				t.Fatalf("symbol %q is not in %q", s, q)
			}
		}
		_ = aboutTypes(q)
		_ = mentions(q, content)
	})
}
