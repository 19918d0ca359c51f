package query

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// TestResidentFromEnv compares the resident path with the SQLite path on
// real indexes, skipped unless AUR_RESIDENT names them as
// DB[:QUESTIONS],... (QUESTIONS: a queries.jsonl of the realq format, or
// a text file of one question a line, such as bench/queries.txt). Each
// index also gets AUR_RESIDENT_GEN (default 300) questions made from its
// own chunks (see residentQuestions). It logs the build time, the heap
// the index holds, and the number of questions whose results differ in
// any way (the test fails on any).
//
//	AUR_RESIDENT=/tmp/go.db:bench/queries.txt go test -tags "sqlite_fts5 sqlite_math_functions" \
//	  -run TestResidentFromEnv -v -timeout 30m ./internal/query
func TestResidentFromEnv(t *testing.T) {
	spec := os.Getenv("AUR_RESIDENT")
	if spec == "" {
		t.Skip("set AUR_RESIDENT=DB[:QUESTIONS],...")
	}
	gen := 300
	if v := os.Getenv("AUR_RESIDENT_GEN"); v != "" {
		gen, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	for _, s := range strings.Split(spec, ",") {
		dbPath, qPath, _ := strings.Cut(s, ":")
		db, err := store.Open(ctx, dbPath, store.ReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res := NewResident(db, nil)
		b, err := res.Build(ctx)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		t.Logf("%s: build %v: %d chunks, %d tokens, %d postings; heap held %.0f MB (process RSS counts the Go runtime's slack too)",
			dbPath, b.Duration.Round(time.Millisecond), b.Chunks, b.Tokens, b.Postings, float64(after.HeapAlloc-before.HeapAlloc)/1e6)
		var extra []string
		if qPath != "" {
			extra = readQuestions(t, qPath)
		}
		cases := residentQuestions(t, db, res.cur.Load(), extra, len(extra)+gen)
		// The given questions with the default options too.
		for _, q := range extra {
			if vq, err := Validate(q, 0); err == nil {
				cases = append(cases, residentCase{vq, Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking, Now: residentNow}})
			}
		}
		n, inexact, bad := compareResident(t, db, res, cases)
		t.Logf("%s: %d questions compared (%d given, the rest made from the corpus): %d mismatches, %d scores differing below 1e-9",
			dbPath, n+bad, len(extra), bad, inexact)
	}
}

// BenchmarkResidentFromEnv is BenchmarkSearchFromEnv through the resident
// index (built once, before timing).
//
//	AUR_BENCH_DB=/tmp/go.db go test -tags "sqlite_fts5 sqlite_math_functions" \
//	  -run '^$' -bench 'SearchFromEnv|ResidentFromEnv' ./internal/query
func BenchmarkResidentFromEnv(b *testing.B) {
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
	res := NewResident(db, nil)
	if _, err := res.Build(ctx); err != nil {
		b.Fatal(err)
	}
	e := NewResidentEngine(db, nil, res)
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
