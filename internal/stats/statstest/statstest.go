// Package statstest builds synthetic queries-table rows for tests and
// benchmarks of aur stats: the unit tests, the testscript command
// seedqueries, and bench/stats.
//
// A batch is N rows described by key=value fields:
//
//	seedqueries DB 200 tier=weak choice=start_over latency=100..300 age=0..6d mode=interactive
//
// Fields (defaults in brackets):
//
//	tier=good|weak|no_match|''  [good]      status=ok|error       [ok]
//	choice=none|continue|start_anew|start_over [none]
//	mode=interactive|non_interactive|headless  [non_interactive]
//	command=query|search|eval   [query]     err=TYPE (sets status=error, tier '')
//	g=0.8 groundedness [0]                  hq=5 high-quality chunks [0]
//	latency=MS or LO..HI         [100]      cache=FRACTION of hits, 0..1 [0]
//	age=SPAN or LO..HI before now, spans as 30s, 90m, 2h, 3d, 1w [1h]
//	at=RFC3339 time (instead of age)
//
// A range LO..HI spreads the batch evenly: row i of N gets
// LO + (HI-LO)*i/(N-1). A cache fraction f makes row i a hit when
// floor((i+1)f) > floor(if), so exactly floor(Nf) rows hit, evenly spread.
package statstest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// Now is the fixed "now" of the tests and scripts (pass it as --now).
var Now = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

// Batch describes rows to seed.
type Batch struct {
	N                      int
	Tier, Status, Choice   string
	Mode, Command, ErrType string
	Groundedness           float64
	HQChunks               int
	LatencyLo, LatencyHi   float64
	Cache                  float64
	AgeLo, AgeHi           time.Duration
	At                     time.Time // if set, instead of age
}

// Parse reads a batch of n rows from key=value fields.
func Parse(n int, fields []string) (Batch, error) {
	b := Batch{N: n, Tier: "good", Status: store.StatusOK, Choice: "none", Mode: store.ModeNonInteractive,
		Command: "query", LatencyLo: 100, LatencyHi: 100, AgeLo: time.Hour, AgeHi: time.Hour}
	if n < 0 {
		return b, fmt.Errorf("negative row count %d", n)
	}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return b, fmt.Errorf("field %q: want key=value", f)
		}
		var err error
		switch k {
		case "tier":
			b.Tier = v
		case "status":
			b.Status = v
		case "choice":
			b.Choice = v
		case "mode":
			b.Mode = v
		case "command":
			b.Command = v
		case "err":
			b.ErrType, b.Status, b.Tier = v, store.StatusError, ""
		case "g":
			b.Groundedness, err = strconv.ParseFloat(v, 64)
		case "hq":
			b.HQChunks, err = strconv.Atoi(v)
		case "cache":
			b.Cache, err = strconv.ParseFloat(v, 64)
			if err == nil && (b.Cache < 0 || b.Cache > 1) {
				err = fmt.Errorf("want a fraction in [0, 1]")
			}
		case "latency":
			b.LatencyLo, b.LatencyHi, err = floatRange(v)
		case "age":
			b.AgeLo, b.AgeHi, err = spanRange(v)
		case "at":
			b.At, err = time.Parse(time.RFC3339Nano, v)
		default:
			err = fmt.Errorf("unknown field")
		}
		if err != nil {
			return b, fmt.Errorf("field %q: %v", f, err)
		}
	}
	return b, nil
}

func floatRange(s string) (lo, hi float64, err error) {
	a, z, isRange := strings.Cut(s, "..")
	if lo, err = strconv.ParseFloat(a, 64); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	hi, err = strconv.ParseFloat(z, 64)
	return lo, hi, err
}

func spanRange(s string) (lo, hi time.Duration, err error) {
	a, z, isRange := strings.Cut(s, "..")
	if lo, err = Span(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	hi, err = Span(z)
	return lo, hi, err
}

// Span parses a duration with the units s, m, h, d (24h) and w (7d),
// e.g. 90m, 3d, 1w; "0" is zero.
func Span(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if len(s) < 2 {
		return 0, fmt.Errorf("invalid span %q", s)
	}
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	u, ok := units[s[len(s)-1]]
	if !ok {
		return 0, fmt.Errorf("invalid span %q: unit must be s, m, h, d or w", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid span %q", s)
	}
	return time.Duration(n * float64(u)), nil
}

// spread returns row i's point of an even spread of n rows over [lo, hi].
func spread(lo, hi float64, i, n int) float64 {
	if n <= 1 {
		return lo
	}
	return lo + (hi-lo)*float64(i)/float64(n-1)
}

// Records returns the batch's rows as of now.
func (b Batch) Records(now time.Time) []store.QueryRecord {
	recs := make([]store.QueryRecord, b.N)
	for i := range recs {
		t := b.At
		if t.IsZero() {
			age := time.Duration(spread(float64(b.AgeLo), float64(b.AgeHi), i, b.N))
			t = now.Add(-age)
		}
		hit := math.Floor(float64(i+1)*b.Cache) > math.Floor(float64(i)*b.Cache)
		results := b.HQChunks
		recs[i] = store.QueryRecord{
			Time: t, Query: fmt.Sprintf("synthetic query %d", i), Command: b.Command, Mode: b.Mode,
			Tier: b.Tier, Groundedness: b.Groundedness, HQChunks: b.HQChunks, Results: results,
			Choice: b.Choice, LatencyMS: spread(b.LatencyLo, b.LatencyHi, i, b.N),
			Status: b.Status, ErrorType: b.ErrType, CacheHit: hit,
		}
	}
	return recs
}
