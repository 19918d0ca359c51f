package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/store"
)

// goFiles returns n Go files, each defining a function named after tag.
func goFiles(tag string, n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("pkg%d/f%d.go", i%4, i)] = fmt.Sprintf(`package pkg%d

// %[2]sHandler%[3]d handles the %[2]s request number %[3]d.
func %[2]sHandler%[3]d(x int) int {
	return x + %[3]d
}
`, i%4, tag, i)
	}
	return files
}

// Both stores find chunks by name (see query.NameStore).
var _ query.NameStore = (*pgstore.Project)(nil)

func search(t *testing.T, s query.Store, q string) *query.Retrieval {
	t.Helper()
	r, err := query.NewEngine(s).Search(context.Background(), q, query.Options{Limit: 10, Threshold: 0.01, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// oldChunks writes a project of one chunk as the indexer of schema
// versions 1 and 2 wrote it (name_v and sig_v, no head_v).
const oldChunks = `
INSERT INTO projects(name, store_id, root, generation, chunk_count, total_tokens, avg_body_terms, last_index)
	VALUES ('iota', 'old', '/src/iota', 1, 1, 14, '3.00', 1);
INSERT INTO files(project_id, path, hash, size, mtime_ns, language, indexed_at)
	SELECT id, 'pkg/iota.go', 'h', 40, 1, 'go', 1 FROM projects;
INSERT INTO chunks(project_id, key, file_id, kind, name, qualified_name, signature, doc, start_line, end_line,
	content, language, body_terms, ntokens, name_v, sig_v, tsv)
	SELECT p.id, 42, f.id, 'function', 'IotaHandler', 'IotaHandler', 'func IotaHandler()', 'IotaHandler handles it.',
		3, 5, 'func IotaHandler() { return }', 'go', 3, 14,
		'iota handler iotahandler'::tsvector, 'func iota handler iotahandler'::tsvector,
		$$'iota':1A,2A,3B,5 'handler':1A,2A 'iotahandler':1A,2A,3B 'func':2A,5 'handl':3B 'pkg':4C 'go':4C 'return':5$$::tsvector
	FROM projects p, files f;
INSERT INTO terms(project_id, term, df)
	SELECT id, t, 1 FROM projects, unnest('{iota,handler,iotahandler,func,handl,pkg,go,return}'::text[]) AS t;
`

// TestMigrationsFromEmptyAndEachVersion builds a database at every
// schema version (0: empty), with a project in it from version 1 on, and
// opens it with this aur: it must reach the current version with the
// project still searchable.
func TestMigrationsFromEmptyAndEachVersion(t *testing.T) {
	ctx := context.Background()
	for v := 0; v < pgstore.SchemaVersion(); v++ {
		t.Run(fmt.Sprintf("from_%d", v), func(t *testing.T) {
			url := newDatabase(t)
			if v > 0 {
				old, err := pgstore.Open(ctx, url, pgstore.Options{SchemaVersion: v})
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := old.Version(ctx); got != v {
					t.Fatalf("built version %d, want %d", got, v)
				}
				if v > 2 {
					t.Fatalf("no fixture for schema version %d: add one", v)
				}
				if _, err := old.Pool().Exec(ctx, oldChunks); err != nil {
					t.Fatal(err)
				}
				old.Close()
			}
			db := open(t, url)
			got, err := db.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != pgstore.SchemaVersion() {
				t.Errorf("version %d after Open, want %d", got, pgstore.SchemaVersion())
			}
			// A second Open of a current database changes nothing.
			db2 := open(t, url)
			if got, _ := db2.Version(ctx); got != pgstore.SchemaVersion() {
				t.Errorf("version %d after a second Open", got)
			}
			var n int
			if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("pg_trgm: %d, %v", n, err)
			}
			if v > 0 {
				p, err := db.Project(ctx, "iota", false)
				if err != nil {
					t.Fatal(err)
				}
				if r := search(t, p, "iota handler"); len(r.Results) == 0 || r.Results[0].Name != "IotaHandler" {
					t.Errorf("the project indexed before the upgrade: %+v", r.Results)
				}
				// The columns the upgrade derived (0003: head_v).
				for q, want := range map[string]bool{"iota:A": true, "func:B": true, "func:A": false,
					"handl:C": true, "pkg:D": true, "return": false} {
					var got bool
					if err := db.Pool().QueryRow(ctx, `SELECT head_v @@ $1::tsquery FROM chunks`, q).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("upgraded head_v @@ %s = %v, want %v", q, got, want)
					}
				}
				r, err := p.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !r.Healthy {
					t.Errorf("upgraded project fails verification: %+v", r.Problems())
				}
			}
			// Every table of the current schema works.
			if _, err := db.BreakerStore().Update("test", func(s *resilience.BreakerSnapshot) { s.ConsecutiveFailures++ }); err != nil {
				t.Error(err)
			}
		})
	}
	// A database of a newer aur is refused.
	url := newDatabase(t)
	db := open(t, url)
	if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations(version, name) VALUES (9999, 'future')`); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Open(ctx, url, pgstore.Options{}); !errors.Is(err, pgstore.ErrNewerSchema) {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// TestBreakerSharedBetweenHosts: two clients (pools) update one breaker
// key concurrently; every update counts, and each sees the other's.
func TestBreakerSharedBetweenHosts(t *testing.T) {
	url := newDatabase(t)
	a, b := open(t, url), open(t, url)
	var wg sync.WaitGroup
	for _, db := range []*pgstore.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := db.BreakerStore().Update("openai|https://api", func(s *resilience.BreakerSnapshot) {
					s.ConsecutiveFailures++
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	until := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	if _, err := a.BreakerStore().Update("openai|https://api", func(s *resilience.BreakerSnapshot) { s.OpenUntil = until }); err != nil {
		t.Fatal(err)
	}
	s, err := b.BreakerStore().Load("openai|https://api")
	if err != nil {
		t.Fatal(err)
	}
	if s.ConsecutiveFailures != 40 || !s.OpenUntil.Equal(until) {
		t.Errorf("snapshot %+v, want 40 failures, open until %v", s, until)
	}
	if z, err := b.BreakerStore().Load("nobody"); err != nil || z.ConsecutiveFailures != 0 || !z.OpenUntil.IsZero() {
		t.Errorf("Load of a new key: %+v, %v", z, err)
	}
}

// TestConcurrentIndexersOfTwoProjects runs two index runs of different
// projects at once: both commit, and each project finds only its own.
func TestConcurrentIndexersOfTwoProjects(t *testing.T) {
	url := newDatabase(t)
	db := open(t, url)
	ctx := context.Background()
	roots := map[string]string{
		"alpha": writeCorpus(t, goFiles("Alpha", 60)),
		"beta":  writeCorpus(t, goFiles("Beta", 60)),
	}
	// Both hold their project lock before either writes.
	var started sync.WaitGroup
	started.Add(2)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for name, root := range roots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := db.Project(ctx, name, true)
			if err != nil {
				errs <- err
				started.Done()
				return
			}
			ix, err := p.BeginIndex(ctx, func() { errs <- fmt.Errorf("%s waited for a lock", name) })
			started.Done()
			if err != nil {
				errs <- err
				return
			}
			defer ix.Rollback(ctx)
			started.Wait()
			if _, err := index.Run(ctx, ix, indexOptions(root)); err != nil {
				errs <- err
				return
			}
			errs <- ix.Commit(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ps, err := db.Projects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "alpha" || ps[1].Name != "beta" || ps[0].Chunks == 0 || ps[0].Chunks != ps[1].Chunks ||
		ps[0].Generation != 1 || ps[0].Root != roots["alpha"] {
		t.Fatalf("projects = %+v", ps)
	}
	for name, other := range map[string]string{"alpha": "beta", "beta": "alpha"} {
		p, err := db.Project(ctx, name, false)
		if err != nil {
			t.Fatal(err)
		}
		r := search(t, p, name+" handler request")
		if len(r.Results) == 0 {
			t.Errorf("%s: no results", name)
		}
		for _, x := range search(t, p, other+"Handler7").Results {
			if strings.Contains(strings.ToLower(x.QualifiedName), other) {
				t.Errorf("%s finds %s's chunk %s", name, other, x.QualifiedName)
			}
		}
	}
}

// TestSecondIndexerOfAProjectWaits: a second run of the same project
// waits for the first to end, then sees what it wrote.
func TestSecondIndexerOfAProjectWaits(t *testing.T) {
	url := newDatabase(t)
	db := open(t, url)
	ctx := context.Background()
	root := writeCorpus(t, goFiles("Gamma", 20))
	p, err := db.Project(ctx, "gamma", true)
	if err != nil {
		t.Fatal(err)
	}
	first, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := index.Run(ctx, first, indexOptions(root)); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	done := make(chan *index.Summary, 1)
	go func() {
		// Another client: its own pool.
		db2, err := pgstore.Open(ctx, url, pgstore.Options{})
		if err != nil {
			t.Error(err)
			close(waiting)
			done <- nil
			return
		}
		defer db2.Close()
		p2, _ := db2.Project(ctx, "gamma", true)
		second, err := p2.BeginIndex(ctx, func() { close(waiting) })
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		defer second.Rollback(ctx)
		sum, err := index.Run(ctx, second, indexOptions(root))
		if err != nil {
			t.Error(err)
		}
		if err := second.Commit(ctx); err != nil {
			t.Error(err)
		}
		done <- sum
	}()
	select {
	case <-waiting:
	case <-time.After(20 * time.Second):
		t.Fatal("the second index run did not wait")
	}
	select {
	case <-done:
		t.Fatal("the second index run finished while the first held the lock")
	case <-time.After(300 * time.Millisecond):
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sum := <-done
	if sum == nil {
		return
	}
	// It ran after the first committed: every file was unchanged.
	if sum.Indexed != 0 || sum.Unchanged != 20 {
		t.Errorf("second run: indexed %d, unchanged %d; want 0, 20", sum.Indexed, sum.Unchanged)
	}
	// A waiting run gives up when its context ends.
	third, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Rollback(ctx)
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := p.BeginIndex(cctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BeginIndex with a deadline while locked: %v", err)
	}
}

// TestReadersSeeAWholeGeneration re-indexes a changed corpus while
// readers read: until the run commits they see the previous generation
// in full, after it the new one; a snapshot taken before the commit
// keeps the previous one to its end.
func TestReadersSeeAWholeGeneration(t *testing.T) {
	url := newDatabase(t)
	db := open(t, url)
	ctx := context.Background()
	root := writeCorpus(t, goFiles("Delta", 30))
	indexPG(t, db, "delta", root)
	p, err := db.Project(ctx, "delta", false)
	if err != nil {
		t.Fatal(err)
	}
	before, err := p.Corpus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The new version: half the files gone, the rest renamed functions.
	for i := range 30 {
		path := filepath.Join(root, fmt.Sprintf("pkg%d/f%d.go", i%4, i))
		if i%2 == 0 {
			os.Remove(path)
			continue
		}
		os.WriteFile(path, []byte(fmt.Sprintf("package pkg%d\n\n// EpsilonWorker%d works.\nfunc EpsilonWorker%d() {}\n", i%4, i, i)), 0o644)
		future := time.Now().Add(time.Hour)
		os.Chtimes(path, future, future)
	}
	ix, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Rollback(ctx)
	if _, err := index.Run(ctx, ix, indexOptions(root)); err != nil {
		t.Fatal(err)
	}
	snap, done, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	check := func(s query.Store, label string, wantOld bool) {
		t.Helper()
		c, err := s.Corpus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		old := search(t, s, "delta handler")
		neu := search(t, s, "epsilon worker")
		if wantOld {
			if c != before || len(old.Results) == 0 || len(neu.Results) != 0 {
				t.Errorf("%s: corpus %+v (before %+v), %d old results, %d new; want the previous generation",
					label, c, before, len(old.Results), len(neu.Results))
			}
			return
		}
		if c.Generation != before.Generation+1 || c.Chunks >= before.Chunks || len(old.Results) != 0 || len(neu.Results) == 0 {
			t.Errorf("%s: corpus %+v (before %+v), %d old results, %d new; want the new generation",
				label, c, before, len(old.Results), len(neu.Results))
		}
	}
	check(p, "during the run", true)
	check(snap, "snapshot during the run", true)
	if err := ix.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check(p, "after the commit", false)
	check(snap, "snapshot taken before the commit", true)
}

// TestInterruptedIndexerLeavesThePreviousGeneration cancels one run
// half-way and kills the connection of another: the project stays at
// its previous generation, whole.
func TestInterruptedIndexerLeavesThePreviousGeneration(t *testing.T) {
	url := newDatabase(t)
	db := open(t, url)
	ctx := context.Background()
	root := writeCorpus(t, goFiles("Zeta", 40))
	indexPG(t, db, "zeta", root)
	p, err := db.Project(ctx, "zeta", false)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := p.Corpus(ctx)
	future := time.Now().Add(time.Hour)
	for i := range 40 {
		path := filepath.Join(root, fmt.Sprintf("pkg%d/f%d.go", i%4, i))
		os.WriteFile(path, []byte(fmt.Sprintf("package pkg%d\n\nfunc EtaThing%d() {}\n", i%4, i)), 0o644)
		os.Chtimes(path, future, future)
	}

	// Cancelled half-way (Ctrl-C): index.Run reports the interruption and
	// the caller rolls back.
	cctx, cancel := context.WithCancel(ctx)
	ix, err := p.BeginIndex(cctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := indexOptions(root)
	opts.Progress = func(done, total int) {
		if done == total/2 {
			cancel()
		}
	}
	_, err = index.Run(cctx, ix, opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
	ix.Rollback(ctx)
	after, _ := p.Corpus(ctx)
	if after != before {
		t.Errorf("after a cancelled run: %+v, want %+v", after, before)
	}
	if r := search(t, p, "zeta handler"); len(r.Results) == 0 {
		t.Error("the previous generation is not searchable after a cancelled run")
	}

	// Killed: the server ends the connection of a run that has written
	// part of its batches (as when the indexer's process dies).
	ix2, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := ix2.Project().Pool().QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`, p.ID()).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if err := ix2.ApplyBatch(ctx, []store.FileUpdate{{File: store.File{Path: "pkg0/f0.go"}, Delete: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	if err := ix2.Commit(ctx); err == nil {
		t.Error("a killed run committed")
	}
	after, _ = p.Corpus(ctx)
	if after != before {
		t.Errorf("after a killed run: %+v, want %+v", after, before)
	}
	if r := search(t, p, "ZetaHandler0"); len(r.Results) == 0 || r.Results[0].Path != "pkg0/f0.go" {
		t.Errorf("after a killed run, ZetaHandler0 is not found first: %+v", r.Results)
	}
	// The lock went with the connection: the next run proceeds.
	tctx, cancelT := context.WithTimeout(ctx, 10*time.Second)
	defer cancelT()
	ix3, err := p.BeginIndex(tctx, nil)
	if err != nil {
		t.Fatalf("after a killed run: %v", err)
	}
	ix3.Rollback(ctx)
}

// TestActivationSharedBetweenClients: accesses recorded by one client
// (its own connection pool, as another host) count in another's ranking.
func TestActivationSharedBetweenClients(t *testing.T) {
	url := newDatabase(t)
	ctx := context.Background()
	a := open(t, url)
	b := open(t, url)
	root := writeCorpus(t, goFiles("Theta", 12))
	indexPG(t, a, "theta", root)
	pa, err := a.Project(ctx, "theta", false)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Project(ctx, "theta", false)
	if err != nil {
		t.Fatal(err)
	}
	q := "theta handler request"
	cold := search(t, pb, q)
	if len(cold.Results) < 2 {
		t.Fatalf("%d results", len(cold.Results))
	}
	for _, r := range cold.Results {
		if r.Activation != 0 {
			t.Fatalf("cold start: activation %v", r.Activation)
		}
	}
	last := cold.Results[len(cold.Results)-1]
	now := time.Now()
	for i := range 5 {
		rec := store.QueryRecord{Time: now.Add(-time.Duration(i) * time.Minute), Query: q, Command: "search",
			Mode: store.ModeHeadless, Tier: "good", LatencyMS: 1}
		if _, err := pa.RecordQuery(ctx, rec, []int64{last.Key}, []string{"theta", "handler", "request"}); err != nil {
			t.Fatal(err)
		}
	}
	acc, err := pb.AccessHistories(ctx, []int64{last.Key})
	if err != nil {
		t.Fatal(err)
	}
	if acc[last.Key].N != 5 {
		t.Fatalf("client b sees %d accesses, want 5", acc[last.Key].N)
	}
	r, err := query.NewEngine(pb).Search(ctx, q, query.Options{Limit: 10, Threshold: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	var act float64
	for _, x := range r.Results {
		if x.Key == last.Key {
			act = x.Activation
		}
	}
	if act <= 0 {
		t.Errorf("client b: activation of the accessed chunk is %v", act)
	}
	// Concurrent recording from both clients counts every event.
	var wg sync.WaitGroup
	for _, p := range []*pgstore.Project{pa, pb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := p.RecordAccess(ctx, []int64{last.Key}, time.Now(), []string{"theta"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	acc, _ = pa.AccessHistories(ctx, []int64{last.Key})
	if acc[last.Key].N != 25 {
		t.Errorf("%d accesses after concurrent recording, want 25", acc[last.Key].N)
	}
	// The query log is shared too: aur stats of either sees the five.
	gs, err := pb.QueryGroups(ctx, store.QueryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, g := range gs {
		n += g.Count
	}
	if n != 5 {
		t.Errorf("query log: %d rows, want 5", n)
	}
}
