package activation

import (
	"math"
	"testing"
)

func approx(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestBaseLevelExact(t *testing.T) {
	p := Default
	now := int64(1_000_000)
	// Two events 100 s and 10000 s ago: B = ln(100^-0.5 + 10000^-0.5)
	// = ln(0.1 + 0.01) = ln(0.11) = -2.2073.
	b, ok := p.BaseLevel(now, Events{N: 2, Oldest: now - 10000, Recent: []int64{now - 100, now - 10000}})
	if !ok || !approx(b, math.Log(0.11), 1e-9) {
		t.Errorf("B = %v, want %v", b, math.Log(0.11))
	}
	// Ages under a second count as one second.
	b, _ = p.BaseLevel(now, Events{N: 1, Oldest: now, Recent: []int64{now}})
	if b != 0 {
		t.Errorf("B of an event now = %v, want ln(1) = 0", b)
	}
}

func TestNoEventsIsZero(t *testing.T) {
	if a := Default.Activation(100, Events{}); a != 0 {
		t.Errorf("activation without events = %v, want 0", a)
	}
}

func TestDocumentedPoints(t *testing.T) {
	p := Default
	now := int64(10_000_000)
	one := func(age int64) float64 {
		return p.Activation(now, Events{N: 1, Oldest: now - age, Recent: []int64{now - age}})
	}
	// σ((ln(3600^-0.5) + 4)/1) = σ(-4.0943 + 4) = 0.476
	if a := one(3600); !approx(a, 0.476, 0.002) {
		t.Errorf("an hour ago: %v", a)
	}
	if a := one(10); !approx(a, 0.95, 0.01) {
		t.Errorf("ten seconds ago: %v", a)
	}
	if a := one(86400); !approx(a, 0.156, 0.005) {
		t.Errorf("a day ago: %v", a)
	}
	if one(10) <= one(3600) || one(3600) <= one(86400) {
		t.Error("activation must decay with age")
	}
}

// Petrov's approximation must be close to the exact sum when the dropped
// events are evenly spread, which is the case it is derived for.
func TestPetrovApproximation(t *testing.T) {
	p := Default
	now := int64(100_000_000)
	var all []int64
	for i := int64(1); i <= 200; i++ {
		all = append(all, now-i*3600) // hourly, newest first
	}
	exact := 0.0
	for _, ts := range all {
		exact += math.Pow(float64(now-ts), -0.5)
	}
	got := p.Sum(now, Events{N: 200, Oldest: all[199], Recent: all[:32]})
	if math.Abs(got-exact)/exact > 0.02 {
		t.Errorf("approximate sum %v, exact %v (off by %.1f%%)", got, exact, 100*math.Abs(got-exact)/exact)
	}
}

func TestMoreEventsMoreActivation(t *testing.T) {
	p := Default
	now := int64(1_000_000)
	once := p.Activation(now, Events{N: 1, Oldest: now - 600, Recent: []int64{now - 600}})
	thrice := p.Activation(now, Events{N: 3, Oldest: now - 600, Recent: []int64{now - 60, now - 300, now - 600}})
	both := p.Activation(now, Events{N: 1, Oldest: now - 600, Recent: []int64{now - 600}}, Events{N: 1, Oldest: now - 60, Recent: []int64{now - 60}})
	if !(thrice > once && both > once) {
		t.Errorf("once %v, thrice %v, two sources %v", once, thrice, both)
	}
}
