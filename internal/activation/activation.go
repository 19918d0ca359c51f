// Package activation computes ACT-R base-level activation: how often and
// how recently a chunk proved useful (Anderson & Schooler 1991).
//
//	B = ln( Σ_j (now - t_j)^(-d) ),  d = 0.5, ages in seconds, at least 1 s
//
// Events are the chunk's accesses and, in a git repository, the commit
// times of its file. Only the newest k events are kept (store.MaxEvents);
// the rest are represented by their count n and the oldest time t_n, and
// Petrov's (2006) approximation stands in for their sum:
//
//	Σ_{j>k} ≈ (n - k) (t_n^(1-d) - t_k^(1-d)) / ((1 - d)(t_n - t_k))
//
// B is mapped to [0,1] with a logistic, σ((B - Tau) / Scale). With the
// defaults Tau = -4 and Scale = 1, one access an hour ago gives 0.50, one
// ten seconds ago 0.95, one a day ago 0.16, and a file with a commit a
// month ago and none since 0.07. A chunk with no events has activation 0, so
// a fresh index ranks purely lexically. Activation is always computed at
// query time from the events, never stored, so it decays as time passes.
package activation

import "math"

// Params are the model's constants.
type Params struct {
	Decay float64 // d
	Tau   float64 // B at which activation is 0.5
	Scale float64 // logistic temperature
}

// Default are the documented constants.
var Default = Params{Decay: 0.5, Tau: -4, Scale: 1}

// Events are the event times of one source (accesses, or commits): the
// newest first, at most k of them, with the total count and the oldest
// time. Times are unix seconds.
type Events struct {
	N      int64
	Oldest int64
	Recent []int64
}

// Sum returns Σ_j age_j^(-d) for the events, using Petrov's
// approximation for those beyond Recent.
func (p Params) Sum(now int64, e Events) float64 {
	if e.N == 0 || len(e.Recent) == 0 {
		return 0
	}
	d := p.Decay
	age := func(t int64) float64 { return math.Max(float64(now-t), 1) }
	s := 0.0
	for _, t := range e.Recent {
		s += math.Pow(age(t), -d)
	}
	k := int64(len(e.Recent))
	if e.N > k {
		tk := age(e.Recent[k-1])
		tn := math.Max(age(e.Oldest), tk)
		if tn > tk {
			s += float64(e.N-k) * (math.Pow(tn, 1-d) - math.Pow(tk, 1-d)) / ((1 - d) * (tn - tk))
		} else {
			s += float64(e.N-k) * math.Pow(tk, -d)
		}
	}
	return s
}

// BaseLevel returns B over all sources, and false if there are no events.
func (p Params) BaseLevel(now int64, sources ...Events) (float64, bool) {
	s := 0.0
	for _, e := range sources {
		s += p.Sum(now, e)
	}
	if s <= 0 {
		return 0, false
	}
	return math.Log(s), true
}

// Activation returns the activation in [0,1]: σ((B - Tau)/Scale), or 0
// with no events.
func (p Params) Activation(now int64, sources ...Events) float64 {
	b, ok := p.BaseLevel(now, sources...)
	if !ok {
		return 0
	}
	return 1 / (1 + math.Exp(-(b-p.Tau)/p.Scale))
}
