// Package quality grades a retrieval: is there indexed context for this
// question, and is it good enough to answer from?
//
//   - High-quality chunk: final score >= the activation threshold
//     (AURORA_ACTIVATION_THRESHOLD, default 0.3). Only those are used.
//   - Groundedness: the IDF-weighted share of the query's content terms
//     that appear in at least one high-quality chunk, in [0,1]. A question
//     whose rare words are nowhere in the context is not grounded in it,
//     however well its common words match.
//   - Tier: no match with zero high-quality chunks; weak when groundedness
//     is below AURORA_GROUNDEDNESS_THRESHOLD (0.7) or there are fewer than
//     AURORA_MIN_HIGH_QUALITY_CHUNKS (3) high-quality chunks; good
//     otherwise.
package quality

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

// Grade is the outcome of grading.
type Grade struct {
	Tier         Tier    `json:"tier"`
	Groundedness float64 `json:"groundedness"`
	HighQuality  int     `json:"high_quality_chunks"`
}

// Evaluate grades a retrieval from the query terms and, for each
// high-quality chunk, the set of query terms it contains.
func Evaluate(terms []Term, hq []map[string]bool, th Thresholds) Grade {
	g := Grade{HighQuality: len(hq), Groundedness: Groundedness(terms, hq)}
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

// Groundedness is Σ idf(t) over the terms found in at least one chunk,
// divided by Σ idf(t) over all terms; 0 without terms.
func Groundedness(terms []Term, chunks []map[string]bool) float64 {
	var found, total float64
	for _, t := range terms {
		total += t.IDF
		for _, c := range chunks {
			if c[t.Text] {
				found += t.IDF
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return found / total
}
