package stats

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aurora-dev/aur/internal/resilience"
)

func firedNames(r *AlertReport) []string {
	var names []string
	for _, a := range r.Alerts {
		names = append(names, a.Rule.Name)
	}
	slices.Sort(names)
	return names
}

// TestAlertThresholds seeds 100 queries per case so each rate is a whole
// percent, and checks each default rule just below, at and just above its
// threshold. Cache hits are on unless a case is about them, so the info
// rule low_cache_hit_rate stays quiet.
func TestAlertThresholds(t *testing.T) {
	for _, tc := range []struct {
		name string
		seed []string
		want []string // fired rules, sorted
	}{
		// no_match_rate > 20% warns.
		{"no match 19%", []string{"19 tier=no_match cache=1", "81 cache=1"}, nil},
		{"no match 20%", []string{"20 tier=no_match cache=1", "80 cache=1"}, nil},
		{"no match 21%", []string{"21 tier=no_match cache=1", "79 cache=1"}, []string{"high_no_match_rate"}},
		// weak_match_rate > 50% warns; good_match_rate < 50% is critical.
		// With only weak and good, they cross together.
		{"weak 49%", []string{"49 tier=weak cache=1", "51 cache=1"}, nil},
		{"weak 50%", []string{"50 tier=weak cache=1", "50 cache=1"}, nil},
		{"weak 51%", []string{"51 tier=weak cache=1", "49 cache=1"}, []string{"high_weak_match_rate", "low_good_match_rate"}},
		// good_match_rate alone: the rest no match (which warns itself
		// above 20%, so 30 no match with 20 weak keeps weak below 50%).
		{"good 51%", []string{"51 cache=1", "29 tier=weak cache=1", "20 tier=no_match cache=1"}, nil},
		{"good 50%", []string{"50 cache=1", "30 tier=weak cache=1", "20 tier=no_match cache=1"}, nil},
		{"good 49%", []string{"49 cache=1", "31 tier=weak cache=1", "20 tier=no_match cache=1"}, []string{"low_good_match_rate"}},
		// error_rate > 5% warns, > 20% is critical.
		{"errors 4%", []string{"4 err=timeout cache=1", "96 cache=1"}, nil},
		{"errors 5%", []string{"5 err=timeout cache=1", "95 cache=1"}, nil},
		{"errors 6%", []string{"6 err=timeout cache=1", "94 cache=1"}, []string{"high_error_rate"}},
		{"errors 19%", []string{"19 err=timeout cache=1", "81 cache=1"}, []string{"high_error_rate"}},
		{"errors 20%", []string{"20 err=timeout cache=1", "80 cache=1"}, []string{"high_error_rate"}},
		{"errors 21%", []string{"21 err=timeout cache=1", "79 cache=1"}, []string{"critical_error_rate", "high_error_rate"}},
		// p95_latency_ms > 10000 warns; of 100 queries p95 is the 95th.
		{"p95 just below 10 s", []string{"94 latency=100 cache=1", "6 latency=9999.999 cache=1"}, nil},
		{"p95 at 10 s", []string{"94 latency=100 cache=1", "6 latency=10000 cache=1"}, nil},
		{"p95 just above 10 s", []string{"94 latency=100 cache=1", "6 latency=10000.001 cache=1"}, []string{"high_latency_p95"}},
		{"p99 slow, p95 not", []string{"95 latency=100 cache=1", "5 latency=60000 cache=1"}, nil},
		// cache_hit_rate < 20% informs.
		{"cache 19%", []string{"19 cache=1", "81"}, []string{"low_cache_hit_rate"}},
		{"cache 20%", []string{"20 cache=1", "80"}, nil},
		{"cache 21%", []string{"21 cache=1", "79"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summarize(t, seed(t, tc.seed...), week(t))
			r := CheckAlerts(s, DefaultRules(), resilience.SeverityCritical)
			if diff := cmp.Diff(tc.want, firedNames(r)); diff != "" {
				t.Errorf("fired (-want +got):\n%s\nmetrics: %v", diff, r.Metrics)
			}
		})
	}
}

func TestCheckAlertsOrderAndGate(t *testing.T) {
	// 30% errors (warning and critical), no cache hits (info), and the
	// graded rest all good.
	s := summarize(t, seed(t, "30 err=timeout", "70"), week(t))
	for _, tc := range []struct {
		fail resilience.Severity
		want int
	}{{resilience.SeverityCritical, 1}, {resilience.SeverityWarning, 2}, {resilience.SeverityInfo, 3}} {
		r := CheckAlerts(s, DefaultRules(), tc.fail)
		if r.Failing != tc.want {
			t.Errorf("fail at %s: failing %d, want %d", tc.fail, r.Failing, tc.want)
		}
		var order []string
		for _, a := range r.Alerts {
			order = append(order, a.Rule.Name)
		}
		// Most severe first, then rule order.
		if want := []string{"critical_error_rate", "high_error_rate", "low_cache_hit_rate"}; !slices.Equal(order, want) {
			t.Errorf("order %v, want %v", order, want)
		}
	}
}

func TestMergeRules(t *testing.T) {
	extra := []resilience.Rule{
		{Name: "high_error_rate", Metric: "error_rate", Threshold: 0.02, Comparison: "gt", Severity: "warning", Description: "Error rate exceeds 2%"},
		{Name: "low_groundedness", Metric: MetricAvgGroundedness, Threshold: 0.5, Comparison: "lt", Severity: "warning"},
	}
	rules := MergeRules(DefaultRules(), extra)
	if len(rules) != len(DefaultRules())+1 {
		t.Fatalf("%d rules, want %d", len(rules), len(DefaultRules())+1)
	}
	if rules[0] != extra[0] {
		t.Errorf("high_error_rate not replaced in place: %+v", rules[0])
	}
	if rules[len(rules)-1] != extra[1] {
		t.Errorf("new rule not appended: %+v", rules[len(rules)-1])
	}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
	}
	// 3% errors and groundedness 0.4 fire both configured rules.
	s := summarize(t, seed(t, "3 err=timeout cache=1", "97 g=0.4 hq=5 cache=1"), week(t))
	if got := firedNames(CheckAlerts(s, rules, resilience.SeverityCritical)); !slices.Equal(got, []string{"high_error_rate", "low_groundedness"}) {
		t.Errorf("fired %v", got)
	}
}
