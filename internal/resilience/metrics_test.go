package resilience

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestCollectorExactNumbers(t *testing.T) {
	c := NewCollector(0)
	// 100 queries with latencies 1..100 ms, recorded in shuffled order; the
	// ones at 91..100 ms failed.
	order := rand.New(rand.NewPCG(1, 2)).Perm(100)
	for _, i := range order {
		latency := ms(i + 1)
		c.RecordQuery(latency, i+1 <= 90)
	}
	for i := range 10 {
		c.RecordCache(i < 3)
	}
	c.RecordError("timeout")
	c.RecordError("timeout")
	c.RecordError("http_503")

	s := c.Snapshot()
	// Nearest rank over n = 100 sorted values 1..100: the p-th percentile is
	// the value at rank ceil(p/100 * 100) = p, i.e. p itself.
	want := map[string]float64{
		MetricQueryCount:   100,
		MetricSuccessRate:  0.9,
		MetricErrorRate:    0.1,
		MetricAvgLatencyMs: 50.5, // (1 + 100) / 2
		MetricP50LatencyMs: 50,
		MetricP95LatencyMs: 95,
		MetricP99LatencyMs: 99,
		MetricCacheHitRate: 0.3,
	}
	if got := s.Map(); !maps.Equal(got, want) {
		t.Errorf("Map() = %v\nwant    %v", got, want)
	}
	if s.QueryCount != 100 || s.SuccessCount != 90 || s.LatencySamples != 100 || s.CacheAccesses != 10 || s.CacheHits != 3 {
		t.Errorf("counts = %+v", s)
	}
	if wantErr := map[string]int64{"timeout": 2, "http_503": 1}; !maps.Equal(s.ErrorsByType, wantErr) {
		t.Errorf("ErrorsByType = %v, want %v", s.ErrorsByType, wantErr)
	}
}

func TestCollectorOddSample(t *testing.T) {
	c := NewCollector(0)
	// 7 latencies: 10, 20, ..., 70 ms. Nearest rank: p50 -> rank ceil(3.5) =
	// 4 -> 40; p95 -> ceil(6.65) = 7 -> 70; p99 -> 7 -> 70.
	for i := 7; i >= 1; i-- {
		c.RecordQuery(ms(10*i), true)
	}
	s := c.Snapshot()
	if s.P50LatencyMs != 40 || s.P95LatencyMs != 70 || s.P99LatencyMs != 70 || s.AvgLatencyMs != 40 {
		t.Errorf("p50 %g p95 %g p99 %g avg %g, want 40 70 70 40", s.P50LatencyMs, s.P95LatencyMs, s.P99LatencyMs, s.AvgLatencyMs)
	}
	c2 := NewCollector(0)
	c2.RecordQuery(1500*time.Microsecond, true)
	if got := c2.Snapshot().AvgLatencyMs; got != 1.5 {
		t.Errorf("1.5ms recorded as %gms", got)
	}
}

func TestPercentile(t *testing.T) {
	seq := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = float64(i + 1)
		}
		return s
	}
	tests := []struct {
		sorted []float64
		p      float64
		want   float64
	}{
		{nil, 50, 0},
		{[]float64{7}, 0, 7},
		{[]float64{7}, 99, 7},
		{[]float64{1, 2, 3, 4}, 50, 2},  // rank ceil(2) = 2
		{[]float64{1, 2, 3, 4}, 51, 3},  // rank ceil(2.04) = 3
		{[]float64{1, 2, 3, 4}, 0, 1},   // minimum
		{[]float64{1, 2, 3, 4}, 100, 4}, // maximum
		{seq(10), 95, 10},               // rank ceil(9.5) = 10
		{seq(10), 90, 9},                // rank 9 exactly
		{seq(20), 95, 19},               // rank 19 exactly
		{seq(1000), 99.9, 999},          // 99.9*1000/100 is 999.0000000000001 in floats
		{seq(1000), 0.1, 1},
		{seq(3), 33.34, 2}, // rank ceil(1.0002) = 2
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(n=%d, %g) = %g, want %g", len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

func TestCollectorBoundedMemory(t *testing.T) {
	c := NewCollector(100)
	for i := 1; i <= 1000; i++ {
		c.RecordQuery(ms(i), true)
	}
	if n := len(c.latencies); n != 100 {
		t.Fatalf("ring holds %d slots, want 100", n)
	}
	s := c.Snapshot()
	// Latency statistics cover the last 100 queries: 901..1000 ms.
	if s.QueryCount != 1000 || s.LatencySamples != 100 {
		t.Errorf("QueryCount %d LatencySamples %d, want 1000 and 100", s.QueryCount, s.LatencySamples)
	}
	if s.P50LatencyMs != 950 || s.P99LatencyMs != 999 || s.AvgLatencyMs != 950.5 {
		t.Errorf("p50 %g p99 %g avg %g, want 950 999 950.5", s.P50LatencyMs, s.P99LatencyMs, s.AvgLatencyMs)
	}

	for i := range 1000 {
		c.RecordError(fmt.Sprintf("type_%d", i))
	}
	s = c.Snapshot()
	var total int64
	for _, n := range s.ErrorsByType {
		total += n
	}
	if len(s.ErrorsByType) > maxErrorTypes+1 || total != 1000 || s.ErrorsByType["other"] != 1000-maxErrorTypes {
		t.Errorf("%d error types, total %d, other %d; want <= %d types, every error counted",
			len(s.ErrorsByType), total, s.ErrorsByType["other"], maxErrorTypes+1)
	}
	if NewCollector(-1).Snapshot().LatencySamples != 0 || len(NewCollector(-1).latencies) != DefaultLatencyWindow {
		t.Error("window <= 0 should mean DefaultLatencyWindow")
	}
}

func TestCollectorEmpty(t *testing.T) {
	got := NewCollector(0).Snapshot().Map()
	if want := map[string]float64{MetricQueryCount: 0}; !maps.Equal(got, want) {
		t.Errorf("empty Map() = %v, want only query_count (no data is not zero)", got)
	}
	if alerts := Evaluate(DefaultRules(), got); len(alerts) != 0 {
		t.Errorf("empty metrics fire %v", alerts)
	}
}

func TestCollectorConcurrent(t *testing.T) {
	const (
		workers = 16
		each    = 1000
	)
	c := NewCollector(500)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				c.RecordQuery(ms(i%100+1), i%10 != 0)
				c.RecordCache(i%4 == 0)
				c.RecordError(fmt.Sprintf("e%d", w%3))
				if i%100 == 0 {
					_ = c.Snapshot().Map()
				}
			}
		})
	}
	wg.Wait()
	s := c.Snapshot()
	if s.QueryCount != workers*each || s.SuccessCount != workers*each*9/10 {
		t.Errorf("QueryCount %d SuccessCount %d", s.QueryCount, s.SuccessCount)
	}
	if s.CacheAccesses != workers*each || s.CacheHitRate != 0.25 {
		t.Errorf("CacheAccesses %d CacheHitRate %g", s.CacheAccesses, s.CacheHitRate)
	}
	if s.LatencySamples != 500 {
		t.Errorf("LatencySamples %d, want the window 500", s.LatencySamples)
	}
	var total int64
	for _, n := range s.ErrorsByType {
		total += n
	}
	if total != workers*each {
		t.Errorf("errors counted %d, want %d", total, workers*each)
	}
}
