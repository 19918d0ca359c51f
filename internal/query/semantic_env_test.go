package query

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/store"
)

// TestSemanticFromEnv measures the semantic layer on the index named by
// AUR_BENCH_EMBED_DB (a copy of a GOROOT/src index; it is written to):
// the embedding pass with the fake server at 768 dimensions (an
// "instant" provider: what is left is aur's own cost, JSON included),
// the database's growth, a second pass (no request), and the per-query
// overhead of fusion over words only for bench/queries.txt, as a new
// process pays it (sign codes read again), as a new process pays it with
// SQLite's page cache cold too (a database handle opened for the search),
// and with the codes loaded (aur serve). The question's vector comes from the fake in process, as
// from the cache. No assertions on time.
//
//	cp /tmp/go.db /tmp/go-embed.db
//	AUR_BENCH_EMBED_DB=/tmp/go-embed.db go test -tags "sqlite_fts5 sqlite_math_functions" \
//	  -run SemanticFromEnv -v -timeout 30m ./internal/query
func TestSemanticFromEnv(t *testing.T) {
	path := os.Getenv("AUR_BENCH_EMBED_DB")
	if path == "" {
		t.Skip("set AUR_BENCH_EMBED_DB")
	}
	ctx := context.Background()
	size := func() int64 {
		var n int64
		for _, s := range []string{"", "-wal"} {
			if fi, err := os.Stat(path + s); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	before := size()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{Dims: 768})
	oe, err := llm.NewOpenAIEmbedder(llm.EmbedConfig{BaseURL: srv.URL, Model: "fake-768"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := llm.NewResilientEmbedder(oe, llm.Options{RPM: 1 << 20, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := index.Embed(ctx, db, index.EmbedOptions{Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("embedding pass: %d chunks (%d embedded, %d reused) in %d requests, %s",
		sum.WithVector, sum.Embedded, sum.Reused, sum.Requests, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	again, err := index.Embed(ctx, db, index.EmbedOptions{Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second pass: %d requests, %s", again.Requests, time.Since(start).Round(time.Millisecond))
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	after := size()
	t.Logf("database: %.1f MB before, %.1f MB after (+%.0f%%, %.0f bytes per chunk)",
		float64(before)/1e6, float64(after)/1e6, 100*float64(after-before)/float64(before), float64(after-before)/float64(sum.WithVector))

	qs := readQuestions(t, benchQuestions)
	sem := Semantic{Embedder: instantQuestions{}}
	eng := NewEngine(db)
	// fresh searches on a database handle of its own, opened and closed
	// around the search: SQLite's page cache is cold as in a new process
	// (the file's pages are in the OS's cache) and the codes are mapped
	// or read again.
	fresh := func(q string, opts Options) time.Duration {
		t0 := time.Now()
		fdb, err := store.Open(ctx, path, store.ReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		defer fdb.Close()
		r, err := NewEngine(fdb).Search(ctx, q, opts)
		if err != nil || (opts.Semantic.Embedder != nil && !r.Semantic) {
			t.Fatalf("%q: %v %q", q, err, r.SemanticError)
		}
		return time.Since(t0)
	}
	var lexT, coldT, warmT, freshT []time.Duration
	for round := range 3 {
		for _, q := range qs {
			opts := Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking}
			t0 := time.Now()
			if _, err := eng.Search(ctx, q, opts); err != nil {
				t.Fatal(err)
			}
			lex := time.Since(t0)
			opts.Semantic = sem
			db.ResetVectorCache()
			t0 = time.Now()
			r, err := eng.Search(ctx, q, opts)
			if err != nil || !r.Semantic {
				t.Fatalf("%q: %v %q", q, err, r.SemanticError)
			}
			cold := time.Since(t0)
			t0 = time.Now()
			if _, err := eng.Search(ctx, q, opts); err != nil {
				t.Fatal(err)
			}
			warm := time.Since(t0)
			words := Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking}
			fresh0 := fresh(q, words)
			fresh1 := fresh(q, opts)
			if round > 0 { // the first round warms the page cache
				lexT, coldT, warmT = append(lexT, lex), append(coldT, cold-lex), append(warmT, warm-lex)
				freshT = append(freshT, fresh1-fresh0)
			}
		}
	}
	t.Logf("%d questions: words only p50 %s p95 %s", len(lexT), pctl(lexT, 50), pctl(lexT, 95))
	t.Logf("fusion overhead, new process (codes loaded again): p50 %s p95 %s", pctl(coldT, 50), pctl(coldT, 95))
	t.Logf("fusion overhead, codes loaded (aur serve): p50 %s p95 %s", pctl(warmT, 50), pctl(warmT, 95))
	t.Logf("fusion overhead, fresh handle (cold SQLite cache too): p50 %s p95 %s", pctl(freshT, 50), pctl(freshT, 95))
}

// instantQuestions embeds questions with the fake's function in
// process: a cached question vector.
type instantQuestions struct{}

func (instantQuestions) Model() string { return "fake-768" }
func (instantQuestions) EmbedQuestion(_ context.Context, q string) ([]float32, error) {
	return llmtest.FakeEmbedding(q, 768, nil), nil
}

func pctl(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
