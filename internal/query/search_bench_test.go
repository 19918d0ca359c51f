package query

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/evaluate"
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
	qs := readQuestions(b, benchQuestions)
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

// benchQuestions are the questions the search benchmarks ask.
const benchQuestions = "../../bench/queries.txt"

// readQuestions reads the questions of a file: the queries of a .jsonl
// set (shared/eval's format), else one question a non-blank line.
func readQuestions(tb testing.TB, path string) []string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	if strings.HasSuffix(path, ".jsonl") {
		qs, err := evaluate.LoadQueries(bytes.NewReader(data))
		if err != nil {
			tb.Fatal(err)
		}
		for _, q := range qs {
			out = append(out, q.Query)
		}
		return out
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
