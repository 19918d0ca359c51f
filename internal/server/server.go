package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/service"
)

// Defaults of Options.
const (
	DefaultAddr         = "127.0.0.1:7420"
	DefaultMaxInFlight  = 64
	DefaultMaxBodyBytes = 1 << 20
)

// Error codes of the JSON error body, part of the API.
const (
	CodeInvalidRequest   = "invalid_request"
	CodeBodyTooLarge     = "body_too_large"
	CodeTooManyRequests  = "too_many_requests"
	CodeStoreUnavailable = "store_unavailable"
	CodeIndexBusy        = "index_busy"
	CodeNoIndexRoot      = "no_index_root"
	CodeRemoteIndex      = "remote_index" // POST /v1/index over a PostgreSQL store
	CodeUnauthorized     = "unauthorized"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeInternal         = "internal"
)

// Observer hears of every request, for metrics. Calls must not block.
type Observer interface {
	// ObserveRequest is called when a request finishes; route is the
	// endpoint's pattern ("/v1/search"), or "other" for unknown paths.
	ObserveRequest(route string, status int, d time.Duration)
	// InFlight is called with +1 when a request starts being served and
	// -1 when it ends.
	InFlight(delta int)
}

// Options configure a Server.
type Options struct {
	// Token, if set, is required as "Authorization: Bearer TOKEN" on
	// every endpoint but /healthz and /readyz.
	Token string
	// MaxInFlight bounds the /v1 requests served at once; more get 429.
	MaxInFlight int
	// MaxBodyBytes bounds a request body; a larger one gets 413.
	MaxBodyBytes int64
	// Metrics, if set, serves GET /metrics on this listener.
	Metrics http.Handler
	// Observer, if set, hears of every request.
	Observer Observer
	// Log receives one JSON line per request, and the server's events.
	Log zerolog.Logger
}

// Server serves one service over HTTP.
type Server struct {
	svc  *service.Service
	opts Options
	sem  chan struct{}
	seq  atomic.Uint64
	boot string // a random prefix of request ids, per process
}

// New returns a server over svc.
func New(svc *service.Service, opts Options) *Server {
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Server{svc: svc, opts: opts, sem: make(chan struct{}, opts.MaxInFlight), boot: hex.EncodeToString(b[:])}
}

// HTTPServer returns an http.Server for the handler with aur's timeouts:
// a slow client cannot hold a connection, and a query that asks an LLM
// (with its retries) still has time to finish.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// route is one endpoint: its method handlers.
type route struct {
	pattern string
	methods map[string]http.HandlerFunc
	public  bool // no token needed
	limited bool // counts against MaxInFlight
}

func (s *Server) routes() []route {
	rs := []route{
		{pattern: "/healthz", public: true, methods: map[string]http.HandlerFunc{http.MethodGet: s.healthz}},
		{pattern: "/readyz", public: true, methods: map[string]http.HandlerFunc{http.MethodGet: s.readyz}},
		{pattern: "/v1/search", limited: true, methods: map[string]http.HandlerFunc{http.MethodPost: s.search}},
		{pattern: "/v1/query", limited: true, methods: map[string]http.HandlerFunc{http.MethodPost: s.query}},
		{pattern: "/v1/stats", limited: true, methods: map[string]http.HandlerFunc{http.MethodGet: s.stats}},
		{pattern: "/v1/index", limited: true, methods: map[string]http.HandlerFunc{http.MethodGet: s.indexStatus, http.MethodPost: s.reindex}},
	}
	if s.opts.Metrics != nil {
		rs = append(rs, route{pattern: "/metrics", methods: map[string]http.HandlerFunc{http.MethodGet: s.opts.Metrics.ServeHTTP}})
	}
	return rs
}

// Handler returns the server's handler: routing, the token, the
// concurrency limit, request ids and the request log.
func (s *Server) Handler() http.Handler {
	byPath := map[string]route{}
	for _, r := range s.routes() {
		byPath[r.pattern] = r
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get("X-Request-Id"))
		if id == "" {
			id = s.boot + "-" + hexU64(s.seq.Add(1))
		}
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", id)
		rt, ok := byPath[r.URL.Path]
		name := "other"
		if ok {
			name = rt.pattern
		}
		log := s.opts.Log.With().Str("request_id", id).Logger()
		r = r.WithContext(log.WithContext(r.Context()))
		defer func() {
			d := time.Since(start)
			if s.opts.Observer != nil {
				s.opts.Observer.ObserveRequest(name, sw.code(), d)
			}
			ev := log.Info()
			if sw.code() >= 500 {
				ev = log.Warn()
			}
			ev.Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.code()).
				Int64("bytes", sw.n).Float64("duration_ms", float64(d.Microseconds())/1000).
				Str("remote", r.RemoteAddr).Msg("request")
		}()
		switch {
		case !ok:
			writeError(sw, http.StatusNotFound, CodeNotFound, "no such endpoint: "+r.URL.Path)
			return
		case !rt.public && !s.authorized(r):
			sw.Header().Set("WWW-Authenticate", `Bearer realm="aur"`)
			writeError(sw, http.StatusUnauthorized, CodeUnauthorized, "a bearer token is required (Authorization: Bearer $AURORA_SERVE_TOKEN)")
			return
		}
		h, ok := rt.methods[r.Method]
		if !ok {
			var allow []string
			for m := range rt.methods {
				allow = append(allow, m)
			}
			sw.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(sw, http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.Method+" is not allowed on "+rt.pattern)
			return
		}
		if rt.limited {
			select {
			case s.sem <- struct{}{}:
				defer func() { <-s.sem }()
			default:
				sw.Header().Set("Retry-After", "1")
				writeError(sw, http.StatusTooManyRequests, CodeTooManyRequests, "the server is at its concurrency limit; retry shortly")
				return
			}
			if s.opts.Observer != nil {
				s.opts.Observer.InFlight(1)
				defer s.opts.Observer.InFlight(-1)
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, s.opts.MaxBodyBytes)
		}
		h(sw, r)
	})
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.opts.Token)) == 1
}

// requestID accepts a caller's id when it is short and plain, so that it
// can go into logs as it is.
func requestID(s string) string {
	if s == "" || len(s) > 64 {
		return ""
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return s
}

func hexU64(n uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[n&15]
		n >>= 4
		if n == 0 {
			return string(b[i:])
		}
	}
}

// statusWriter remembers the status and counts the bytes written.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Flush lets streaming handlers (none yet) flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error service.ErrorBody `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: service.ErrorBody{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// IsLoopback tells whether addr (host:port) binds only to loopback
// addresses: 127.0.0.0/8, ::1 or localhost. An empty host binds every
// interface, which is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve serves srv on ln until ctx is done, then shuts down gracefully:
// no new connections, in-flight requests finish within grace, and then
// whatever is still open is closed. It returns nil after a shutdown that
// ctx asked for.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, log zerolog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info().Str("addr", ln.Addr().String()).Msg("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Dur("grace", grace).Msg("in-flight requests did not finish in time; closing them")
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
