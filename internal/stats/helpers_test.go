package stats

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/stats/statstest"
	"github.com/aurora-dev/aur/internal/store"
)

var now = statstest.Now

// seed opens a store in a temp file and inserts the batches, each written
// as in the seedqueries script command: "N key=value ...".
func seed(t testing.TB, batches ...string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var recs []store.QueryRecord
	for _, b := range batches {
		fields := strings.Fields(b)
		n, err := strconv.Atoi(fields[0])
		if err != nil {
			t.Fatalf("batch %q: %v", b, err)
		}
		batch, err := statstest.Parse(n, fields[1:])
		if err != nil {
			t.Fatalf("batch %q: %v", b, err)
		}
		recs = append(recs, batch.Records(now)...)
	}
	if err := db.InsertQueries(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return db
}

func week(t testing.TB) Window {
	t.Helper()
	w, err := WindowSpec{DefaultSince: "7d"}.Resolve(now)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func summarize(t testing.TB, db *store.DB, w Window) *Summary {
	t.Helper()
	s, err := Summarize(context.Background(), db, w, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// guideBatches reproduce the production guide's example (1,234 graded
// queries: 98 no match, 247 weak with 45/89/113 choices, 889 good) plus 16
// errors, with latencies 1..1250 ms spread over the 1,250 counted rows so
// every percentile is known, and rows the window must leave out: eval
// runs, rows older than the window, and one row at exactly now (the
// window is half-open). One good row sits at exactly the window's start
// and counts.
var guideBatches = []string{
	"888 tier=good g=0.8 hq=5 mode=interactive latency=1..888 cache=0.5 age=1m..6d",
	"1 tier=good g=0.8 hq=5 mode=interactive latency=889 at=2025-06-08T12:00:00Z",
	"45 tier=weak g=0.5 hq=2 mode=interactive choice=start_anew latency=890..934",
	"89 tier=weak g=0.5 hq=2 mode=interactive choice=start_over latency=935..1023",
	"113 tier=weak g=0.5 hq=2 mode=interactive choice=continue latency=1024..1136",
	"98 tier=no_match mode=headless latency=1137..1234 age=2d",
	"10 err=timeout latency=1235..1244 age=3h",
	"6 err=rate_limit latency=1245..1250 age=3h",
	// Left out:
	"500 tier=no_match command=eval latency=99999 age=1d",
	"100 tier=no_match latency=99999 age=8d",
	"1 tier=no_match latency=99999 at=2025-06-08T11:59:59.999Z",
	"1 tier=no_match latency=99999 at=2025-06-15T12:00:00Z",
}
