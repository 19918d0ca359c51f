package resilience

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/go-viper/mapstructure/v2"
	"go.yaml.in/yaml/v3"
)

func firing(alerts []Alert) []string {
	var names []string
	for _, a := range alerts {
		names = append(names, a.Rule.Name)
	}
	return names
}

func TestDefaultRules(t *testing.T) {
	rules := DefaultRules()
	if len(rules) != 4 {
		t.Fatalf("%d default rules, want 4", len(rules))
	}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Errorf("default rule invalid: %v", err)
		}
	}
	// Each rule alone, just past, at and on the safe side of its threshold.
	// For the gt rules "just past" is above; for the lt rule, below.
	const eps = 1e-6
	tests := []struct {
		rule              string
		fire, at, safe    float64
		wantSeverity      Severity
		wantMetric        string
		wantThresholdText string
	}{
		{"high_error_rate", 0.05 + eps, 0.05, 0.04, SeverityWarning, "error_rate", "> 0.05"},
		{"high_latency_p95", 10000 + eps, 10000, 9999, SeverityWarning, "p95_latency_ms", "> 10000"},
		{"low_cache_hit_rate", 0.20 - eps, 0.20, 0.21, SeverityInfo, "cache_hit_rate", "< 0.2"},
		{"critical_error_rate", 0.20 + eps, 0.20, 0.19, SeverityCritical, "error_rate", "> 0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			i := slices.IndexFunc(rules, func(r Rule) bool { return r.Name == tt.rule })
			if i < 0 {
				t.Fatalf("no rule %q", tt.rule)
			}
			r := rules[i]
			if r.Severity != tt.wantSeverity || r.Metric != tt.wantMetric {
				t.Errorf("rule = %+v", r)
			}
			one := []Rule{r}
			alerts := Evaluate(one, map[string]float64{r.Metric: tt.fire})
			if len(alerts) != 1 {
				t.Fatalf("%s = %g: %d alerts, want 1", r.Metric, tt.fire, len(alerts))
			}
			if a := alerts[0]; a.Value != tt.fire || !strings.Contains(a.Message, tt.wantThresholdText) ||
				!strings.Contains(a.Message, string(tt.wantSeverity)) || !strings.Contains(a.Message, r.Description) {
				t.Errorf("alert = %+v", a)
			}
			for _, v := range []float64{tt.at, tt.safe} {
				if alerts := Evaluate(one, map[string]float64{r.Metric: v}); len(alerts) != 0 {
					t.Errorf("%s = %g fires %v", r.Metric, v, firing(alerts))
				}
			}
		})
	}

	// Together: an error rate of 6% is a warning, 21% also critical.
	healthy := map[string]float64{"p95_latency_ms": 800, "cache_hit_rate": 0.5}
	for _, tt := range []struct {
		errorRate float64
		want      []string
	}{
		{0.01, nil},
		{0.06, []string{"high_error_rate"}},
		{0.21, []string{"high_error_rate", "critical_error_rate"}},
	} {
		m := map[string]float64{"error_rate": tt.errorRate}
		for k, v := range healthy {
			m[k] = v
		}
		if got := firing(Evaluate(rules, m)); !slices.Equal(got, tt.want) {
			t.Errorf("error_rate %g fires %v, want %v", tt.errorRate, got, tt.want)
		}
	}
}

func TestAlertMessage(t *testing.T) {
	alerts := Evaluate(DefaultRules()[:1], map[string]float64{"error_rate": 0.07})
	want := "[warning] high_error_rate: Error rate exceeds 5% (error_rate = 0.07, threshold > 0.05)"
	if len(alerts) != 1 || alerts[0].Message != want {
		t.Errorf("alerts = %+v, want message %q", alerts, want)
	}
}

func TestComparisons(t *testing.T) {
	tests := []struct {
		c                 Comparison
		below, at, above  bool
		wantSymbol, label string
	}{
		{CompareGT, false, false, true, ">", "gt"},
		{CompareGTE, false, true, true, ">=", "gte"},
		{CompareLT, true, false, false, "<", "lt"},
		{CompareLTE, true, true, false, "<=", "lte"},
		{CompareEQ, false, true, false, "==", "eq"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			got := [3]bool{tt.c.Holds(9, 10), tt.c.Holds(10, 10), tt.c.Holds(11, 10)}
			if want := [3]bool{tt.below, tt.at, tt.above}; got != want {
				t.Errorf("9,10,11 %s 10 = %v, want %v", tt.c, got, want)
			}
			if tt.c.Symbol() != tt.wantSymbol {
				t.Errorf("Symbol = %q", tt.c.Symbol())
			}
			r := Rule{Name: "r", Metric: "m", Threshold: 10, Comparison: tt.c, Severity: SeverityInfo}
			if n := len(Evaluate([]Rule{r}, map[string]float64{"m": 11})); (n == 1) != tt.above {
				t.Errorf("Evaluate at 11: %d alerts", n)
			}
			if tt.c.Holds(math.NaN(), 10) {
				t.Error("NaN holds")
			}
		})
	}
	// eq tolerates float noise in computed rates.
	if !CompareEQ.Holds(0.1+0.2, 0.3) {
		t.Error("0.1+0.2 eq 0.3 = false")
	}
	if CompareEQ.Holds(0.3001, 0.3) {
		t.Error("0.3001 eq 0.3 = true")
	}
	if Comparison("between").Holds(1, 1) {
		t.Error("invalid comparison holds")
	}
}

func TestParseSeverityAndComparison(t *testing.T) {
	for in, want := range map[string]Severity{"info": SeverityInfo, "WARNING": SeverityWarning, " Critical ": SeverityCritical} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "warn", "fatal"} {
		if _, err := ParseSeverity(in); err == nil {
			t.Errorf("ParseSeverity(%q) accepted", in)
		}
	}
	if SeverityInfo.Rank() >= SeverityWarning.Rank() || SeverityWarning.Rank() >= SeverityCritical.Rank() || Severity("x").Rank() != 0 {
		t.Error("severity ranks out of order")
	}
	if SeverityCritical.String() != "critical" {
		t.Errorf("String = %q", SeverityCritical.String())
	}
	for in, want := range map[string]Comparison{
		"gt": CompareGT, "GTE": CompareGTE, "lt": CompareLT, "lte": CompareLTE, "eq": CompareEQ,
		">": CompareGT, ">=": CompareGTE, "<": CompareLT, "<=": CompareLTE, "==": CompareEQ,
	} {
		got, err := ParseComparison(in)
		if err != nil || got != want {
			t.Errorf("ParseComparison(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ne", "=>"} {
		if _, err := ParseComparison(in); err == nil {
			t.Errorf("ParseComparison(%q) accepted", in)
		}
	}
}

const rulesYAML = `
alerts:
  - name: slow_answers
    metric: p99_latency_ms
    threshold: 20000
    comparison: GTE
    severity: Critical
    description: P99 above 20 seconds
  - name: few_queries
    metric: query_count
    threshold: 1
    comparison: lt
    severity: info
`

func TestRulesLoadFromConfig(t *testing.T) {
	want := []Rule{
		{Name: "slow_answers", Metric: "p99_latency_ms", Threshold: 20000, Comparison: CompareGTE, Severity: SeverityCritical, Description: "P99 above 20 seconds"},
		{Name: "few_queries", Metric: "query_count", Threshold: 1, Comparison: CompareLT, Severity: SeverityInfo},
	}

	t.Run("yaml", func(t *testing.T) {
		var cfg struct {
			Alerts []Rule `yaml:"alerts"`
		}
		if err := yaml.Unmarshal([]byte(rulesYAML), &cfg); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Alerts, want) { // UnmarshalText normalises case
			t.Errorf("rules = %+v\nwant    %+v", cfg.Alerts, want)
		}
	})

	t.Run("json", func(t *testing.T) {
		var got []Rule
		in := `[{"name":"slow_answers","metric":"p99_latency_ms","threshold":20000,"comparison":">=","severity":"critical","description":"P99 above 20 seconds"},
		        {"name":"few_queries","metric":"query_count","threshold":1,"comparison":"lt","severity":"info"}]`
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("rules = %+v\nwant    %+v", got, want)
		}
		if err := json.Unmarshal([]byte(`[{"name":"x","severity":"urgent"}]`), &got); err == nil {
			t.Error("json accepted severity urgent")
		}
	})

	t.Run("mapstructure, as viper decodes", func(t *testing.T) {
		var raw map[string]any
		if err := yaml.Unmarshal([]byte(rulesYAML), &raw); err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Alerts []Rule `mapstructure:"alerts"`
		}
		if err := mapstructure.Decode(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		// No decode hook: values arrive as written, and Validate and
		// Evaluate match them case-insensitively.
		for i, r := range cfg.Alerts {
			if err := r.Validate(); err != nil {
				t.Errorf("rule %d: %v", i, err)
			}
			if r.Name != want[i].Name || r.Threshold != want[i].Threshold || !strings.EqualFold(string(r.Severity), string(want[i].Severity)) {
				t.Errorf("rule %d = %+v", i, r)
			}
		}
		alerts := Evaluate(cfg.Alerts, map[string]float64{"p99_latency_ms": 20000, "query_count": 5})
		if got := firing(alerts); !slices.Equal(got, []string{"slow_answers"}) {
			t.Errorf("fired %v, want [slow_answers]", got)
		}
		if !strings.HasPrefix(alerts[0].Message, "[critical] slow_answers") {
			t.Errorf("message %q", alerts[0].Message)
		}
	})
}

func TestRuleValidate(t *testing.T) {
	valid := Rule{Name: "r", Metric: "error_rate", Threshold: 0.1, Comparison: CompareGT, Severity: SeverityWarning}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid rule: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Rule)
		want   string
	}{
		{"empty name", func(r *Rule) { r.Name = " " }, "name is empty"},
		{"empty metric", func(r *Rule) { r.Metric = "" }, "metric is empty"},
		{"NaN threshold", func(r *Rule) { r.Threshold = math.NaN() }, "not a finite number"},
		{"infinite threshold", func(r *Rule) { r.Threshold = math.Inf(1) }, "not a finite number"},
		{"bad comparison", func(r *Rule) { r.Comparison = "above" }, `invalid comparison "above"`},
		{"missing comparison", func(r *Rule) { r.Comparison = "" }, "invalid comparison"},
		{"bad severity", func(r *Rule) { r.Severity = "page" }, `invalid severity "page"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.mutate(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.want)
			}
			// An invalid rule never fires.
			if alerts := Evaluate([]Rule{r}, map[string]float64{r.Metric: 1e9, "": 1e9}); len(alerts) != 0 {
				t.Errorf("invalid rule fired: %v", alerts)
			}
		})
	}
	// Every problem is reported at once.
	err := Rule{}.Validate()
	for _, want := range []string{"name is empty", "metric is empty", "invalid comparison", "invalid severity"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("zero rule: %v lacks %q", err, want)
		}
	}
}

func TestEvaluateAbsentMetric(t *testing.T) {
	if alerts := Evaluate(DefaultRules(), map[string]float64{"query_count": 10}); len(alerts) != 0 {
		t.Errorf("rules on absent metrics fired: %v", firing(alerts))
	}
	if alerts := Evaluate(nil, map[string]float64{"error_rate": 1}); alerts != nil {
		t.Errorf("no rules fired %v", alerts)
	}
}
