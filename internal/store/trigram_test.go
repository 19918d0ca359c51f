package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrigramText(t *testing.T) {
	seen := map[uint32]struct{}{}
	got := string(TrigramText("AbcAbc", seen, nil))
	// abc bca cab abc(dup): three distinct trigrams, case folded.
	if got != "616263 626361 636162" {
		t.Errorf("TrigramText = %q", got)
	}
	if got := string(TrigramText("ab", seen, nil)); got != "" {
		t.Errorf("short text: %q", got)
	}
	// Every trigram a needle asks for is among the text's.
	text := string(TrigramText("return errors.New(\"Client.Timeout exceeded\")", seen, nil))
	for _, q := range strings.Split(trigramMatch(needleTrigrams("TIMEOUT exceeded")), " AND ") {
		if !strings.Contains(text, strings.Trim(q, `"`)) {
			t.Errorf("needle trigram %s not in the text's", q)
		}
	}
}

func BenchmarkTrigramText(b *testing.B) {
	var src []string
	filepath.Walk(filepath.Join(os.Getenv("GOROOT_SRC")), func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".go") && len(src) < 500 {
			bs, _ := os.ReadFile(p)
			src = append(src, string(bs))
		}
		return nil
	})
	if len(src) == 0 {
		b.Skip("set GOROOT_SRC")
	}
	n := 0
	for _, s := range src {
		n += len(s)
	}
	b.SetBytes(int64(n))
	seen := map[uint32]struct{}{}
	var buf []byte
	for b.Loop() {
		for _, s := range src {
			buf = TrigramText(s, seen, buf[:0])
		}
	}
}
