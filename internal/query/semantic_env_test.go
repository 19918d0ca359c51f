package query

import (
	"bufio"
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
// overhead of fusion over words only for bench/queries.txt, both as a
// new process pays it (sign codes read again) and with the codes loaded
// (aur serve). The question's vector comes from the fake in process, as
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

	f, err := os.Open("../../bench/queries.txt")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() != "" {
			qs = append(qs, sc.Text())
		}
	}
	f.Close()
	sem := Semantic{Embedder: instantQuestions{}}
	eng := NewEngine(db)
	var lexT, coldT, warmT []time.Duration
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
			if round > 0 { // the first round warms the page cache
				lexT, coldT, warmT = append(lexT, lex), append(coldT, cold-lex), append(warmT, warm-lex)
			}
		}
	}
	t.Logf("%d questions: words only p50 %s p95 %s", len(lexT), pctl(lexT, 50), pctl(lexT, 95))
	t.Logf("fusion overhead, new process (codes read): p50 %s p95 %s", pctl(coldT, 50), pctl(coldT, 95))
	t.Logf("fusion overhead, codes loaded (aur serve): p50 %s p95 %s", pctl(warmT, 50), pctl(warmT, 95))
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
