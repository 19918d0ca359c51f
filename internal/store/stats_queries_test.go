package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestQueryStatsPlans checks QueryGroups and QueryLatencyRanks against a
// brute-force computation over the same rows, for windows that take each
// plan (covering index walk, ts range).
func TestQueryStatsPlans(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var recs []QueryRecord
	for i := range 3000 {
		r := QueryRecord{
			Time:      now.Add(-time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))),
			Query:     fmt.Sprint("q", i),
			Command:   pick("query", "search", "eval"),
			Mode:      pick(ModeInteractive, ModeNonInteractive, ModeHeadless),
			Tier:      pick("good", "weak", "no_match"),
			Choice:    pick("none", "continue", "start_anew", "start_over"),
			LatencyMS: math.Round(rng.Float64()*100000) / 100,
			CacheHit:  rng.IntN(4) == 0,
		}
		r.Groundedness = math.Round(rng.Float64()*100) / 100
		r.HQChunks = rng.IntN(8)
		if rng.IntN(20) == 0 {
			r.Status, r.ErrorType, r.Tier = StatusError, pick("timeout", "rate_limit"), ""
		}
		recs = append(recs, r)
	}
	if err := db.InsertQueries(ctx, recs); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name                      string
		f                         QueryFilter
		narrowGroups, narrowRanks bool
	}{
		{"all time", QueryFilter{ExcludeCommands: []string{"eval"}}, false, false},
		{"wide", QueryFilter{From: now.Add(-20 * day), To: now, ExcludeCommands: []string{"eval"}}, false, false},
		{"a fifth", QueryFilter{From: now.Add(-6 * day), To: now, ExcludeCommands: []string{"eval"}}, false, true},
		{"a day", QueryFilter{From: now.Add(-2 * day), To: now.Add(-day), ExcludeCommands: []string{"eval"}}, true, true},
		{"empty", QueryFilter{From: now.Add(day), To: now.Add(2 * day)}, true, true},
		{"no exclusions", QueryFilter{From: now.Add(-6 * day), To: now}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := db.isNarrow(ctx, tc.f, narrowGroups); got != tc.narrowGroups {
				t.Errorf("groups plan narrow = %v, want %v", got, tc.narrowGroups)
			}
			if got, _ := db.isNarrow(ctx, tc.f, narrowLatencies); got != tc.narrowRanks {
				t.Errorf("ranks plan narrow = %v, want %v", got, tc.narrowRanks)
			}
			// Brute force.
			type key struct {
				status, mode, tier, choice, errType string
				hit                                 bool
			}
			want := map[key]*QueryGroup{}
			var lat []float64
			from, to := tc.f.bounds()
			for _, r := range recs {
				ms := r.Time.UnixMilli()
				if ms < from || ms >= to || slices.Contains(tc.f.ExcludeCommands, r.Command) {
					continue
				}
				status := r.Status
				if status == "" {
					status = StatusOK
				}
				k := key{status, r.Mode, r.Tier, r.Choice, r.ErrorType, r.CacheHit}
				g := want[k]
				if g == nil {
					g = &QueryGroup{Status: k.status, Mode: k.mode, Tier: k.tier, Choice: k.choice, ErrorType: k.errType, CacheHit: k.hit}
					want[k] = g
				}
				g.Count++
				g.SumLatencyMS += r.LatencyMS
				g.SumGroundedness += r.Groundedness
				g.SumHQChunks += float64(r.HQChunks)
				lat = append(lat, r.LatencyMS)
			}
			groups, err := db.QueryGroups(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != len(want) {
				t.Fatalf("%d groups, want %d", len(groups), len(want))
			}
			var n int64
			for _, g := range groups {
				w := want[key{g.Status, g.Mode, g.Tier, g.Choice, g.ErrorType, g.CacheHit}]
				if w == nil || w.Count != g.Count || !approxEq(w.SumLatencyMS, g.SumLatencyMS) ||
					!approxEq(w.SumGroundedness, g.SumGroundedness) || w.SumHQChunks != g.SumHQChunks {
					t.Errorf("group %+v, want %+v", g, w)
				}
				n += g.Count
			}
			slices.Sort(lat)
			ranks := []int64{1, 2, n / 2, n - 1, n, n + 5}
			got, err := db.QueryLatencyRanks(ctx, tc.f, n, ranks)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range ranks {
				var w float64
				if n > 0 {
					w = lat[min(max(k, 1), n)-1]
				}
				if got[i] != w {
					t.Errorf("rank %d of %d: %v, want %v", k, n, got[i], w)
				}
			}
		})
	}
}

func approxEq(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
