package stats

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/store"
)

// Source is where reports read the queries table; *store.DB is one.
type Source interface {
	QueryGroups(ctx context.Context, f store.QueryFilter) ([]store.QueryGroup, error)
	QueryLatencyRanks(ctx context.Context, f store.QueryFilter, n int64, ranks []int64) ([]float64, error)
}

// NoData is a Source without rows: the report of a project that has no
// database yet, all counts zero.
type NoData struct{}

// QueryGroups returns no groups.
func (NoData) QueryGroups(context.Context, store.QueryFilter) ([]store.QueryGroup, error) {
	return nil, nil
}

// QueryLatencyRanks returns zeros.
func (NoData) QueryLatencyRanks(_ context.Context, _ store.QueryFilter, _ int64, ranks []int64) ([]float64, error) {
	return make([]float64, len(ranks)), nil
}

// Tiers and weak-match choices as recorded in queries.tier and
// queries.choice.
const (
	TierGood    = "good"
	TierWeak    = "weak"
	TierNoMatch = "no_match"

	ChoiceStartAnew = "start_anew"
	ChoiceStartOver = "start_over"
	ChoiceContinue  = "continue"
)

// Modes lists the query modes every report shows, even at zero, in order.
var Modes = []string{store.ModeInteractive, store.ModeNonInteractive, store.ModeHeadless}

// Summary is everything the reports say about one window.
type Summary struct {
	Window      Window
	Operational Operational
	Retrieval   RetrievalQuality
	// Latency tells whether the latency percentiles were computed.
	Latency bool
}

// Operational is the JSON of `aur stats`: every query in the window (less
// ExcludedCommands), whatever its outcome. Rates are fractions in [0, 1]
// and are 0 when QueryCount is 0.
type Operational struct {
	Window       Window  `json:"window"`
	QueryCount   int64   `json:"query_count"`
	SuccessCount int64   `json:"success_count"` // status ok
	ErrorCount   int64   `json:"error_count"`   // any other status
	SuccessRate  float64 `json:"success_rate"`
	ErrorRate    float64 `json:"error_rate"`
	// Latencies of every counted query, errors included; percentiles by
	// nearest rank (resilience.Percentile).
	AvgLatencyMs float64 `json:"avg_latency_ms"`
	P50LatencyMs float64 `json:"p50_latency_ms"`
	P95LatencyMs float64 `json:"p95_latency_ms"`
	P99LatencyMs float64 `json:"p99_latency_ms"`
	// Every query consults the cache, so the hit rate is over QueryCount.
	CacheHits    int64   `json:"cache_hits"`
	CacheHitRate float64 `json:"cache_hit_rate"`
	// ErrorsByType counts failed queries by queries.error_type ("unknown"
	// when empty).
	ErrorsByType map[string]int64 `json:"errors_by_type"`
	// ByMode always holds interactive, non_interactive and headless, and
	// any other recorded mode ("unknown" when empty).
	ByMode map[string]ModeStats `json:"by_mode"`
	// ReplicaFallbacks counts the commands answered from the replica
	// because the primary database was unusable, from the fallback log
	// beside the database (package ha; the caller fills it in). Those
	// queries are not in the figures above: the replica is read-only and
	// records nothing. LastReplicaFallback is the newest, if any.
	ReplicaFallbacks    int64            `json:"replica_fallbacks"`
	LastReplicaFallback *ReplicaFallback `json:"last_replica_fallback,omitempty"`
}

// ReplicaFallback is when and why a command last fell back to the
// replica.
type ReplicaFallback struct {
	Time    time.Time `json:"ts"`
	Command string    `json:"command"`
	Reason  string    `json:"reason"`
}

// ModeStats are the figures of one query mode.
type ModeStats struct {
	QueryCount   int64   `json:"query_count"`
	ErrorCount   int64   `json:"error_count"`
	Share        float64 `json:"share"` // of all queries
	ErrorRate    float64 `json:"error_rate"`
	AvgLatencyMs float64 `json:"avg_latency_ms"`
}

// RetrievalQuality is the JSON of `aur stats --retrieval-quality`. It
// counts the queries that retrieval graded: status ok and a tier. Errors
// never reached a grade, so they would only dilute every rate; they are in
// the operational report.
type RetrievalQuality struct {
	Window       Window    `json:"window"`
	TotalQueries int64     `json:"total_queries"`
	NoMatch      TierStats `json:"no_match"`
	WeakMatch    TierStats `json:"weak_match"`
	GoodMatch    TierStats `json:"good_match"`
	WeakChoices  Choices   `json:"weak_match_choices"`
	// Averages over every graded query, no matches (groundedness 0, no
	// chunks) included: they are the experience of the user.
	AvgGroundedness      float64  `json:"avg_groundedness"`
	AvgHighQualityChunks float64  `json:"avg_high_quality_chunks"`
	Hints                []string `json:"hints"`
}

// TierStats are the count and rate of one tier against its target.
type TierStats struct {
	Count  int64   `json:"count"`
	Rate   float64 `json:"rate"`
	Target Target  `json:"target"`
	// TargetMet is null when there were no graded queries: an empty
	// window neither meets nor misses a target.
	TargetMet *bool `json:"target_met"`
}

// Choices are what users chose when retrieval was weak. Rates are over
// Prompted, the weak matches where a person was asked; NotPrompted are
// weak matches in non-interactive and headless runs, which continue
// without asking.
type Choices struct {
	Prompted    int64 `json:"prompted"`
	NotPrompted int64 `json:"not_prompted"`
	StartAnew   Share `json:"start_anew"`
	StartOver   Share `json:"start_over"`
	Continue    Share `json:"continue"`
}

// Share is a count and its rate.
type Share struct {
	Count int64   `json:"count"`
	Rate  float64 `json:"rate"`
}

// Target is a goal for a figure: value Comparison Threshold.
type Target struct {
	Comparison resilience.Comparison `json:"comparison"`
	Threshold  float64               `json:"threshold"`
}

// Met reports whether v meets the target.
func (t Target) Met(v float64) bool { return t.Comparison.Holds(v, t.Threshold) }

// The production guide's retrieval targets.
var (
	NoMatchTarget   = Target{resilience.CompareLT, 0.10}
	WeakMatchTarget = Target{resilience.CompareLT, 0.20}
	GoodMatchTarget = Target{resilience.CompareGT, 0.70}
)

// Summarize reads the window's aggregates from src. With latency it also
// looks up the p50, p95 and p99 latencies (three index walks); the
// retrieval-quality report does without.
func Summarize(ctx context.Context, src Source, w Window, latency bool) (*Summary, error) {
	f := w.Filter()
	groups, err := src.QueryGroups(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("summarize queries: %w", err)
	}
	s := fold(w, groups)
	s.Latency = latency
	if n := s.Operational.QueryCount; latency && n > 0 {
		ranks := []int64{NearestRank(n, 50), NearestRank(n, 95), NearestRank(n, 99)}
		lat, err := src.QueryLatencyRanks(ctx, f, n, ranks)
		if err != nil {
			return nil, fmt.Errorf("summarize queries: %w", err)
		}
		s.Operational.P50LatencyMs, s.Operational.P95LatencyMs, s.Operational.P99LatencyMs = lat[0], lat[1], lat[2]
	}
	return s, nil
}

// NearestRank returns the 1-based rank of the p-th percentile of n values
// by the nearest-rank method, the definition of resilience.Percentile:
// ceil(p/100 * n), at least 1 and at most n (0 for n = 0).
func NearestRank(n int64, p float64) int64 {
	if n <= 0 {
		return 0
	}
	if p <= 0 {
		return 1
	}
	if p >= 100 {
		return n
	}
	rank := int64(math.Ceil(p*float64(n)/100 - 1e-9))
	return min(max(rank, 1), n)
}

type modeSums struct {
	count, errors int64
	latency       float64
}

// fold turns the groups into the two reports.
func fold(w Window, groups []store.QueryGroup) *Summary {
	op := Operational{Window: w, ErrorsByType: map[string]int64{}, ByMode: map[string]ModeStats{}}
	rq := RetrievalQuality{Window: w, Hints: []string{},
		NoMatch: TierStats{Target: NoMatchTarget}, WeakMatch: TierStats{Target: WeakMatchTarget}, GoodMatch: TierStats{Target: GoodMatchTarget}}
	var sumLatency, sumGrounded, sumHQ float64
	modes := map[string]*modeSums{}
	for _, m := range Modes {
		modes[m] = &modeSums{}
	}
	for _, g := range groups {
		op.QueryCount += g.Count
		sumLatency += g.SumLatencyMS
		if g.CacheHit {
			op.CacheHits += g.Count
		}
		mode := g.Mode
		if mode == "" {
			mode = "unknown"
		}
		ms := modes[mode]
		if ms == nil {
			ms = &modeSums{}
			modes[mode] = ms
		}
		ms.count += g.Count
		ms.latency += g.SumLatencyMS
		if g.Status != store.StatusOK {
			op.ErrorCount += g.Count
			ms.errors += g.Count
			et := g.ErrorType
			if et == "" {
				et = "unknown"
			}
			op.ErrorsByType[et] += g.Count
			continue
		}
		op.SuccessCount += g.Count
		var tier *TierStats
		switch g.Tier {
		case TierNoMatch:
			tier = &rq.NoMatch
		case TierWeak:
			tier = &rq.WeakMatch
		case TierGood:
			tier = &rq.GoodMatch
		default:
			continue // not graded
		}
		tier.Count += g.Count
		rq.TotalQueries += g.Count
		sumGrounded += g.SumGroundedness
		sumHQ += g.SumHQChunks
		if g.Tier == TierWeak {
			switch g.Choice {
			case ChoiceStartAnew:
				rq.WeakChoices.StartAnew.Count += g.Count
			case ChoiceStartOver:
				rq.WeakChoices.StartOver.Count += g.Count
			case ChoiceContinue:
				rq.WeakChoices.Continue.Count += g.Count
			default:
				rq.WeakChoices.NotPrompted += g.Count
			}
		}
	}
	if n := float64(op.QueryCount); n > 0 {
		op.SuccessRate = float64(op.SuccessCount) / n
		op.ErrorRate = float64(op.ErrorCount) / n
		op.AvgLatencyMs = sumLatency / n
		op.CacheHitRate = float64(op.CacheHits) / n
	}
	for name, m := range modes {
		st := ModeStats{QueryCount: m.count, ErrorCount: m.errors}
		if m.count > 0 {
			st.Share = float64(m.count) / float64(op.QueryCount)
			st.ErrorRate = float64(m.errors) / float64(m.count)
			st.AvgLatencyMs = m.latency / float64(m.count)
		}
		op.ByMode[name] = st
	}
	if n := float64(rq.TotalQueries); n > 0 {
		for _, t := range []*TierStats{&rq.NoMatch, &rq.WeakMatch, &rq.GoodMatch} {
			t.Rate = float64(t.Count) / n
			met := t.Target.Met(t.Rate)
			t.TargetMet = &met
		}
		rq.AvgGroundedness = sumGrounded / n
		rq.AvgHighQualityChunks = sumHQ / n
	}
	c := &rq.WeakChoices
	c.Prompted = c.StartAnew.Count + c.StartOver.Count + c.Continue.Count
	if c.Prompted > 0 {
		for _, sh := range []*Share{&c.StartAnew, &c.StartOver, &c.Continue} {
			sh.Rate = float64(sh.Count) / float64(c.Prompted)
		}
	}
	rq.Hints = Hints(&rq)
	return &Summary{Window: w, Operational: op, Retrieval: rq}
}
