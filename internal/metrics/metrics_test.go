package metrics_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/metrics"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/service"
)

type fakeIndex struct{}

func (fakeIndex) IndexGauges(context.Context) (int64, int64, time.Time, error) {
	return 1200, 40, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), nil
}

// exercised returns metrics that have seen one of everything.
func exercised() *metrics.Metrics {
	now := func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) }
	m := metrics.New(metrics.Options{Now: now, Index: fakeIndex{}, QueryLogDropped: func() int64 { return 0 }})
	m.ObserveQuery(service.QueryEvent{Face: service.FaceHTTP, Command: service.CommandSearch, Tier: quality.Good,
		LatencyMS: 4, Stages: ask.Stages{RetrieveMS: 3, GradeMS: 0.1}, CacheLookup: true})
	m.ObserveQuery(service.QueryEvent{Face: service.FaceMCP, Command: service.CommandQuery, Tier: quality.Weak,
		LatencyMS: 900, Stages: ask.Stages{RetrieveMS: 3, GradeMS: 0.1, AnswerMS: 890}, CacheLookup: true, CacheHit: true})
	m.ObserveQuery(service.QueryEvent{Face: service.FaceHTTP, Command: service.CommandQuery, ErrorType: "invalid_query", LatencyMS: 0.1})
	m.ObserveIndex(service.IndexEvent{Trigger: service.TriggerWatch, Status: "done", DurationMS: 120})
	m.ObserveRequest("/v1/search", 200, 5*time.Millisecond)
	m.InFlight(1)
	m.Attempt("openai", "ok")
	m.Attempt("openai", "http_429")
	m.Retry("openai")
	m.RateLimitWait("openai", 250*time.Millisecond)
	m.BreakerState("openai", resilience.BreakerOpen)
	return m
}

// scrape serves the metrics on loopback and parses the text format.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics are not valid Prometheus text: %v", err)
	}
	return fams
}

func TestMetricsText(t *testing.T) {
	fams := scrape(t, exercised())
	want := map[string]dto.MetricType{
		"aur_queries_total":                     dto.MetricType_COUNTER,
		"aur_query_errors_total":                dto.MetricType_COUNTER,
		"aur_query_duration_seconds":            dto.MetricType_HISTOGRAM,
		"aur_query_stage_duration_seconds":      dto.MetricType_HISTOGRAM,
		"aur_cache_requests_total":              dto.MetricType_COUNTER,
		"aur_llm_requests_total":                dto.MetricType_COUNTER,
		"aur_llm_retries_total":                 dto.MetricType_COUNTER,
		"aur_llm_rate_limit_waits_total":        dto.MetricType_COUNTER,
		"aur_llm_rate_limit_wait_seconds_total": dto.MetricType_COUNTER,
		"aur_llm_breaker_state":                 dto.MetricType_GAUGE,
		"aur_index_chunks":                      dto.MetricType_GAUGE,
		"aur_index_files":                       dto.MetricType_GAUGE,
		"aur_index_age_seconds":                 dto.MetricType_GAUGE,
		"aur_index_up":                          dto.MetricType_GAUGE,
		"aur_index_runs_total":                  dto.MetricType_COUNTER,
		"aur_index_run_duration_seconds":        dto.MetricType_HISTOGRAM,
		"aur_http_requests_total":               dto.MetricType_COUNTER,
		"aur_http_request_duration_seconds":     dto.MetricType_HISTOGRAM,
		"aur_http_requests_in_flight":           dto.MetricType_GAUGE,
		"aur_query_log_dropped_total":           dto.MetricType_COUNTER,
	}
	for name, typ := range want {
		f, ok := fams[name]
		if !ok {
			t.Errorf("%s is not exported", name)
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is a %v, want %v", name, f.GetType(), typ)
		}
	}
	for name, f := range fams {
		if !strings.HasPrefix(name, "aur_") {
			t.Errorf("%s lacks the aur_ prefix", name)
		}
		if f.GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
	}
	value := func(name string, labels map[string]string) float64 {
		for _, m := range fams[name].GetMetric() {
			ok := true
			for _, lp := range m.GetLabel() {
				if v, in := labels[lp.GetName()]; in && v != lp.GetValue() {
					ok = false
				}
			}
			if ok {
				switch {
				case m.Counter != nil:
					return m.GetCounter().GetValue()
				case m.Gauge != nil:
					return m.GetGauge().GetValue()
				case m.Histogram != nil:
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
		t.Fatalf("%s%v not found", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"aur_queries_total", map[string]string{"face": "http", "command": "search", "tier": "good"}, 1},
		{"aur_queries_total", map[string]string{"face": "mcp", "command": "query", "tier": "weak"}, 1},
		{"aur_queries_total", map[string]string{"face": "http", "command": "query", "tier": "none"}, 1},
		{"aur_query_errors_total", map[string]string{"face": "http", "type": "invalid_query"}, 1},
		{"aur_cache_requests_total", map[string]string{"result": "hit"}, 1},
		{"aur_cache_requests_total", map[string]string{"result": "miss"}, 1},
		{"aur_query_stage_duration_seconds", map[string]string{"stage": "answer"}, 1},
		{"aur_query_stage_duration_seconds", map[string]string{"stage": "retrieve"}, 2},
		{"aur_llm_requests_total", map[string]string{"provider": "openai", "outcome": "http_429"}, 1},
		{"aur_llm_breaker_state", map[string]string{"provider": "openai"}, 2},
		{"aur_index_chunks", nil, 1200},
		{"aur_index_age_seconds", nil, 3600},
		{"aur_index_runs_total", map[string]string{"trigger": "watch", "status": "done"}, 1},
		{"aur_llm_rate_limit_wait_seconds_total", map[string]string{"provider": "openai"}, 0.25},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %g, want %g", c.name, c.labels, got, c.want)
		}
	}
}

// metricRef finds the metric names a PromQL expression uses.
var metricRef = regexp.MustCompile(`\baur_[a-z0-9_]+`)

// exported returns the names a scrape can show: each family, and a
// histogram's _bucket, _sum and _count series.
func exported(t *testing.T) map[string]bool {
	names := map[string]bool{}
	for name, f := range scrape(t, exercised()) {
		names[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[name+s] = true
			}
		}
	}
	return names
}

func checkRefs(t *testing.T, file string, exprs []string, names map[string]bool) {
	t.Helper()
	if len(exprs) == 0 {
		t.Fatalf("%s: no expressions found", file)
	}
	seen := map[string]bool{}
	for _, e := range exprs {
		for _, ref := range metricRef.FindAllString(e, -1) {
			seen[ref] = true
			if !names[ref] {
				t.Errorf("%s uses %s, which aur does not export (in %q)", file, ref, e)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatalf("%s names no aur metric", file)
	}
	var list []string
	for n := range seen {
		list = append(list, n)
	}
	sort.Strings(list)
	t.Logf("%s uses %s", file, strings.Join(list, ", "))
}

// TestDeployFilesNameExportedMetrics loads the Grafana dashboard and the
// Prometheus alert rules in deploy/ and checks that every metric they
// name is exported.
func TestDeployFilesNameExportedMetrics(t *testing.T) {
	names := exported(t)

	b, err := os.ReadFile("../../deploy/grafana/aur.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("aur.json: %v", err)
	}
	var exprs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "expr" {
					exprs = append(exprs, s)
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var all any
	_ = json.Unmarshal(b, &all)
	walk(all)
	checkRefs(t, "deploy/grafana/aur.json", exprs, names)

	fh, err := os.Open("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	yb, _ := io.ReadAll(fh)
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string            `yaml:"alert"`
				Expr   string            `yaml:"expr"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(yb, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	exprs = nil
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
			alerts[r.Alert] = true
			if r.Labels["severity"] == "" {
				t.Errorf("alert %s has no severity", r.Alert)
			}
		}
	}
	checkRefs(t, "deploy/prometheus/alerts.yml", exprs, names)
	// The guide's rules.
	for _, a := range []string{"AurHighErrorRate", "AurHighLatencyP95", "AurLowCacheHitRate", "AurHighNoMatchRate", "AurLowGoodMatchRate"} {
		if !alerts[a] {
			t.Errorf("alerts.yml lacks %s", a)
		}
	}
}
