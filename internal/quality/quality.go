// Package quality grades a retrieval: is there indexed context for this
// question, and is it good enough to answer from?
//
//   - High-quality chunk: final score >= the activation threshold
//     (AURORA_ACTIVATION_THRESHOLD, default 0.3). Only those are used.
//   - Groundedness, in [0,1]: the geometric mean of coverage (the
//     IDF-weighted share of the question's terms held by one of the three
//     best high-quality chunks, or the share it holds verbatim) and
//     distinctness (how far the best candidate leads the fifth best).
//     A question is grounded when one chunk holds most of it and stands
//     out from the rest; measured on realistic questions (bench/realq.sh),
//     neither alone separates found answers from misses.
//   - Tier: no match with zero high-quality chunks; weak when groundedness
//     is below AURORA_GROUNDEDNESS_THRESHOLD (0.7) or there are fewer than
//     AURORA_MIN_HIGH_QUALITY_CHUNKS (3) high-quality chunks; good
//     otherwise.
package quality

import "math"

// Tier is the grade of a retrieval. The values are part of the JSON API
// and of the queries table.
type Tier string

const (
	NoMatch Tier = "no_match"
	Weak    Tier = "weak"
	Good    Tier = "good"
)

// Rank orders tiers from worst to best, for gates such as --fail-on.
func (t Tier) Rank() int {
	switch t {
	case NoMatch:
		return 0
	case Weak:
		return 1
	case Good:
		return 2
	}
	return -1
}

// ParseTier accepts the JSON values and the spellings of --fail-on.
func ParseTier(s string) (Tier, bool) {
	switch s {
	case "no_match", "no-match", "nomatch", "none":
		return NoMatch, true
	case "weak":
		return Weak, true
	case "good":
		return Good, true
	}
	return "", false
}

// Thresholds are the grading thresholds.
type Thresholds struct {
	Activation     float64 `json:"activation"`
	Groundedness   float64 `json:"groundedness"`
	MinHighQuality int     `json:"min_high_quality_chunks"`
}

// DefaultThresholds are the documented defaults.
var DefaultThresholds = Thresholds{Activation: 0.3, Groundedness: 0.7, MinHighQuality: 3}

// Term is a query term with its IDF weight.
type Term struct {
	Text string
	IDF  float64
}

// Evidence is what grading knows of one of the best candidates of a
// retrieval: its final score and the query terms it holds.
type Evidence struct {
	Score float64 `json:"score"`
	// Matched are the query terms found in the chunk (any field).
	Matched map[string]bool `json:"matched,omitempty"`
	// Phrase is the share of the query found verbatim in the chunk.
	Phrase float64 `json:"phrase,omitempty"`
	// Semantic is the chunk's calibrated similarity to the question, in
	// [0,1] (internal/query, Semantic); 0 without semantic retrieval.
	Semantic float64 `json:"semantic,omitempty"`
}

// Grade is the outcome of grading.
type Grade struct {
	Tier         Tier    `json:"tier"`
	Groundedness float64 `json:"groundedness"`
	HighQuality  int     `json:"high_quality_chunks"`
}

// GroundingDepth is how many of the best high-quality chunks can ground
// a question: an answer has to be near the top to be of use.
const GroundingDepth = 3

// DistinctMargin is the lead of the best candidate over the fifth best
// (in score) at which the best candidates count as fully distinct from
// the crowd; see Groundedness.
const DistinctMargin = 0.1

// Evaluate grades a retrieval from the query terms and the evidence of its
// best candidates, best first, threshold or not (the same candidates
// whatever the display limit, so the grade does not depend on --limit).
func Evaluate(terms []Term, ev []Evidence, th Thresholds) Grade {
	var hq []Evidence
	for _, e := range ev {
		if e.Score >= th.Activation {
			hq = append(hq, e)
		}
	}
	g := Grade{HighQuality: len(hq)}
	if len(hq) > 0 {
		g.Groundedness = math.Sqrt(Coverage(terms, hq) * Distinctness(ev))
	}
	switch {
	case len(hq) == 0:
		g.Tier = NoMatch
	case g.Groundedness < th.Groundedness || len(hq) < th.MinHighQuality:
		g.Tier = Weak
	default:
		g.Tier = Good
	}
	return g
}

// Coverage is how completely one of the best GroundingDepth chunks holds
// the question: for each, Σ idf(t) over the terms it holds divided by
// Σ idf(t) over all terms, or the share of the question it holds verbatim
// if that is more, or its calibrated semantic similarity if that is more
// still; the largest of these. 0 without terms.
//
// Similarity counts as coverage the way a verbatim phrase does: a chunk
// whose meaning matches the question (semantic 1: cosine at or above the
// calibration's ceiling) holds the question as fully as one holding all
// its words, even when it shares none of them, which is the case semantic
// retrieval exists for. Distinctness still has to come from the scores,
// so a question whose meaning is spread evenly over many chunks stays
// weak.
//
// One chunk, not the union of all: the first release counted a term
// found in any returned chunk, and on real questions some chunk always
// held each word, so nearly everything graded 1.0 whether or not an
// answer was found.
func Coverage(terms []Term, chunks []Evidence) float64 {
	var total float64
	for _, t := range terms {
		total += t.IDF
	}
	best := 0.0
	for i, c := range chunks {
		if i == GroundingDepth {
			break
		}
		found := 0.0
		for _, t := range terms {
			if c.Matched[t.Text] {
				found += t.IDF
			}
		}
		g := max(c.Phrase, c.Semantic)
		if total > 0 {
			g = max(g, found/total)
		}
		best = max(best, g)
	}
	return best
}

// Distinctness is how clearly the best candidate stands out: its lead
// over the fifth best, relative to DistinctMargin, at most 1. When the
// answer is in the index it usually stands out; when it is not, the
// question's words spread over many chunks that match about equally.
func Distinctness(ev []Evidence) float64 {
	if len(ev) == 0 {
		return 0
	}
	fifth := 0.0
	if len(ev) >= 5 {
		fifth = ev[4].Score
	}
	return min(1, max(0, ev[0].Score-fifth)/DistinctMargin)
}
