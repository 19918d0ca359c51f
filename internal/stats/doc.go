// Package stats reports on the queries table: operational metrics,
// retrieval quality, alerts and the SLA, over a time window. It is the
// domain half of `aur stats`; the command layer parses flags and picks the
// view, and this package knows nothing of cobra or viper.
//
// # Which rows count
//
//   - The window is half-open, [From, To), compared in unix milliseconds
//     (the resolution of queries.ts): a query recorded exactly at To
//     belongs to the next window, so consecutive windows never count a
//     query twice. --since is a span of elapsed time back from now (h, d
//     = 24 h, w = 7 d); --from and --to take a date (midnight, local time)
//     or an RFC 3339 time; --to is exclusive, so --from 2025-01-01 --to
//     2025-01-08 is that week.
//   - Rows with command = 'eval' (ExcludedCommands) never count: they are
//     benchmark runs of the ranking, not users, and a project that runs
//     its evaluation set often would otherwise measure its benchmark.
//   - Operational metrics count every other row. Success means status =
//     'ok'; anything else is an error, grouped by error_type ("unknown"
//     when empty). Latency covers errors too, since a user waited for them.
//     The cache hit rate is over all queries, since every query consults
//     the cache first.
//   - Retrieval quality counts rows with status 'ok' and a tier (good,
//     weak, no_match): only those were graded. Averages of groundedness
//     and high-quality chunks include no-match rows (0 and 0), which is
//     what users got. Weak-match choice rates are over the weak matches
//     where a person was asked (start_anew, start_over, continue); weak
//     matches of non-interactive and headless runs are reported apart as
//     not prompted.
//
// # Figures and targets
//
// Rates are fractions in [0, 1] in JSON and percentages with one decimal
// in text. Targets are exact comparisons on the unrounded rate: no match
// < 10%, weak match < 20%, good match > 70% (production guide), so 20.02%
// weak shows as "20.0%" and misses its target. An empty window has no
// verdict (target_met is null, the text shows no marks). Percentiles use
// the nearest-rank definition of resilience.Percentile (NearestRank is
// checked against it), so a p95 is a latency some query really had.
//
// # Alerts
//
// Metrics returns the summary as a map under metric names, so
// resilience.Evaluate checks it like the live Collector: resilience's
// names (query_count, success_rate, error_rate, avg/p50/p95/p99_latency_ms,
// cache_hit_rate) plus availability, retrieval_query_count, no_match_rate,
// weak_match_rate, good_match_rate, avg_groundedness,
// avg_high_quality_chunks and weak_start_anew_rate, weak_start_over_rate,
// weak_continue_rate. A figure without data is left out, so no rule fires
// on an empty window. DefaultRules are resilience.DefaultRules plus the
// guide's retrieval alerts (RetrievalQualityRules: no-match rate > 20%
// and weak-match rate > 50% warn, good-match rate < 50% is critical);
// configured rules (alert_rules) replace a default of the same name or are
// added (MergeRules).
//
// # SLA
//
// CheckSLA measures availability (1 - error rate, target >= 99.9%), p95
// latency (< 500 ms) and error rate (< 1%) over the window (24 hours by
// default); sla_met needs all three. An empty window meets them: nothing
// failed and nothing was slow, which is the guide's own arithmetic.
//
// # Speed
//
// Everything but the percentiles comes from one GROUP BY over the few
// low-cardinality columns (store.QueryGroups), and each percentile is one
// index walk (store.QueryLatencyRanks): over 1,000,000 rows a whole
// `aur stats` process takes about 0.35 s (bench/stats.sh). The covering
// indexes that make this so are in store migration 0003.
//
// # Hints
//
// Hints gives one line of advice per figure out of target, from the
// guide's tuning sections. The guide contradicts itself on what weak-match
// choices mean for the groundedness threshold; Hints explains which
// reading it follows and why.
package stats
