package stats

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Thresholds of the weak-match choice hints (production guide, Monitoring
// Recommendations): most users rejecting weak matches, or most waving them
// through, says the groundedness threshold is off.
const (
	RejectedChoicesHint = 0.60 // start anew + start over, of the prompted
	ContinueChoiceHint  = 0.80 // continue anyway, of the prompted
)

// Hints returns one line of advice per retrieval figure out of its target,
// following the production guide's tuning sections.
//
// The guide contradicts itself on the choices: its monitoring list says to
// lower the groundedness threshold when users mostly start anew or over,
// and to raise it when they mostly continue, while its tuning and
// troubleshooting sections say the opposite. The hints follow the tuning
// sections, which also match the mechanics: users waving weak matches
// through means matches flagged weak were good enough (lower the
// threshold, fewer prompts); users rejecting them means ungrounded matches
// are common (raise it, so fewer of them pass as good).
func Hints(rq *RetrievalQuality) []string {
	hints := []string{}
	if rq.TotalQueries == 0 {
		return hints
	}
	if !rq.NoMatch.Target.Met(rq.NoMatch.Rate) {
		hints = append(hints, fmt.Sprintf("no-match rate %s %s: check indexing coverage with 'aur mem stats' and re-index with 'aur mem index'",
			Percent(rq.NoMatch.Rate), rq.NoMatch.Target.Missed()))
	}
	if !rq.WeakMatch.Target.Met(rq.WeakMatch.Rate) {
		hints = append(hints, fmt.Sprintf("weak-match rate %s %s: consider lowering AURORA_ACTIVATION_THRESHOLD (e.g. 0.3 to 0.25)",
			Percent(rq.WeakMatch.Rate), rq.WeakMatch.Target.Missed()))
	}
	if !rq.GoodMatch.Target.Met(rq.GoodMatch.Rate) {
		hints = append(hints, fmt.Sprintf("good-match rate %s %s: retrieval is below target; below 50%% the index is degraded: re-index with 'aur mem index'",
			Percent(rq.GoodMatch.Rate), rq.GoodMatch.Target.Missed()))
	}
	if c := rq.WeakChoices; c.Prompted > 0 {
		if rejected := c.StartAnew.Rate + c.StartOver.Rate; rejected > RejectedChoicesHint {
			hints = append(hints, fmt.Sprintf("users rejected %s of weak matches (start anew or start over) > %s: consider raising AURORA_GROUNDEDNESS_THRESHOLD (e.g. 0.7 to 0.75)",
				Percent(rejected), trimPercent(RejectedChoicesHint)))
		}
		if c.Continue.Rate > ContinueChoiceHint {
			hints = append(hints, fmt.Sprintf("users continued anyway on %s of weak matches > %s: consider lowering AURORA_GROUNDEDNESS_THRESHOLD (e.g. 0.7 to 0.65)",
				Percent(c.Continue.Rate), trimPercent(ContinueChoiceHint)))
		}
	}
	return hints
}

// Percent formats a fraction as a percentage with one decimal: 0.0794 is
// "7.9%".
func Percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// trimPercent formats a fraction as a percentage without trailing zeros:
// 0.1 is "10%", 0.999 is "99.9%".
func trimPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 4, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

var symbols = map[resilience.Comparison]string{
	resilience.CompareGT: ">", resilience.CompareGTE: "≥", resilience.CompareLT: "<",
	resilience.CompareLTE: "≤", resilience.CompareEQ: "=",
}

var negations = map[resilience.Comparison]resilience.Comparison{
	resilience.CompareGT: resilience.CompareLTE, resilience.CompareGTE: resilience.CompareLT,
	resilience.CompareLT: resilience.CompareGTE, resilience.CompareLTE: resilience.CompareGT,
}

// symbol returns ">", "≥", "<", "≤" or "=" for a comparison in any
// spelling ParseComparison accepts.
func symbol(c resilience.Comparison) string {
	if v, err := resilience.ParseComparison(string(c)); err == nil {
		return symbols[v]
	}
	return string(c)
}

// String formats a rate target: "< 10%".
func (t Target) String() string { return symbol(t.Comparison) + " " + trimPercent(t.Threshold) }

// Missed formats what missing a rate target means: "≥ 10%" for "< 10%".
func (t Target) Missed() string {
	if n, ok := negations[t.Comparison]; ok {
		return symbol(n) + " " + trimPercent(t.Threshold)
	}
	return "not " + t.String()
}
