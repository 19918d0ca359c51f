package query

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/store"
)

// TestDFCacheFollowsGeneration: engines sharing a DFCache rank as a
// plain engine does, and see the new frequencies after an index run.
func TestDFCacheFollowsGeneration(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for rel, src := range scopeCorpus {
		write(rel, src)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "df.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run := func() {
		t.Helper()
		if _, err := index.Run(ctx, db, index.Options{Root: root, Path: root, NoGit: true, Workers: 1,
			Now: func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }, Log: zerolog.Nop()}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	dfs := NewDFCache()
	shared := []*Engine{NewSharedEngine(db, dfs), NewSharedEngine(db, dfs)}
	qs := []string{"parse a cookie header", "cookie value pairs", "how are cookies parsed"}
	check := func() {
		t.Helper()
		for _, q := range qs {
			want, err := NewEngine(db).Search(ctx, q, Options{KeepAll: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range shared {
				got, err := e.Search(ctx, q, Options{KeepAll: true})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Terms, want.Terms) || !reflect.DeepEqual(names(got), names(want)) {
					t.Errorf("%q, shared engine %d: terms %v, results %v; want %v, %v", q, i, got.Terms, names(got), want.Terms, names(want))
				}
			}
		}
	}
	check()
	// More chunks about cookies: their frequency changes with the
	// generation, and the cache must not keep the old one.
	write("more/cookies.go", "package more\n\n// CookieJar keeps cookie value pairs.\nfunc CookieJar() {}\n\n// ParseCookies parses cookie headers.\nfunc ParseCookies() {}\n")
	run()
	check()
}
