package stats

import (
	"cmp"
	"slices"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Metric names of the figures this package adds to resilience's
// (query_count, success_rate, error_rate, avg/p50/p95/p99_latency_ms,
// cache_hit_rate), for alert rules. Rates are fractions in [0, 1].
const (
	MetricAvailability         = "availability"            // 1 - error_rate
	MetricRetrievalQueryCount  = "retrieval_query_count"   // graded queries
	MetricNoMatchRate          = "no_match_rate"           // of graded queries
	MetricWeakMatchRate        = "weak_match_rate"         // of graded queries
	MetricGoodMatchRate        = "good_match_rate"         // of graded queries
	MetricAvgGroundedness      = "avg_groundedness"        // over graded queries
	MetricAvgHighQualityChunks = "avg_high_quality_chunks" // over graded queries
	MetricWeakStartAnewRate    = "weak_start_anew_rate"    // of prompted weak matches
	MetricWeakStartOverRate    = "weak_start_over_rate"    // of prompted weak matches
	MetricWeakContinueRate     = "weak_continue_rate"      // of prompted weak matches
	// MetricReplicaFallbacks counts commands answered from the replica
	// because the primary database was unusable; reported only when
	// there were some, so a rule "replica_fallbacks > 0" fires on one.
	MetricReplicaFallbacks = "replica_fallbacks"
)

// KnownMetrics lists every metric name Metrics can report, for checking
// configured rules.
func KnownMetrics() []string {
	return []string{
		resilience.MetricQueryCount, resilience.MetricSuccessRate, resilience.MetricErrorRate,
		resilience.MetricAvgLatencyMs, resilience.MetricP50LatencyMs, resilience.MetricP95LatencyMs,
		resilience.MetricP99LatencyMs, resilience.MetricCacheHitRate,
		MetricAvailability, MetricRetrievalQueryCount, MetricNoMatchRate, MetricWeakMatchRate, MetricGoodMatchRate,
		MetricAvgGroundedness, MetricAvgHighQualityChunks,
		MetricWeakStartAnewRate, MetricWeakStartOverRate, MetricWeakContinueRate,
		MetricReplicaFallbacks,
	}
}

// RetrievalQualityRules are the production guide's retrieval alerts:
// no-match rate above 20% and weak-match rate above 50% warn, good-match
// rate below 50% is critical.
func RetrievalQualityRules() []resilience.Rule {
	return []resilience.Rule{
		{Name: "high_no_match_rate", Metric: MetricNoMatchRate, Threshold: 0.20, Comparison: resilience.CompareGT,
			Severity: resilience.SeverityWarning, Description: "High no-match rate: check indexing coverage"},
		{Name: "high_weak_match_rate", Metric: MetricWeakMatchRate, Threshold: 0.50, Comparison: resilience.CompareGT,
			Severity: resilience.SeverityWarning, Description: "High weak-match rate: consider lowering AURORA_ACTIVATION_THRESHOLD"},
		{Name: "low_good_match_rate", Metric: MetricGoodMatchRate, Threshold: 0.50, Comparison: resilience.CompareLT,
			Severity: resilience.SeverityCritical, Description: "CRITICAL: Low good-match rate: indexing degraded"},
	}
}

// DefaultRules are resilience.DefaultRules (error rate, p95 latency, cache
// hit rate) followed by RetrievalQualityRules.
func DefaultRules() []resilience.Rule {
	return append(resilience.DefaultRules(), RetrievalQualityRules()...)
}

// MergeRules returns base with each rule of extra replacing the base rule
// of the same name in place, or appended if there is none. Configured
// rules can so retune a default (say high_error_rate at 2%) without
// doubling it.
func MergeRules(base, extra []resilience.Rule) []resilience.Rule {
	out := slices.Clone(base)
	for _, r := range extra {
		i := slices.IndexFunc(out, func(b resilience.Rule) bool { return b.Name == r.Name })
		if i >= 0 {
			out[i] = r
		} else {
			out = append(out, r)
		}
	}
	return out
}

// Metrics returns the summary under the metric names rules use. As in
// resilience.Snapshot.Map, a figure without data is left out, so no rule
// fires on it: with no queries only query_count is present, the retrieval
// rates need graded queries, the choice rates prompted weak matches, and
// the latency percentiles a summary made with latency.
func (s *Summary) Metrics() map[string]float64 {
	op, rq := s.Operational, s.Retrieval
	m := map[string]float64{resilience.MetricQueryCount: float64(op.QueryCount)}
	if op.ReplicaFallbacks > 0 {
		m[MetricReplicaFallbacks] = float64(op.ReplicaFallbacks)
	}
	if op.QueryCount > 0 {
		m[resilience.MetricSuccessRate] = op.SuccessRate
		m[resilience.MetricErrorRate] = op.ErrorRate
		m[MetricAvailability] = 1 - op.ErrorRate
		m[resilience.MetricCacheHitRate] = op.CacheHitRate
		m[resilience.MetricAvgLatencyMs] = op.AvgLatencyMs
		if s.Latency {
			m[resilience.MetricP50LatencyMs] = op.P50LatencyMs
			m[resilience.MetricP95LatencyMs] = op.P95LatencyMs
			m[resilience.MetricP99LatencyMs] = op.P99LatencyMs
		}
	}
	m[MetricRetrievalQueryCount] = float64(rq.TotalQueries)
	if rq.TotalQueries > 0 {
		m[MetricNoMatchRate] = rq.NoMatch.Rate
		m[MetricWeakMatchRate] = rq.WeakMatch.Rate
		m[MetricGoodMatchRate] = rq.GoodMatch.Rate
		m[MetricAvgGroundedness] = rq.AvgGroundedness
		m[MetricAvgHighQualityChunks] = rq.AvgHighQualityChunks
	}
	if c := rq.WeakChoices; c.Prompted > 0 {
		m[MetricWeakStartAnewRate] = c.StartAnew.Rate
		m[MetricWeakStartOverRate] = c.StartOver.Rate
		m[MetricWeakContinueRate] = c.Continue.Rate
	}
	return m
}

// AlertReport is the JSON of `aur stats --alerts`.
type AlertReport struct {
	Window     Window             `json:"window"`
	QueryCount int64              `json:"query_count"`
	Metrics    map[string]float64 `json:"metrics"`
	Rules      []resilience.Rule  `json:"rules"`
	// Alerts are the rules that fired, most severe first, then in rule
	// order.
	Alerts []resilience.Alert `json:"alerts"`
	// FailSeverity is the gate of --check; Failing counts the alerts at or
	// above it.
	FailSeverity resilience.Severity `json:"fail_severity"`
	Failing      int                 `json:"failing"`
}

// CheckAlerts evaluates rules against the summary's metrics.
func CheckAlerts(s *Summary, rules []resilience.Rule, fail resilience.Severity) *AlertReport {
	r := &AlertReport{Window: s.Window, QueryCount: s.Operational.QueryCount, Metrics: s.Metrics(),
		Rules: slices.Clone(rules), Alerts: []resilience.Alert{}, FailSeverity: fail}
	if r.Rules == nil {
		r.Rules = []resilience.Rule{}
	}
	r.Alerts = append(r.Alerts, resilience.Evaluate(rules, r.Metrics)...)
	slices.SortStableFunc(r.Alerts, func(a, b resilience.Alert) int {
		return cmp.Compare(b.Rule.Severity.Rank(), a.Rule.Severity.Rank())
	})
	for _, a := range r.Alerts {
		if a.Rule.Severity.Rank() >= fail.Rank() {
			r.Failing++
		}
	}
	return r
}
