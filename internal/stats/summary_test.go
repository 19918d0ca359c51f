package stats

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aurora-dev/aur/internal/resilience"
)

func boolp(b bool) *bool { return &b }

// TestSummarizeGuideExample checks every figure of both reports over the
// guide's example, with the arithmetic spelled out.
func TestSummarizeGuideExample(t *testing.T) {
	db := seed(t, guideBatches...)
	w := week(t)
	s := summarize(t, db, w)
	approx := cmpopts.EquateApprox(0, 1e-9)

	wantOp := Operational{
		Window:       w,
		QueryCount:   1250, // 1234 graded + 16 errors
		SuccessCount: 1234,
		ErrorCount:   16,
		SuccessRate:  1234.0 / 1250, // 0.9872
		ErrorRate:    16.0 / 1250,   // 0.0128
		AvgLatencyMs: 625.5,         // latencies are 1..1250: (1+1250)/2
		P50LatencyMs: 625,           // rank ceil(0.50*1250) = 625
		P95LatencyMs: 1188,          // rank ceil(0.95*1250) = ceil(1187.5) = 1188
		P99LatencyMs: 1238,          // rank ceil(0.99*1250) = ceil(1237.5) = 1238
		CacheHits:    444,           // floor(888 * 0.5)
		CacheHitRate: 444.0 / 1250,  // 0.3552
		ErrorsByType: map[string]int64{"timeout": 10, "rate_limit": 6},
		ByMode: map[string]ModeStats{
			// 889 good + 247 weak, latencies 1..1136: mean 568.5
			"interactive": {QueryCount: 1136, Share: 1136.0 / 1250, AvgLatencyMs: 568.5},
			// 98 no match, latencies 1137..1234: mean 1185.5
			"headless": {QueryCount: 98, Share: 98.0 / 1250, AvgLatencyMs: 1185.5},
			// 16 errors, latencies 1235..1250: mean 1242.5
			"non_interactive": {QueryCount: 16, ErrorCount: 16, Share: 16.0 / 1250, ErrorRate: 1, AvgLatencyMs: 1242.5},
		},
	}
	if diff := cmp.Diff(wantOp, s.Operational, approx); diff != "" {
		t.Errorf("operational (-want +got):\n%s", diff)
	}

	wantRQ := RetrievalQuality{
		Window:       w,
		TotalQueries: 1234,
		NoMatch:      TierStats{Count: 98, Rate: 98.0 / 1234, Target: NoMatchTarget, TargetMet: boolp(true)},      // 7.9% < 10%
		WeakMatch:    TierStats{Count: 247, Rate: 247.0 / 1234, Target: WeakMatchTarget, TargetMet: boolp(false)}, // 20.016% is not < 20%
		GoodMatch:    TierStats{Count: 889, Rate: 889.0 / 1234, Target: GoodMatchTarget, TargetMet: boolp(true)},  // 72.0% > 70%
		WeakChoices: Choices{Prompted: 247,
			StartAnew: Share{45, 45.0 / 247}, StartOver: Share{89, 89.0 / 247}, Continue: Share{113, 113.0 / 247}},
		AvgGroundedness:      (889*0.8 + 247*0.5) / 1234, // 0.6764
		AvgHighQualityChunks: (889*5 + 247*2) / 1234.0,   // 4.0024
		Hints:                []string{"weak-match rate 20.0% ≥ 20%: consider lowering AURORA_ACTIVATION_THRESHOLD (e.g. 0.3 to 0.25)"},
	}
	if diff := cmp.Diff(wantRQ, s.Retrieval, approx); diff != "" {
		t.Errorf("retrieval quality (-want +got):\n%s", diff)
	}

	wantMetrics := map[string]float64{
		"query_count": 1250, "success_rate": 0.9872, "error_rate": 0.0128, "availability": 0.9872,
		"cache_hit_rate": 0.3552, "avg_latency_ms": 625.5, "p50_latency_ms": 625, "p95_latency_ms": 1188, "p99_latency_ms": 1238,
		"retrieval_query_count": 1234, "no_match_rate": 98.0 / 1234, "weak_match_rate": 247.0 / 1234, "good_match_rate": 889.0 / 1234,
		"avg_groundedness": 834.7 / 1234, "avg_high_quality_chunks": 4939.0 / 1234,
		"weak_start_anew_rate": 45.0 / 247, "weak_start_over_rate": 89.0 / 247, "weak_continue_rate": 113.0 / 247,
	}
	if diff := cmp.Diff(wantMetrics, s.Metrics(), approx); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	// A summary with every kind of data reports every known metric;
	// replica fallbacks come from outside the queries table.
	s.Operational.ReplicaFallbacks = 2
	if m := s.Metrics(); m[MetricReplicaFallbacks] != 2 {
		t.Errorf("replica_fallbacks metric = %v, want 2", m[MetricReplicaFallbacks])
	}
	known := KnownMetrics()
	slices.Sort(known)
	got := slices.Sorted(maps.Keys(s.Metrics()))
	if diff := cmp.Diff(known, got); diff != "" {
		t.Errorf("KnownMetrics (-want +got):\n%s", diff)
	}

	// Without latency the percentiles are neither computed nor offered to
	// rules.
	s2, err := Summarize(context.Background(), db, w, false)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Operational.P95LatencyMs != 0 {
		t.Errorf("latency=false: p95 = %v, want 0", s2.Operational.P95LatencyMs)
	}
	if _, ok := s2.Metrics()["p95_latency_ms"]; ok {
		t.Error("latency=false: p95_latency_ms in metrics")
	}
}

func TestSummarizeNotPromptedAndUnknowns(t *testing.T) {
	db := seed(t,
		"6 tier=weak choice=none mode=non_interactive",
		"2 tier=weak choice=continue mode=interactive",
		"2 tier=good mode=mcp",
		"1 tier= mode=", // ok but never graded: counted as a query, not graded
		"1 status=error mode=headless",
	)
	s := summarize(t, db, week(t))
	rq := s.Retrieval
	if rq.TotalQueries != 10 || rq.WeakChoices.Prompted != 2 || rq.WeakChoices.NotPrompted != 6 {
		t.Errorf("graded %d, prompted %d, not prompted %d; want 10, 2, 6", rq.TotalQueries, rq.WeakChoices.Prompted, rq.WeakChoices.NotPrompted)
	}
	if rq.WeakChoices.Continue.Rate != 1 {
		t.Errorf("continue rate %v, want 1 (of the prompted)", rq.WeakChoices.Continue.Rate)
	}
	op := s.Operational
	if op.QueryCount != 12 || op.ErrorsByType["unknown"] != 1 {
		t.Errorf("queries %d, errors by type %v; want 12 and unknown: 1", op.QueryCount, op.ErrorsByType)
	}
	for _, m := range []string{"interactive", "non_interactive", "headless", "mcp", "unknown"} {
		if _, ok := op.ByMode[m]; !ok {
			t.Errorf("by mode lacks %q: %v", m, op.ByMode)
		}
	}
	if got := modeOrder(op.ByMode); !slices.Equal(got, []string{"interactive", "non_interactive", "headless", "mcp", "unknown"}) {
		t.Errorf("mode order %v", got)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	for name, src := range map[string]Source{"no database": NoData{}, "empty table": seed(t)} {
		t.Run(name, func(t *testing.T) {
			s, err := Summarize(context.Background(), src, week(t), true)
			if err != nil {
				t.Fatal(err)
			}
			if s.Operational.QueryCount != 0 || s.Retrieval.TotalQueries != 0 {
				t.Errorf("counts %d, %d", s.Operational.QueryCount, s.Retrieval.TotalQueries)
			}
			if s.Retrieval.NoMatch.TargetMet != nil {
				t.Error("target met decided without data")
			}
			if len(s.Operational.ByMode) != 3 || s.Operational.ErrorsByType == nil || s.Retrieval.Hints == nil {
				t.Errorf("empty report is not of the stable shape: %+v", s)
			}
			if m := s.Metrics(); len(m) != 2 || m["query_count"] != 0 || m["retrieval_query_count"] != 0 {
				t.Errorf("metrics %v, want only the counts", m)
			}
			if a := CheckAlerts(s, DefaultRules(), resilience.SeverityInfo); len(a.Alerts) != 0 {
				t.Errorf("alerts on an empty window: %v", a.Alerts)
			}
			if sla := CheckSLA(s); !sla.Met || sla.Availability.Value != 1 {
				t.Errorf("empty window SLA %+v, want met with availability 1", sla)
			}
		})
	}
}

// TestNearestRank checks NearestRank against resilience.Percentile, the
// definition it must share, over every n up to 300 and awkward p.
func TestNearestRank(t *testing.T) {
	for n := 1; n <= 300; n++ {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i + 1)
		}
		for _, p := range []float64{0, 1, 25, 50, 90, 95, 99, 99.9, 100} {
			if got, want := NearestRank(int64(n), p), int64(resilience.Percentile(vals, p)); got != want {
				t.Fatalf("NearestRank(%d, %v) = %d, resilience.Percentile says %d", n, p, got, want)
			}
		}
	}
	if NearestRank(0, 50) != 0 {
		t.Error("NearestRank(0, 50) != 0")
	}
}

func TestSLA(t *testing.T) {
	for _, tc := range []struct {
		name   string
		seed   []string
		want   [3]bool // availability, p95, error rate
		wantOK bool
	}{
		// 1000 queries, p95 is rank 950.
		{"slow", []string{"1000 latency=1..1000 age=1h"}, [3]bool{true, false, true}, false},
		{"fast and clean", []string{"1000 latency=100 age=1h"}, [3]bool{true, true, true}, true},
		// 1 error of 1000: availability 99.9% meets >= 99.9%, 0.1% < 1%.
		{"availability at target", []string{"999 latency=100", "1 err=timeout latency=100"}, [3]bool{true, true, true}, true},
		// 2 errors of 1000: 99.8% < 99.9%.
		{"availability just below", []string{"998 latency=100", "2 err=timeout latency=100"}, [3]bool{false, true, true}, false},
		// 10 errors of 1000: error rate 1% is not < 1%.
		{"error rate at target", []string{"990 latency=100", "10 err=timeout latency=100"}, [3]bool{false, true, false}, false},
		// p95 (rank 950) just below, at and above 500 ms.
		{"p95 just below", []string{"950 latency=499", "50 latency=2000"}, [3]bool{true, true, true}, true},
		{"p95 at target", []string{"949 latency=100", "51 latency=500"}, [3]bool{true, false, true}, false},
		{"p95 just above", []string{"950 latency=500.001", "50 latency=1"}, [3]bool{true, false, true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := seed(t, tc.seed...)
			w, err := WindowSpec{DefaultSince: DefaultSLASince}.Resolve(now)
			if err != nil {
				t.Fatal(err)
			}
			s := CheckSLA(summarize(t, db, w))
			got := [3]bool{s.Availability.Met, s.P95LatencyMs.Met, s.ErrorRate.Met}
			if got != tc.want || s.Met != tc.wantOK {
				t.Errorf("met %v, sla_met %v; want %v, %v (%+v)", got, s.Met, tc.want, tc.wantOK, s)
			}
		})
	}
}
