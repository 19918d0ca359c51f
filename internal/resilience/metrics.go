package resilience

import (
	"math"
	"slices"
	"sync"
	"time"
)

// DefaultLatencyWindow is how many recent query latencies a Collector keeps
// for its latency statistics.
const DefaultLatencyWindow = 10_000

// maxErrorTypes bounds the distinct error types a Collector tracks; further
// types are counted under "other".
const maxErrorTypes = 64

// Metric keys of Snapshot.Map, the names alert rules refer to.
const (
	MetricQueryCount   = "query_count"
	MetricSuccessRate  = "success_rate"
	MetricAvgLatencyMs = "avg_latency_ms"
	MetricP50LatencyMs = "p50_latency_ms"
	MetricP95LatencyMs = "p95_latency_ms"
	MetricP99LatencyMs = "p99_latency_ms"
	MetricCacheHitRate = "cache_hit_rate"
	MetricErrorRate    = "error_rate"
)

// Collector aggregates query, cache and error metrics in memory. It is safe
// for concurrent use and its memory is bounded: counters, a ring of the last
// window latencies, and at most 64 error types.
type Collector struct {
	mu          sync.Mutex
	latencies   []float64 // ring of the last len(latencies) latencies, in ms
	next        int       // ring position of the next write
	filled      int       // how many ring slots hold data
	queries     int64
	successes   int64
	cacheHits   int64
	cacheTotal  int64
	errorCounts map[string]int64
}

// NewCollector returns a Collector keeping the last window latencies
// (DefaultLatencyWindow if window <= 0).
func NewCollector(window int) *Collector {
	if window <= 0 {
		window = DefaultLatencyWindow
	}
	return &Collector{latencies: make([]float64, window), errorCounts: map[string]int64{}}
}

// RecordQuery records one finished query.
func (c *Collector) RecordQuery(latency time.Duration, success bool) {
	ms := float64(latency) / float64(time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	if success {
		c.successes++
	}
	c.latencies[c.next] = ms
	c.next = (c.next + 1) % len(c.latencies)
	c.filled = min(c.filled+1, len(c.latencies))
}

// RecordCache records one cache lookup.
func (c *Collector) RecordCache(hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cacheTotal++
	if hit {
		c.cacheHits++
	}
}

// RecordError counts one error of errType (see ErrorType for the labels the
// Policy uses).
func (c *Collector) RecordError(errType string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.errorCounts[errType]; !ok && len(c.errorCounts) >= maxErrorTypes {
		errType = "other"
	}
	c.errorCounts[errType]++
}

// Snapshot is a point-in-time view of a Collector.
//
// Counts and rates cover every query since the Collector was made. Latency
// statistics (average and percentiles) cover the last LatencySamples
// queries only, the Collector's window, so a long-running process reports
// recent latency in bounded memory. Percentiles use the nearest-rank
// definition (see Percentile).
type Snapshot struct {
	QueryCount     int64            `json:"query_count"`
	SuccessCount   int64            `json:"success_count"`
	SuccessRate    float64          `json:"success_rate"` // SuccessCount / QueryCount
	ErrorRate      float64          `json:"error_rate"`   // failed queries / QueryCount (1 - SuccessRate)
	LatencySamples int              `json:"latency_samples"`
	AvgLatencyMs   float64          `json:"avg_latency_ms"`
	P50LatencyMs   float64          `json:"p50_latency_ms"`
	P95LatencyMs   float64          `json:"p95_latency_ms"`
	P99LatencyMs   float64          `json:"p99_latency_ms"`
	CacheAccesses  int64            `json:"cache_accesses"`
	CacheHits      int64            `json:"cache_hits"`
	CacheHitRate   float64          `json:"cache_hit_rate"` // CacheHits / CacheAccesses
	ErrorsByType   map[string]int64 `json:"errors_by_type"` // RecordError counts; may include attempts a retry later fixed
}

// Snapshot returns the current metrics.
func (c *Collector) Snapshot() Snapshot {
	c.mu.Lock()
	s := Snapshot{
		QueryCount:     c.queries,
		SuccessCount:   c.successes,
		LatencySamples: c.filled,
		CacheAccesses:  c.cacheTotal,
		CacheHits:      c.cacheHits,
		ErrorsByType:   make(map[string]int64, len(c.errorCounts)),
	}
	lat := slices.Clone(c.latencies[:c.filled]) // a not-yet-full ring fills from index 0
	for k, v := range c.errorCounts {
		s.ErrorsByType[k] = v
	}
	c.mu.Unlock()

	if s.QueryCount > 0 {
		s.SuccessRate = float64(s.SuccessCount) / float64(s.QueryCount)
		s.ErrorRate = float64(s.QueryCount-s.SuccessCount) / float64(s.QueryCount)
	}
	if s.CacheAccesses > 0 {
		s.CacheHitRate = float64(s.CacheHits) / float64(s.CacheAccesses)
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		var sum float64
		for _, v := range lat {
			sum += v
		}
		s.AvgLatencyMs = sum / float64(len(lat))
		s.P50LatencyMs = Percentile(lat, 50)
		s.P95LatencyMs = Percentile(lat, 95)
		s.P99LatencyMs = Percentile(lat, 99)
	}
	return s
}

// Map returns the snapshot under the metric names alert rules use
// (query_count, success_rate, avg_latency_ms, p50_latency_ms,
// p95_latency_ms, p99_latency_ms, cache_hit_rate, error_rate). A metric
// without data is left out rather than reported as 0: with no queries there
// is no success, error or latency figure, and with no cache lookups no hit
// rate, so "cache hit rate below 20%" cannot fire on a cold start.
func (s Snapshot) Map() map[string]float64 {
	m := map[string]float64{MetricQueryCount: float64(s.QueryCount)}
	if s.QueryCount > 0 {
		m[MetricSuccessRate] = s.SuccessRate
		m[MetricErrorRate] = s.ErrorRate
	}
	if s.LatencySamples > 0 {
		m[MetricAvgLatencyMs] = s.AvgLatencyMs
		m[MetricP50LatencyMs] = s.P50LatencyMs
		m[MetricP95LatencyMs] = s.P95LatencyMs
		m[MetricP99LatencyMs] = s.P99LatencyMs
	}
	if s.CacheAccesses > 0 {
		m[MetricCacheHitRate] = s.CacheHitRate
	}
	return m
}

// Percentile returns the p-th percentile (0 <= p <= 100) of sorted, which
// must be in ascending order, by the nearest-rank method: the smallest value
// such that at least p% of the values are less than or equal to it, i.e.
// sorted[ceil(p/100*n) - 1], and sorted[0] for p = 0. It returns 0 for an
// empty slice. Nearest rank always returns an observed value (no
// interpolation), so "p95 = 840ms" means some query took exactly 840ms. The
// stats package uses the same function so live and historical figures
// agree.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	// p*n/100 keeps whole-number products exact; the epsilon absorbs float
	// error in fractional p (99.9*1000 is 99900.00000000001).
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	return sorted[min(max(rank, 1), n)-1]
}
