package stats

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

const genSQL = `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i < 999999)
INSERT INTO queries(ts, query, command, mode, tier, groundedness, hq_chunks, results, choice, latency_ms, status, error_type, cache_hit)
SELECT 1700000000000 + i*604, 'how does the retry policy handle query number ' || i, CASE WHEN i%50=0 THEN 'eval' WHEN i%3=0 THEN 'search' ELSE 'query' END,
 CASE i%3 WHEN 0 THEN 'interactive' WHEN 1 THEN 'non_interactive' ELSE 'headless' END,
 CASE WHEN i%97=0 THEN '' WHEN i%10=0 THEN 'no_match' WHEN i%10<3 THEN 'weak' ELSE 'good' END,
 (i%100)/100.0, i%7, i%10, CASE WHEN i%10 IN (1,2) THEN CASE i%3 WHEN 0 THEN 'start_anew' WHEN 1 THEN 'start_over' ELSE 'continue' END ELSE 'none' END,
 (abs(random())%100000)/100.0, CASE WHEN i%97=0 THEN 'error' ELSE 'ok' END, CASE WHEN i%97=0 THEN 'timeout' ELSE '' END, (i%4=0)
FROM c`

func TestExp(t *testing.T) {
	path := "/tmp/exp/go.db"
	ctx := context.Background()
	_, statErr := os.Stat(path)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if statErr != nil {
		t0 := time.Now()
		if _, err := db.SQL().Exec(genSQL); err != nil {
			t.Fatal(err)
		}
		t.Logf("gen %v", time.Since(t0))
	}
	for _, w := range []struct{ from, to int64 }{{1700000000000, 1800000000000}, {1700000000000 + 600000*604, 1700000000000 + 700000*604}, {1700000000000 + 900000*604, 1700000000000 + 1000000*604}} {
		f := store.QueryFilter{From: time.UnixMilli(w.from), To: time.UnixMilli(w.to), ExcludeCommands: []string{"eval"}}
		for i := 0; i < 2; i++ {
			t0 := time.Now()
			gs, err := db.QueryGroups(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, g := range gs {
				n += g.Count
			}
			t1 := time.Now()
			r, err := db.QueryLatencyRanks(ctx, f, n, []int64{n / 2, n * 95 / 100, n * 99 / 100})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("n=%d groups=%d %v ranks %v %v", n, len(gs), t1.Sub(t0), time.Since(t1), r)
		}
	}
}
