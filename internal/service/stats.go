package service

import (
	"context"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/stats"
)

// Stats views, the values of StatsRequest.View (and of GET
// /v1/stats?view=, and the CLI's --retrieval-quality, --sla, --alerts).
const (
	ViewOperational      = ""
	ViewRetrievalQuality = "retrieval-quality"
	ViewSLA              = "sla"
	ViewAlerts           = "alerts"
)

// StatsRequest asks for one report over one window.
type StatsRequest struct {
	View   string
	Window stats.Window
	// Fail is the severity at or above which an alert counts as failing
	// (the alerts view); "" means critical.
	Fail resilience.Severity
	// Adjust, if set, completes the operational summary before the views
	// are computed (the CLI adds the replica fallbacks it counts beside
	// the database).
	Adjust func(*stats.Operational) error
}

// StatsReport is one report: exactly one of its fields is set, the JSON
// object aur stats --json prints for the view.
type StatsReport struct {
	Operational *stats.Operational
	Retrieval   *stats.RetrievalQuality
	SLA         *stats.SLA
	Alerts      *stats.AlertReport
}

// Value is the report's JSON object.
func (r *StatsReport) Value() any {
	switch {
	case r.Retrieval != nil:
		return r.Retrieval
	case r.SLA != nil:
		return r.SLA
	case r.Alerts != nil:
		return r.Alerts
	}
	return r.Operational
}

// Stats reports over the service's query log.
func (s *Service) Stats(ctx context.Context, req StatsRequest) (*StatsReport, error) {
	// Queries answered by this service are counted: a query log that
	// writes off the request path is given a moment to catch up.
	if fl, ok := s.d.Recorder.(interface{ Flush(context.Context) error }); ok {
		fctx, cancel := context.WithTimeout(ctx, time.Second)
		_ = fl.Flush(fctx) // a slow log only makes the report older
		cancel()
	}
	return Stats(ctx, s.db, req, s.set.AlertRules)
}

// Stats reports over src (a store, or stats.NoData when there is no
// database yet), with rules for the alerts view (nil: the defaults).
func Stats(ctx context.Context, src stats.Source, req StatsRequest, rules []resilience.Rule) (*StatsReport, error) {
	sum, err := stats.Summarize(ctx, src, req.Window, req.View != ViewRetrievalQuality)
	if err != nil {
		return nil, err
	}
	if req.Adjust != nil {
		if err := req.Adjust(&sum.Operational); err != nil {
			return nil, err
		}
	}
	switch req.View {
	case ViewRetrievalQuality:
		return &StatsReport{Retrieval: &sum.Retrieval}, nil
	case ViewSLA:
		return &StatsReport{SLA: stats.CheckSLA(sum)}, nil
	case ViewAlerts:
		if rules == nil {
			rules = stats.DefaultRules()
		}
		fail := req.Fail
		if fail == "" {
			fail = resilience.SeverityCritical
		}
		return &StatsReport{Alerts: stats.CheckAlerts(sum, rules, fail)}, nil
	}
	return &StatsReport{Operational: &sum.Operational}, nil
}

// StatsWindow resolves a view and a window given as text, as the HTTP and
// MCP faces receive them (view as in ViewRetrievalQuality; since as 7d,
// 24h, 2w; from and to as dates or RFC 3339 times). Errors are
// *InvalidError.
func (s *Service) StatsWindow(view, since, from, to string) (StatsRequest, error) {
	view = strings.ToLower(strings.TrimSpace(view))
	switch view {
	case ViewOperational, ViewRetrievalQuality, ViewSLA, ViewAlerts:
	case "operational":
		view = ViewOperational
	default:
		return StatsRequest{}, &InvalidError{Field: "view", Flag: "view",
			Msg: "must be one of retrieval-quality, sla, alerts (or empty for the operational report), got " + quote(view)}
	}
	spec := stats.WindowSpec{Since: since, From: from, To: to, DefaultSince: "7d"}
	if view == ViewSLA {
		spec.DefaultSince = stats.DefaultSLASince
	}
	w, err := spec.Resolve(s.d.Now())
	if err != nil {
		msg := strings.NewReplacer("--since", "since", "--from", "from", "--to", "to").Replace(err.Error())
		return StatsRequest{}, &InvalidError{Field: "window", Flag: "window", Msg: "is invalid: " + msg}
	}
	return StatsRequest{View: view, Window: w}, nil
}

func quote(s string) string { return `"` + s + `"` }
