// Package metrics exports what aur's long-running faces do as Prometheus
// metrics (client_golang), for the Grafana dashboard and the alert rules
// in deploy/. It implements the observers of the layers it watches
// (service.Observer, server.Observer, resilience.Observer), so none of
// them imports Prometheus.
//
// Names follow Prometheus conventions: the aur_ prefix, base units in the
// name (_seconds), counters ending in _total, and labels with bounded
// values only: face (cli, http, mcp), command (query, search), tier
// (good, weak, no_match, none), error type labels (resilience.ErrorType:
// http_NNN, timeout, breaker_open, ...), provider, route (the fixed
// endpoint patterns), HTTP status code. Never a query text or a path.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/service"
)

// Namespace prefixes every metric.
const Namespace = "aur"

// LatencyBuckets are the query latency histogram's bucket bounds, in
// seconds: fine below 100 ms, where retrieval lives, up to the guide's
// 10 s alert threshold and past it for LLM answers.
var LatencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// IndexSource reads the index gauges at scrape time.
type IndexSource interface {
	// IndexGauges returns the chunks and files in the index and the time
	// of the last finished index run (zero if never).
	IndexGauges(ctx context.Context) (chunks, files int64, last time.Time, err error)
}

// Metrics holds aur's collectors in a registry of its own (not the
// global one, so tests can make several).
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time

	queries      *prometheus.CounterVec
	queryErrors  *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	stages       *prometheus.HistogramVec
	cache        *prometheus.CounterVec
	llmRequests  *prometheus.CounterVec
	llmRetries   *prometheus.CounterVec
	rateWaits    *prometheus.CounterVec
	rateWaitSecs *prometheus.CounterVec
	breaker      *prometheus.GaugeVec
	indexRuns    *prometheus.CounterVec
	indexSecs    *prometheus.HistogramVec
	httpRequests *prometheus.CounterVec
	httpSecs     *prometheus.HistogramVec
	inFlight     prometheus.Gauge
}

// Options configure New.
type Options struct {
	// Index, if set, feeds aur_index_chunks, aur_index_files and
	// aur_index_age_seconds.
	Index IndexSource
	// QueryLogDropped, if set, feeds aur_query_log_dropped_total.
	QueryLogDropped func() int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Process adds the Go runtime and process collectors.
	Process bool
}

// New registers aur's metrics in a new registry.
func New(opts Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), now: opts.Now}
	if m.now == nil {
		m.now = time.Now
	}
	f := func(name string) string { return prometheus.BuildFQName(Namespace, "", name) }
	m.queries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("queries_total"),
		Help: "Questions answered, by face, command and retrieval tier (none: failed before grading)."},
		[]string{"face", "command", "tier"})
	m.queryErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("query_errors_total"),
		Help: "Questions that failed, by face and error type (invalid_request, invalid_query, or the LLM's or store's error label)."},
		[]string{"face", "type"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: f("query_duration_seconds"),
		Help: "Question latency, validation to record.", Buckets: LatencyBuckets}, []string{"face", "command"})
	m.stages = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: f("query_stage_duration_seconds"),
		Help: "Time spent in each stage of a question: retrieve, grade, answer.", Buckets: LatencyBuckets}, []string{"stage"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("cache_requests_total"),
		Help: "Query cache lookups, by result (hit or miss)."}, []string{"result"})
	m.llmRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("llm_requests_total"),
		Help: "Requests to the LLM provider (each attempt), by provider and outcome (ok, http_429, timeout, breaker_open, ...)."},
		[]string{"provider", "outcome"})
	m.llmRetries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("llm_retries_total"),
		Help: "Attempts after the first of an LLM call."}, []string{"provider"})
	m.rateWaits = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("llm_rate_limit_waits_total"),
		Help: "Waits for a rate-limit slot before an LLM request."}, []string{"provider"})
	m.rateWaitSecs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("llm_rate_limit_wait_seconds_total"),
		Help: "Time spent waiting for rate-limit slots."}, []string{"provider"})
	m.breaker = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: f("llm_breaker_state"),
		Help: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open."}, []string{"provider"})
	m.indexRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("index_runs_total"),
		Help: "Index runs of this process, by trigger (api, watch) and status (done, failed, interrupted)."},
		[]string{"trigger", "status"})
	m.indexSecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: f("index_run_duration_seconds"),
		Help:    "Index run duration.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}}, []string{"trigger"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: f("http_requests_total"),
		Help: "HTTP requests, by route and status code."}, []string{"route", "code"})
	m.httpSecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: f("http_request_duration_seconds"),
		Help: "HTTP request latency, by route.", Buckets: LatencyBuckets}, []string{"route"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: f("http_requests_in_flight"),
		Help: "API requests being served."})
	m.reg.MustRegister(m.queries, m.queryErrors, m.latency, m.stages, m.cache, m.llmRequests, m.llmRetries,
		m.rateWaits, m.rateWaitSecs, m.breaker, m.indexRuns, m.indexSecs, m.httpRequests, m.httpSecs, m.inFlight)
	if opts.Index != nil {
		m.WatchIndex(opts.Index)
	}
	if opts.QueryLogDropped != nil {
		m.WatchQueryLog(opts.QueryLogDropped)
	}
	if opts.Process {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	// Known label values start at zero, so rates and ratios exist before
	// the first event (a hit rate with no hits yet is 0, not absent).
	for _, r := range []string{"hit", "miss"} {
		m.cache.WithLabelValues(r)
	}
	for _, face := range []string{service.FaceHTTP, service.FaceMCP} {
		for _, c := range []string{service.CommandQuery, service.CommandSearch} {
			for _, t := range []string{"good", "weak", "no_match", "none"} {
				m.queries.WithLabelValues(face, c, t)
			}
			m.latency.WithLabelValues(face, c)
		}
	}
	for _, s := range []string{"retrieve", "grade", "answer"} {
		m.stages.WithLabelValues(s)
	}
	return m
}

// WatchIndex registers aur_index_chunks, aur_index_files,
// aur_index_age_seconds and aur_index_up, read from src at each scrape.
// Call it once.
func (m *Metrics) WatchIndex(src IndexSource) {
	f := func(name string) string { return prometheus.BuildFQName(Namespace, "", name) }
	m.reg.MustRegister(&indexCollector{src: src, now: m.now,
		chunks: prometheus.NewDesc(f("index_chunks"), "Chunks in the index.", nil, nil),
		files:  prometheus.NewDesc(f("index_files"), "Files in the index.", nil, nil),
		age:    prometheus.NewDesc(f("index_age_seconds"), "Seconds since the last finished index run (absent if never).", nil, nil),
		up:     prometheus.NewDesc(f("index_up"), "1 when the index could be read at this scrape, 0 if not.", nil, nil),
	})
}

// WatchQueryLog registers aur_query_log_dropped_total, read from dropped.
func (m *Metrics) WatchQueryLog(dropped func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: prometheus.BuildFQName(Namespace, "", "query_log_dropped_total"),
		Help: "Query records dropped because the query log's queue was full."},
		func() float64 { return float64(dropped()) }))
}

// Registry returns the registry, for tests and for extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveQuery implements service.Observer.
func (m *Metrics) ObserveQuery(e service.QueryEvent) {
	tier := string(e.Tier)
	if tier == "" {
		tier = "none"
	}
	m.queries.WithLabelValues(e.Face, e.Command, tier).Inc()
	if e.ErrorType != "" {
		m.queryErrors.WithLabelValues(e.Face, e.ErrorType).Inc()
	}
	m.latency.WithLabelValues(e.Face, e.Command).Observe(e.LatencyMS / 1000)
	if e.Tier != "" {
		m.stages.WithLabelValues("retrieve").Observe(e.Stages.RetrieveMS / 1000)
		m.stages.WithLabelValues("grade").Observe(e.Stages.GradeMS / 1000)
		if e.Command == service.CommandQuery {
			m.stages.WithLabelValues("answer").Observe(e.Stages.AnswerMS / 1000)
		}
	}
	if e.CacheLookup && e.Tier != "" {
		if e.CacheHit {
			m.cache.WithLabelValues("hit").Inc()
		} else {
			m.cache.WithLabelValues("miss").Inc()
		}
	}
}

// ObserveIndex implements service.Observer.
func (m *Metrics) ObserveIndex(e service.IndexEvent) {
	m.indexRuns.WithLabelValues(e.Trigger, e.Status).Inc()
	m.indexSecs.WithLabelValues(e.Trigger).Observe(e.DurationMS / 1000)
}

// ObserveRequest implements server.Observer.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.httpRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.httpSecs.WithLabelValues(route).Observe(d.Seconds())
}

// InFlight implements server.Observer.
func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

// Attempt implements resilience.Observer.
func (m *Metrics) Attempt(provider, outcome string) {
	m.llmRequests.WithLabelValues(provider, outcome).Inc()
}

// Retry implements resilience.Observer.
func (m *Metrics) Retry(provider string) { m.llmRetries.WithLabelValues(provider).Inc() }

// RateLimitWait implements resilience.Observer.
func (m *Metrics) RateLimitWait(provider string, d time.Duration) {
	m.rateWaits.WithLabelValues(provider).Inc()
	m.rateWaitSecs.WithLabelValues(provider).Add(d.Seconds())
}

// BreakerState implements resilience.Observer.
func (m *Metrics) BreakerState(provider string, s resilience.BreakerState) {
	v := 0.0
	switch s {
	case resilience.BreakerHalfOpen:
		v = 1
	case resilience.BreakerOpen:
		v = 2
	}
	m.breaker.WithLabelValues(provider).Set(v)
}

var _ resilience.Observer = (*Metrics)(nil)
var _ service.Observer = (*Metrics)(nil)

// indexCollector reads the index gauges at scrape time, so they are never
// stale (another process may index the same database).
type indexCollector struct {
	src                    IndexSource
	now                    func() time.Time
	chunks, files, age, up *prometheus.Desc
}

func (c *indexCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.chunks
	ch <- c.files
	ch <- c.age
	ch <- c.up
}

func (c *indexCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	chunks, files, last, err := c.src.IndexGauges(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.chunks, prometheus.GaugeValue, float64(chunks))
	ch <- prometheus.MustNewConstMetric(c.files, prometheus.GaugeValue, float64(files))
	if !last.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, c.now().Sub(last).Seconds())
	}
}
