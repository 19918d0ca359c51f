// Command seed fills a project database's queries table with synthetic
// queries for bench/stats.sh: N rows in time order over the last DAYS days,
// with a plausible mix (about 70% good, 18% weak, 8% no match, 2% errors,
// 2% eval runs that stats leaves out, a third of them cache hits) and
// log-normal latencies around 200 ms.
//
//	go run -tags "sqlite_fts5 sqlite_math_functions" ./bench/stats/seed -db out.db -n 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

func main() {
	dbPath := flag.String("db", "", "project database to create or extend")
	n := flag.Int("n", 1_000_000, "rows to add")
	days := flag.Float64("days", 7, "spread the rows over this many days before now")
	batch := flag.Int("batch", 50_000, "rows per transaction")
	flag.Parse()
	if *dbPath == "" {
		fmt.Fprintln(os.Stderr, "seed: -db is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *dbPath, *n, *days, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string, n int, days float64, batch int) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(42, 7))
	now := time.Now()
	span := time.Duration(days * float64(24*time.Hour))
	start := now.Add(-span)
	modes := []string{store.ModeInteractive, store.ModeNonInteractive, store.ModeHeadless}
	choices := []string{"continue", "start_anew", "start_over"}
	errTypes := []string{"timeout", "rate_limit", "provider_5xx", "validation"}
	began := time.Now()
	recs := make([]store.QueryRecord, 0, batch)
	for i := range n {
		r := store.QueryRecord{
			// In time order, as recording makes them, a little jitter.
			Time:      start.Add(time.Duration((float64(i) + rng.Float64()) / float64(n) * float64(span))),
			Query:     fmt.Sprintf("how does component %d handle case %d", rng.IntN(500), i),
			Command:   "query",
			Mode:      modes[rng.IntN(len(modes))],
			LatencyMS: math.Round(math.Exp(5.3+0.6*rng.NormFloat64())*100) / 100,
			CacheHit:  rng.IntN(3) == 0,
		}
		if rng.IntN(3) == 0 {
			r.Command = "search"
		}
		switch p := rng.Float64(); {
		case p < 0.02:
			r.Command = "eval"
			r.Tier, r.Groundedness, r.HQChunks = "good", 0.9, 5
		case p < 0.04:
			r.Status, r.ErrorType = store.StatusError, errTypes[rng.IntN(len(errTypes))]
		case p < 0.12:
			r.Tier = "no_match"
		case p < 0.30:
			r.Tier, r.Groundedness, r.HQChunks = "weak", 0.3+0.4*rng.Float64(), rng.IntN(3)
			if r.Mode == store.ModeInteractive {
				r.Choice = choices[rng.IntN(len(choices))]
			}
		default:
			r.Tier, r.Groundedness, r.HQChunks = "good", 0.7+0.3*rng.Float64(), 3+rng.IntN(8)
		}
		r.Results = r.HQChunks
		recs = append(recs, r)
		if len(recs) == batch || i == n-1 {
			if err := db.InsertQueries(ctx, recs); err != nil {
				return err
			}
			recs = recs[:0]
		}
	}
	fmt.Fprintf(os.Stderr, "seed: %d queries in %s over %.0f days, %.1fs\n", n, path, days, time.Since(began).Seconds())
	return nil
}
