package service

import (
	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/quality"
)

// Observer hears what the service does, for metrics (internal/metrics
// implements it with Prometheus collectors). Calls come from request
// goroutines and must not block.
type Observer interface {
	ObserveQuery(QueryEvent)
	ObserveIndex(IndexEvent)
}

// QueryEvent is one finished Search or Query.
type QueryEvent struct {
	Face    string // FaceCLI, FaceHTTP, FaceMCP
	Command string // CommandQuery, CommandSearch
	// Tier is the grade; "" when the request failed before grading.
	Tier quality.Tier
	// ErrorType is "" for success, else invalid_request, invalid_query,
	// or a resilience.ErrorType label (http_503, timeout, breaker_open,
	// ...; for an LLM failure the results were still served).
	ErrorType string
	LatencyMS float64
	Stages    ask.Stages
	// CacheLookup tells whether the query cache was asked; CacheHit
	// whether it answered.
	CacheLookup, CacheHit bool
}

// IndexEvent is one finished index run.
type IndexEvent struct {
	// Trigger is what started it: "api" (POST /v1/index) or "watch".
	Trigger string
	// Status is done, failed or interrupted.
	Status     string
	DurationMS float64
	Files      int // files indexed (changed)
	Deleted    int
	Chunks     int // chunks in the index after the run
	TotalFiles int
}
