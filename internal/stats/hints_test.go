package stats

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHints checks each hint at its target: just inside (no hint), at the
// boundary and beyond (hint).
func TestHints(t *testing.T) {
	const (
		noMatch  = "no-match rate %s ≥ 10%%: check indexing coverage with 'aur mem stats' and re-index with 'aur mem index'"
		weak     = "weak-match rate %s ≥ 20%%: consider lowering AURORA_ACTIVATION_THRESHOLD (e.g. 0.3 to 0.25)"
		good     = "good-match rate %s ≤ 70%%: retrieval is below target; below 50%% the index is degraded: re-index with 'aur mem index'"
		rejected = "users rejected %s of weak matches (start anew or start over) > 60%%: consider raising AURORA_GROUNDEDNESS_THRESHOLD (e.g. 0.7 to 0.75)"
		cont     = "users continued anyway on %s of weak matches > 80%%: consider lowering AURORA_GROUNDEDNESS_THRESHOLD (e.g. 0.7 to 0.65)"
	)
	f := func(format, pct string) string { return fmt.Sprintf(format, pct) }
	for _, tc := range []struct {
		name string
		seed []string
		want []string
	}{
		{"all on target", []string{"9 tier=no_match", "19 tier=weak", "72"}, []string{}},
		{"no match at 10%", []string{"10 tier=no_match", "19 tier=weak", "71"}, []string{f(noMatch, "10.0%")}},
		{"weak at 20%", []string{"9 tier=no_match", "20 tier=weak", "71"}, []string{f(weak, "20.0%")}},
		{"good at 70%", []string{"9 tier=no_match", "21 tier=weak", "70"}, []string{f(weak, "21.0%"), f(good, "70.0%")}},
		{"rejected 60% of prompted", []string{"3 tier=weak choice=start_anew", "3 tier=weak choice=start_over", "4 tier=weak choice=continue", "90"}, []string{}},
		{"rejected 61% of prompted", []string{"30 tier=weak choice=start_anew", "31 tier=weak choice=start_over", "39 tier=weak choice=continue", "900"},
			[]string{f(rejected, "61.0%")}},
		{"continued 80% of prompted", []string{"8 tier=weak choice=continue", "2 tier=weak choice=start_over", "90"}, []string{}},
		{"continued 81% of prompted", []string{"81 tier=weak choice=continue", "19 tier=weak choice=start_over", "900"}, []string{f(cont, "81.0%")}},
		{"not prompted weak matches carry no choice hint", []string{"10 tier=weak choice=none", "90"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summarize(t, seed(t, tc.seed...), week(t))
			if diff := cmp.Diff(tc.want, s.Retrieval.Hints); diff != "" {
				t.Errorf("hints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetStrings(t *testing.T) {
	for _, tc := range []struct {
		t            Target
		str, missing string
	}{
		{NoMatchTarget, "< 10%", "≥ 10%"},
		{GoodMatchTarget, "> 70%", "≤ 70%"},
		{AvailabilityTarget, "≥ 99.9%", "< 99.9%"},
	} {
		if got := tc.t.String(); got != tc.str {
			t.Errorf("String = %q, want %q", got, tc.str)
		}
		if got := tc.t.Missed(); got != tc.missing {
			t.Errorf("Missed = %q, want %q", got, tc.missing)
		}
	}
	if got := Count(1234567); got != "1,234,567" {
		t.Errorf("Count = %q", got)
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234: "-1,234"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
