package ask

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

// cacheFixture is a tree indexed into dir/memory.db, with a query cache
// beside it.
type cacheFixture struct {
	t          *testing.T
	root, dir  string
	cache      *cache.Cache
	db         *store.DB
	primaryDB  string
	cacheClock time.Time
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	fx := &cacheFixture{t: t, root: t.TempDir(), dir: t.TempDir(), cacheClock: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	fx.primaryDB = filepath.Join(fx.dir, "memory.db")
	fx.write("retry/retry.go", `package retry

// Backoff returns the delay before retry attempt n: exponential backoff.
func Backoff(base, n int) int { return base << n }
`)
	c, err := cache.Open(context.Background(), filepath.Join(fx.dir, "cache.db"), cache.Options{Now: func() time.Time { return fx.cacheClock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fx.cache = c
	fx.open()
	fx.index()
	return fx
}

func (fx *cacheFixture) write(rel, content string) {
	fx.t.Helper()
	p := filepath.Join(fx.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		fx.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *cacheFixture) open() {
	fx.t.Helper()
	if fx.db != nil {
		fx.db.Close()
	}
	db, err := store.Open(context.Background(), fx.primaryDB)
	if err != nil {
		fx.t.Fatal(err)
	}
	fx.t.Cleanup(func() { db.Close() })
	fx.db = db
}

func (fx *cacheFixture) index() {
	fx.t.Helper()
	if _, err := index.Run(context.Background(), fx.db, index.Options{Root: fx.root, Path: fx.root, NoGit: true}); err != nil {
		fx.t.Fatal(err)
	}
}

// search runs q on db through the cache and returns the outcome.
func (fx *cacheFixture) search(db *store.DB, q string, change func(*Options)) *Outcome {
	fx.t.Helper()
	o := options(nil, nil)
	o.Command, o.Mode, o.Cache = "search", store.ModeHeadless, fx.cache
	if change != nil {
		change(&o)
	}
	out, err := Run(context.Background(), db, q, o)
	if err != nil {
		fx.t.Fatal(err)
	}
	return out
}

func names(o *Outcome) []string {
	var out []string
	for _, r := range o.Retrieval.Results {
		out = append(out, r.QualifiedName)
	}
	return out
}

func has(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// TestCacheNeverServesAnotherIndex is the cache invalidation strategy,
// case by case: a key holds the build of aur, the database's path, its id and generation
// (store.Stamp), the validated query and every setting that changes the
// result (answers add the grade, the thresholds, the choice and the
// answerer). So a re-index, the replica, a restored database and other
// settings each miss, while a repeat with nothing changed hits.
func TestCacheNeverServesAnotherIndex(t *testing.T) {
	ctx := context.Background()
	fx := newCacheFixture(t)
	const q = "exponential backoff delay"
	if fx.search(fx.db, q, nil).CacheHit {
		t.Fatal("first search was a cache hit")
	}
	if !fx.search(fx.db, q, nil).CacheHit {
		t.Fatal("repeated search missed the cache: the test below would prove nothing")
	}
	// Another build of aur (an upgrade) ranks anew.
	old := buildStamp
	buildStamp = func() string { return old() + " upgraded" }
	if fx.search(fx.db, q, nil).CacheHit {
		t.Error("another build was served this build's cached retrieval")
	}
	buildStamp = old
	if !fx.search(fx.db, q, nil).CacheHit {
		t.Error("back on this build, the cached retrieval missed")
	}
	backup := filepath.Join(fx.dir, "backups", "b.db")
	if _, err := fx.db.CopyTo(ctx, backup, store.CopyOptions{}); err != nil {
		t.Fatal(err)
	}

	// A re-index that changes something bumps the generation: miss, and
	// the new chunk is found.
	fx.write("retry/jitter.go", `package retry

// Jitter spreads the exponential backoff delay.
func Jitter(delay int) int { return delay + delay/10 }
`)
	fx.index()
	out := fx.search(fx.db, q, nil)
	if out.CacheHit || !has(names(out), "Jitter") {
		t.Fatalf("after a re-index: cache hit %v, results %v; want a miss that finds Jitter", out.CacheHit, names(out))
	}
	// A re-index that changes nothing keeps the entries.
	fx.index()
	if !fx.search(fx.db, q, nil).CacheHit {
		t.Error("an unchanged re-index invalidated the cache")
	}

	// The replica holds the same id and generation, but is another
	// database: its own entries.
	replica := filepath.Join(fx.dir, "replica.db")
	if _, err := fx.db.CopyTo(ctx, replica, store.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	rdb, err := store.Open(ctx, replica, store.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if s1, _ := fx.db.Stamp(ctx); func() bool { s2, _ := rdb.Stamp(ctx); return s1 != s2 }() {
		t.Fatal("replica's stamp differs from the primary's: the case below is not the one it means to test")
	}
	if fx.search(rdb, q, nil).CacheHit {
		t.Error("the replica was served the primary's cache entry")
	}

	// Other settings: their own entries.
	if fx.search(fx.db, q, func(o *Options) { o.Limit = 3 }).CacheHit {
		t.Error("--limit 3 was served the --limit 10 entry")
	}
	if fx.search(fx.db, q, func(o *Options) { o.Filter.Kinds = []string{"function"} }).CacheHit {
		t.Error("--type function was served the unfiltered entry")
	}

	// A restore from the backup (generation 1), then a re-index of other
	// content, brings the generation back to 2: the restored database's
	// new id keeps the old generation 2's entries from being served.
	if _, err := store.Restore(ctx, fx.primaryDB, backup, time.Now()); err != nil {
		t.Fatal(err)
	}
	fx.open()
	os.Remove(filepath.Join(fx.root, "retry/jitter.go"))
	fx.write("retry/cap.go", `package retry

// Cap limits the exponential backoff delay to max.
func Cap(delay, max int) int { return min(delay, max) }
`)
	fx.index()
	if g, _ := fx.db.Generation(ctx); g != 2 {
		t.Fatalf("restored and re-indexed database at generation %d, want 2 (the case under test)", g)
	}
	out = fx.search(fx.db, q, nil)
	if out.CacheHit || has(names(out), "Jitter") || !has(names(out), "Cap") {
		t.Errorf("after restore and re-index: cache hit %v, results %v; want a miss with Cap and without Jitter", out.CacheHit, names(out))
	}
}

// cachingRecorder is an answerer whose answers may be cached; it counts
// the answers it really made.
type cachingRecorder struct{ recorder }

func (c *cachingRecorder) CacheID() string { return "test" }

// An answer is graded against the thresholds: stricter ones change the
// tier, and the cached answer made for the other tier is not served.
func TestAnswerCacheKeyHoldsTheGrade(t *testing.T) {
	fx := newCacheFixture(t)
	a := &cachingRecorder{}
	ask := func(th quality.Thresholds) *Outcome {
		o := options(nil, a)
		o.Cache, o.Mode, o.Thresholds = fx.cache, store.ModeHeadless, th
		out, err := Run(context.Background(), fx.db, "exponential backoff delay", o)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	lenient := quality.DefaultThresholds
	lenient.MinHighQuality = 1
	first := ask(lenient)
	if again := ask(lenient); !again.CacheHit || len(a.reqs) != 1 {
		t.Fatalf("repeat: cache hit %v after %d answers; want a hit after 1", again.CacheHit, len(a.reqs))
	}
	strict := lenient
	strict.Groundedness = 1
	strict.MinHighQuality = 5
	out := ask(strict)
	if out.Grade.Tier == first.Grade.Tier {
		t.Fatalf("both thresholds grade %s: the case under test needs two tiers", out.Grade.Tier)
	}
	if len(a.reqs) != 2 || a.reqs[1].Tier != out.Grade.Tier {
		t.Errorf("stricter thresholds: %d answers made, last for %v; want a new answer for %s", len(a.reqs), a.reqs[len(a.reqs)-1].Tier, out.Grade.Tier)
	}
}
