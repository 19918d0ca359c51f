package query

import (
	"bufio"
	"context"
	"os"
	"testing"

	"github.com/aurora-dev/aur/internal/store"
)

// BenchmarkSearchFromEnv times Search in process (no process start) for
// the questions of bench/queries.txt on the index named by AUR_BENCH_DB
// (e.g. one of GOROOT/src); skipped without it.
//
//	AUR_BENCH_DB=/tmp/go.db go test -tags "sqlite_fts5 sqlite_math_functions" \
//	  -run '^$' -bench SearchFromEnv -cpuprofile /tmp/cpu.out ./internal/query
func BenchmarkSearchFromEnv(b *testing.B) {
	path := os.Getenv("AUR_BENCH_DB")
	if path == "" {
		b.Skip("set AUR_BENCH_DB")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.ReadOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	f, err := os.Open("../../bench/queries.txt")
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() != "" {
			qs = append(qs, sc.Text())
		}
	}
	f.Close()
	e := NewEngine(db)
	for _, files := range []bool{false, true} {
		name := "chunks"
		if files {
			name = "files"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for _, q := range qs {
					if _, err := e.Search(ctx, q, Options{Limit: 10, Threshold: DefaultThreshold, Files: files}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
