package quality

import (
	"math"
	"testing"
)

func TestEvaluate(t *testing.T) {
	terms := []Term{{"read", 1}, {"tar", 3}, {"archiv", 2}, {"sourdough", 4}}
	// Total IDF 10. Chunks hold read+tar, tar, archiv: found 1+3+2 = 6 -> 0.6.
	chunks := []map[string]bool{{"read": true, "tar": true}, {"tar": true}, {"archiv": true}}
	th := DefaultThresholds
	g := Evaluate(terms, chunks, th)
	if math.Abs(g.Groundedness-0.6) > 1e-9 || g.HighQuality != 3 || g.Tier != Weak {
		t.Errorf("Evaluate = %+v, want groundedness 0.6, 3 chunks, weak", g)
	}
	// Without the off-topic word: 6/6 = 1.0 and 3 chunks -> good.
	g = Evaluate(terms[:3], chunks, th)
	if g.Groundedness != 1 || g.Tier != Good {
		t.Errorf("Evaluate = %+v, want good with groundedness 1", g)
	}
	// Fully grounded but only 2 chunks -> weak.
	if g := Evaluate(terms[:3], append(chunks[:1:1], chunks[2]), th); g.Tier != Weak {
		t.Errorf("two chunks: tier %s, want weak", g.Tier)
	}
	// Exactly at the groundedness threshold is good (weak is "below").
	th.Groundedness = 0.6
	if g := Evaluate(terms, chunks, th); g.Tier != Good {
		t.Errorf("at threshold: tier %s, want good", g.Tier)
	}
	if g := Evaluate(terms, nil, th); g.Tier != NoMatch || g.Groundedness != 0 {
		t.Errorf("no chunks: %+v, want no_match", g)
	}
	if g := Evaluate(nil, chunks, th); g.Tier != Weak || g.Groundedness != 0 {
		t.Errorf("no terms: %+v, want weak with groundedness 0", g)
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
