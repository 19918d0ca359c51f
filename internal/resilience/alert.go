package resilience

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Severity is how urgent an alert is. It is a string type so that rules
// decode from YAML, JSON and viper/mapstructure without decode hooks; use
// ParseSeverity or Rule.Validate to check a decoded value.
type Severity string

// The severities, from least to most urgent.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

func (s Severity) String() string { return string(s) }

// Rank orders severities: 1 info, 2 warning, 3 critical, 0 for an invalid
// value. Compare ranks, not strings.
func (s Severity) Rank() int {
	switch v, _ := ParseSeverity(string(s)); v {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityCritical:
		return 3
	}
	return 0
}

// ParseSeverity parses "info", "warning" or "critical", ignoring case and
// surrounding space.
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case SeverityInfo, SeverityWarning, SeverityCritical:
		return v, nil
	}
	return "", fmt.Errorf("invalid severity %q (want info, warning or critical)", s)
}

// UnmarshalText parses and normalises a severity (used by JSON and YAML).
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Comparison is how a rule compares a metric with its threshold.
type Comparison string

// The comparisons: metric OP threshold.
const (
	CompareGT  Comparison = "gt"
	CompareGTE Comparison = "gte"
	CompareLT  Comparison = "lt"
	CompareLTE Comparison = "lte"
	CompareEQ  Comparison = "eq"
)

var comparisonSymbols = map[Comparison]string{
	CompareGT: ">", CompareGTE: ">=", CompareLT: "<", CompareLTE: "<=", CompareEQ: "==",
}

// ParseComparison parses gt, gte, lt, lte or eq (or >, >=, <, <=, ==),
// ignoring case and surrounding space.
func ParseComparison(s string) (Comparison, error) {
	v := Comparison(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := comparisonSymbols[v]; ok {
		return v, nil
	}
	for c, sym := range comparisonSymbols {
		if string(v) == sym {
			return c, nil
		}
	}
	return "", fmt.Errorf("invalid comparison %q (want gt, gte, lt, lte or eq)", s)
}

// UnmarshalText parses and normalises a comparison (used by JSON and YAML).
func (c *Comparison) UnmarshalText(b []byte) error {
	v, err := ParseComparison(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

func (c Comparison) String() string { return string(c) }

// Symbol returns the operator: >, >=, <, <= or ==.
func (c Comparison) Symbol() string {
	v, err := ParseComparison(string(c))
	if err != nil {
		return string(c)
	}
	return comparisonSymbols[v]
}

// eqTolerance makes eq robust to float noise in computed rates: values within
// one part in a billion of the threshold are equal.
const eqTolerance = 1e-9

// Holds reports whether value OP threshold. An invalid comparison or a NaN
// never holds.
func (c Comparison) Holds(value, threshold float64) bool {
	if math.IsNaN(value) || math.IsNaN(threshold) {
		return false
	}
	v, err := ParseComparison(string(c))
	if err != nil {
		return false
	}
	switch v {
	case CompareGT:
		return value > threshold
	case CompareGTE:
		return value >= threshold
	case CompareLT:
		return value < threshold
	case CompareLTE:
		return value <= threshold
	default: // CompareEQ
		return math.Abs(value-threshold) <= eqTolerance*math.Max(1, math.Abs(threshold))
	}
}

// Rule fires an alert when Metric Comparison Threshold holds. The tags let
// rules load from config, e.g.
//
//	alerts:
//	  - name: high_error_rate
//	    metric: error_rate
//	    threshold: 0.05
//	    comparison: gt
//	    severity: warning
//	    description: Error rate exceeds 5%
//
// Severity and comparison are matched case-insensitively; validate loaded
// rules with Validate.
type Rule struct {
	Name        string     `yaml:"name" json:"name" mapstructure:"name"`
	Metric      string     `yaml:"metric" json:"metric" mapstructure:"metric"`
	Threshold   float64    `yaml:"threshold" json:"threshold" mapstructure:"threshold"`
	Comparison  Comparison `yaml:"comparison" json:"comparison" mapstructure:"comparison"`
	Severity    Severity   `yaml:"severity" json:"severity" mapstructure:"severity"`
	Description string     `yaml:"description" json:"description" mapstructure:"description"`
}

// Validate reports every problem with r.
func (r Rule) Validate() error {
	var errs []error
	if strings.TrimSpace(r.Name) == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if strings.TrimSpace(r.Metric) == "" {
		errs = append(errs, errors.New("metric is empty"))
	}
	if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
		errs = append(errs, fmt.Errorf("threshold %v is not a finite number", r.Threshold))
	}
	if _, err := ParseComparison(string(r.Comparison)); err != nil {
		errs = append(errs, err)
	}
	if _, err := ParseSeverity(string(r.Severity)); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("alert rule %q: %w", r.Name, errors.Join(errs...))
}

// DefaultRules returns the production guide's four rules.
//
// The guide's SLA table alerts on p95 above 1000 ms, but its alerting rules,
// which these follow, use 10000 ms; the SLA check belongs to the stats
// report, not to these alerts.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "high_error_rate", Metric: MetricErrorRate, Threshold: 0.05, Comparison: CompareGT,
			Severity: SeverityWarning, Description: "Error rate exceeds 5%"},
		{Name: "high_latency_p95", Metric: MetricP95LatencyMs, Threshold: 10000, Comparison: CompareGT,
			Severity: SeverityWarning, Description: "P95 latency exceeds 10 seconds"},
		{Name: "low_cache_hit_rate", Metric: MetricCacheHitRate, Threshold: 0.20, Comparison: CompareLT,
			Severity: SeverityInfo, Description: "Cache hit rate below 20%"},
		{Name: "critical_error_rate", Metric: MetricErrorRate, Threshold: 0.20, Comparison: CompareGT,
			Severity: SeverityCritical, Description: "CRITICAL: Error rate exceeds 20%"},
	}
}

// Alert is a rule that fired.
type Alert struct {
	Rule    Rule    `json:"rule"`
	Value   float64 `json:"value"`
	Message string  `json:"message"`
}

// Evaluate returns the alerts of rules that hold for metrics, in rule order.
// A rule whose metric is absent from metrics does not fire (no data is not
// bad data), and neither does an invalid rule: validate rules when loading
// them.
func Evaluate(rules []Rule, metrics map[string]float64) []Alert {
	var alerts []Alert
	for _, r := range rules {
		v, ok := metrics[r.Metric]
		if !ok || r.Validate() != nil || !r.Comparison.Holds(v, r.Threshold) {
			continue
		}
		sev, _ := ParseSeverity(string(r.Severity))
		desc := r.Description
		if desc == "" {
			desc = r.Name
		}
		alerts = append(alerts, Alert{
			Rule:  r,
			Value: v,
			Message: fmt.Sprintf("[%s] %s: %s (%s = %g, threshold %s %g)",
				sev, r.Name, desc, r.Metric, v, r.Comparison.Symbol(), r.Threshold),
		})
	}
	return alerts
}
