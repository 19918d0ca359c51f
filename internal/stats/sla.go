package stats

import "github.com/aurora-dev/aur/internal/resilience"

// The production guide's SLA targets: availability of 99.9% or more, p95
// latency under 500 ms, error rate under 1%.
var (
	AvailabilityTarget = Target{resilience.CompareGTE, 0.999}
	P95LatencyTarget   = Target{resilience.CompareLT, 500}
	ErrorRateTarget    = Target{resilience.CompareLT, 0.01}
)

// DefaultSLASince is the SLA report's default window, the guide's daily
// report.
const DefaultSLASince = "24h"

// SLA is the JSON of `aur stats --sla`.
type SLA struct {
	Window       Window    `json:"window"`
	QueryCount   int64     `json:"query_count"`
	Availability SLAFigure `json:"availability"` // 1 - error_rate
	P95LatencyMs SLAFigure `json:"p95_latency_ms"`
	ErrorRate    SLAFigure `json:"error_rate"`
	// Met is true when every figure meets its target. An empty window
	// meets them all: nothing failed and nothing was slow, which is the
	// guide's arithmetic (availability = 1 - error_rate).
	Met bool `json:"sla_met"`
}

// SLAFigure is one figure against its target.
type SLAFigure struct {
	Value  float64 `json:"value"`
	Target Target  `json:"target"`
	Met    bool    `json:"met"`
}

// CheckSLA measures the summary, which must have been made with latency,
// against the SLA targets.
func CheckSLA(s *Summary) *SLA {
	op := s.Operational
	fig := func(v float64, t Target) SLAFigure { return SLAFigure{Value: v, Target: t, Met: t.Met(v)} }
	r := &SLA{
		Window:       s.Window,
		QueryCount:   op.QueryCount,
		Availability: fig(1-op.ErrorRate, AvailabilityTarget),
		P95LatencyMs: fig(op.P95LatencyMs, P95LatencyTarget),
		ErrorRate:    fig(op.ErrorRate, ErrorRateTarget),
	}
	r.Met = r.Availability.Met && r.P95LatencyMs.Met && r.ErrorRate.Met
	return r
}
