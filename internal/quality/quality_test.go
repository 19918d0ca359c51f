package quality

import (
	"math"
	"testing"
)

func ev(score float64, terms ...string) Evidence {
	m := map[string]bool{}
	for _, t := range terms {
		m[t] = true
	}
	return Evidence{Score: score, Matched: m}
}

func TestEvaluate(t *testing.T) {
	terms := []Term{{"read", 1}, {"tar", 3}, {"archiv", 2}, {"sourdough", 4}}
	th := DefaultThresholds
	// The best chunk holds read+tar+archiv (6 of 10) and leads the fifth
	// by 0.3 (distinctness 1): groundedness sqrt(0.6) = 0.775, good.
	cands := []Evidence{ev(0.7, "read", "tar", "archiv"), ev(0.5, "tar"), ev(0.45, "archiv"), ev(0.42), ev(0.4)}
	g := Evaluate(terms, cands, th)
	if math.Abs(g.Groundedness-math.Sqrt(0.6)) > 1e-9 || g.HighQuality != 5 || g.Tier != Good {
		t.Errorf("Evaluate = %+v, want groundedness %.3f, 5 chunks, good", g, math.Sqrt(0.6))
	}
	// The same chunks in a crowd (the best leads the fifth by 0.02):
	// distinctness 0.2, groundedness sqrt(0.6*0.2) = 0.35, weak.
	crowd := []Evidence{ev(0.42, "read", "tar", "archiv"), ev(0.41, "tar"), ev(0.41, "archiv"), ev(0.40), ev(0.40)}
	if g := Evaluate(terms, crowd, th); g.Tier != Weak || math.Abs(g.Groundedness-math.Sqrt(0.12)) > 1e-9 {
		t.Errorf("crowd: %+v, want weak with groundedness %.3f", g, math.Sqrt(0.12))
	}
	// Coverage is one chunk's, not the union's: three chunks holding one
	// term each cover at most 4/10.
	split := []Evidence{ev(0.9, "sourdough"), ev(0.5, "tar"), ev(0.45, "archiv"), ev(0.3), ev(0.3)}
	if c := Coverage(terms, split); math.Abs(c-0.4) > 1e-9 {
		t.Errorf("Coverage = %.3f, want 0.4 (the best single chunk)", c)
	}
	// Only the three best chunks ground: a fourth holding everything does not.
	late := []Evidence{ev(0.9), ev(0.8), ev(0.7), ev(0.6, "read", "tar", "archiv", "sourdough")}
	if c := Coverage(terms, late); c != 0 {
		t.Errorf("Coverage = %.3f, want 0 (fourth chunk ignored)", c)
	}
	// A verbatim phrase grounds as its share of the question.
	ph := []Evidence{{Score: 0.9, Phrase: 0.8, Matched: map[string]bool{}}}
	if c := Coverage(terms, ph); c != 0.8 {
		t.Errorf("Coverage with a phrase = %.3f, want 0.8", c)
	}
	// Fully grounded but only 2 high-quality chunks -> weak.
	two := []Evidence{ev(0.9, "read", "tar", "archiv", "sourdough"), ev(0.5), ev(0.1), ev(0.1), ev(0.1)}
	if g := Evaluate(terms, two, th); g.Tier != Weak || g.HighQuality != 2 {
		t.Errorf("two chunks: %+v, want weak with 2 chunks", g)
	}
	// Exactly at the groundedness threshold is good (weak is "below").
	th.Groundedness = math.Sqrt(0.6)
	if g := Evaluate(terms, cands, th); g.Tier != Good {
		t.Errorf("at threshold: tier %s, want good", g.Tier)
	}
	// Nothing above the activation threshold -> no match, groundedness 0.
	if g := Evaluate(terms, []Evidence{ev(0.2, "read"), ev(0.1)}, th); g.Tier != NoMatch || g.Groundedness != 0 {
		t.Errorf("below threshold: %+v, want no_match", g)
	}
	if g := Evaluate(terms, nil, th); g.Tier != NoMatch || g.Groundedness != 0 {
		t.Errorf("no chunks: %+v, want no_match", g)
	}
	if g := Evaluate(nil, cands, th); g.Tier != Weak || g.Groundedness != 0 {
		t.Errorf("no terms: %+v, want weak with groundedness 0", g)
	}
}

func TestDistinctness(t *testing.T) {
	for _, c := range []struct {
		scores []float64
		want   float64
	}{
		{nil, 0},
		{[]float64{0.5}, 1}, // fewer than five: the fifth is 0
		{[]float64{0.5, 0.49, 0.48, 0.47, 0.45}, 0.5}, // leads by 0.05
		{[]float64{0.9, 0.5, 0.4, 0.3, 0.2}, 1},
	} {
		var ev []Evidence
		for _, s := range c.scores {
			ev = append(ev, Evidence{Score: s})
		}
		if got := Distinctness(ev); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Distinctness(%v) = %.3f, want %.3f", c.scores, got, c.want)
		}
	}
}
func TestTierOrder(t *testing.T) {
	if !(NoMatch.Rank() < Weak.Rank() && Weak.Rank() < Good.Rank()) {
		t.Error("tiers out of order")
	}
	for _, s := range []string{"no-match", "no_match", "weak", "good"} {
		if _, ok := ParseTier(s); !ok {
			t.Errorf("ParseTier(%q) failed", s)
		}
	}
	if _, ok := ParseTier("great"); ok {
		t.Error("ParseTier(great) succeeded")
	}
}
