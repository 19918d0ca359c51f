package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// HTTPServer wraps http.Server with a graceful shutdown: when the context
// is cancelled it stops accepting connections, lets in-flight requests
// finish for up to the shutdown timeout, then closes what is left.
type HTTPServer struct {
	srv      *http.Server
	timeout  time.Duration
	logger   *slog.Logger
	draining atomic.Bool
}

// NewHTTPServer returns a server for addr with conservative timeouts
// against slow clients.
func NewHTTPServer(addr string, h http.Handler, shutdownTimeout time.Duration, logger *slog.Logger) *HTTPServer {
	s := &HTTPServer{timeout: shutdownTimeout, logger: logger}
	s.srv = &http.Server{
		Addr:              addr,
		Handler:           s.rejectWhileDraining(h),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return s
}

// Run listens and serves until ctx is cancelled, then shuts down
// gracefully. It returns nil after a clean shutdown.
func (s *HTTPServer) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
	s.logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return s.Shutdown()
}

// Shutdown drains the server: new requests get 503 with Connection: close,
// in-flight ones have s.timeout to complete, and connections still open
// after that are closed forcibly.
func (s *HTTPServer) Shutdown() error {
	s.draining.Store(true)
	s.logger.Info("shutting down", "timeout", s.timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.logger.Warn("shutdown timed out; closing remaining connections")
		return s.srv.Close()
	}
	return err
}

// rejectWhileDraining answers 503 once shutdown has begun so that keep-
// alive clients reconnect to another instance.
func (s *HTTPServer) rejectWhileDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}
