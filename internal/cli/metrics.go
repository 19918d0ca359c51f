package cli

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/metrics"
	"github.com/aurora-dev/aur/internal/server"
	"github.com/aurora-dev/aur/internal/service"
)

// faceMetrics is the Prometheus side of a long-running face, as the
// production guide's AURORA_METRICS_ENABLED (default on) and
// AURORA_METRICS_PORT (0: on the server's own listener) configure it.
type faceMetrics struct {
	m    *metrics.Metrics // nil when disabled
	port int
}

// newFaceMetrics builds the metrics and makes the factory's LLM provider
// report to them (retries, rate-limit waits, breaker state).
func newFaceMetrics(f *Factory) *faceMetrics {
	cfg := f.Config()
	fm := &faceMetrics{port: cfg.Int(config.KeyMetricsPort)}
	if !cfg.Bool(config.KeyMetricsEnabled) {
		return fm
	}
	fm.m = metrics.New(metrics.Options{Now: f.Now, Process: true})
	f.llmObserver = fm.m
	return fm
}

func (fm *faceMetrics) enabled() bool { return fm.m != nil }

// watch registers the gauges read from the service and its query log.
func (fm *faceMetrics) watch(svc *service.Service, ql *service.QueryLog) {
	if fm.m == nil {
		return
	}
	fm.m.WatchIndex(svc)
	if ql != nil {
		fm.m.WatchQueryLog(ql.Dropped)
	}
}

// observer is what the service reports to (nil when disabled).
func (fm *faceMetrics) observer() service.Observer {
	if fm.m == nil {
		return nil
	}
	return fm.m
}

// httpObserver is what the HTTP server reports to (nil when disabled).
func (fm *faceMetrics) httpObserver() server.Observer {
	if fm.m == nil {
		return nil
	}
	return fm.m
}

func (fm *faceMetrics) handler() http.Handler { return fm.m.Handler() }

// serve serves /metrics alone on ln until ctx is done.
func (fm *faceMetrics) serve(ctx context.Context, ln net.Listener, log zerolog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", fm.m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	if err := server.Serve(ctx, srv, ln, 5*time.Second, log); err != nil {
		log.Warn().Err(err).Msg("metrics listener stopped")
	}
}
