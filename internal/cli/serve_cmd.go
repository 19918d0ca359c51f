package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/server"
	"github.com/aurora-dev/aur/internal/termtext"
)

// EnvServeToken is the bearer token aur serve requires; it is read from
// the environment only (like API keys), never from a configuration file,
// and never printed.
const EnvServeToken = "AURORA_SERVE_TOKEN"

// ServeOptions are the inputs of aur serve.
type ServeOptions struct {
	F               *Factory
	Listen          string
	TokenFile       string
	MaxInFlight     int
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	Watch           bool
	WatchDebounce   time.Duration
	// AddrFile, if set, receives {"addr": ..., "pid": ...} once the
	// server listens (for scripts and tests that pick port 0).
	AddrFile string
	// Resident keeps an in-memory copy of the search index (query.Resident).
	Resident bool
}

// NewCmdServe builds aur serve.
func NewCmdServe(f *Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the index over HTTP (JSON), with Prometheus metrics",
		Long: `Serve the project database over HTTP, for headless use: a container, a
sidecar, a team's shared index. Always non-interactive: a weak match
continues with its chunks. Bodies and responses use the schema of --json.

  POST /v1/search   {"query": "...", "limit": 10, "files": false, "exclude_tests": false,
                     "paths": [], "langs": [], "types": []}   -> aur mem search --json
  POST /v1/query    the same fields                           -> aur query --json
  GET  /v1/stats?view=retrieval-quality|sla|alerts&since=7d   -> aur stats --json
  GET  /v1/index    aur mem stats --json, plus age_seconds and indexing
  POST /v1/index    re-index incrementally (one at a time; another gets 409)
  GET  /healthz     the process is up
  GET  /readyz      the database opens and answers a query
  GET  /metrics     Prometheus text format (AURORA_METRICS_ENABLED=false
                    turns it off; AURORA_METRICS_PORT serves it on a port of
                    its own)

Errors are {"error": {"code": "...", "message": "..."}}: 400 bad input,
401 missing or wrong token, 409 an index run in progress, 413 a body over
--max-body-bytes, 429 over --max-in-flight requests at once, 502 the LLM
failed (the body is the usual result with its results and an error),
503 the database is unavailable.

On any address but loopback, aur serve requires a bearer token
(AURORA_SERVE_TOKEN or --token-file) and refuses to start without one.
SIGINT or SIGTERM stops it gracefully: no new connections, in-flight
requests finish (up to --shutdown-timeout), the query log is flushed,
exit 0. Each request is logged on stderr as a JSON line with its id.`,
		Example: `  aur serve
  aur serve --watch
  AURORA_SERVE_TOKEN=$(cat /run/secrets/aur) aur serve --listen 0.0.0.0:7420
  curl -s localhost:7420/v1/search -d '{"query": "open the database"}'`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxInFlight < 1 {
				return usageErrorf("--max-in-flight must be at least 1, got %d", opts.MaxInFlight)
			}
			if opts.MaxBodyBytes < 1024 {
				return usageErrorf("--max-body-bytes must be at least 1024, got %d", opts.MaxBodyBytes)
			}
			if opts.ShutdownTimeout <= 0 {
				return usageErrorf("--shutdown-timeout must be positive")
			}
			if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
				return usageErrorf("--listen %q: want HOST:PORT (%v)", opts.Listen, err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return serveRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", server.DefaultAddr, "address to listen on, HOST:PORT")
	fl.StringVar(&opts.TokenFile, "token-file", "", "file holding the bearer token (instead of "+EnvServeToken+"); mode 0600")
	fl.IntVar(&opts.MaxInFlight, "max-in-flight", server.DefaultMaxInFlight, "requests served at once; more get 429")
	fl.Int64Var(&opts.MaxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body; larger ones get 413")
	fl.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish at shutdown")
	fl.BoolVar(&opts.Watch, "watch", false, "keep the index current: re-index files as they change")
	fl.DurationVar(&opts.WatchDebounce, "watch-debounce", 200*time.Millisecond, "with --watch, wait this long after the last change before re-indexing")
	fl.BoolVar(&opts.Resident, "resident", true, residentFlagHelp)
	fl.StringVar(&opts.AddrFile, "addr-file", "", "write the address listened on (and the pid) to this file as JSON")
	_ = fl.MarkHidden("addr-file")
	return cmd
}

// serveToken returns the bearer token: --token-file, else
// AURORA_SERVE_TOKEN, else "".
func serveToken(opts *ServeOptions) (string, error) {
	if opts.TokenFile == "" {
		return strings.TrimSpace(os.Getenv(EnvServeToken)), nil
	}
	return readTokenFile(opts.TokenFile)
}

// readTokenFile reads a secret from a file only its owner can read (the
// rule ssh applies to private keys, and aur to AURORA_API_KEY_FILE).
func readTokenFile(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", usageErrorf("--token-file: %v", err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return "", usageErrorf("--token-file: %v", err)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return "", usageErrorf("--token-file %s has mode %04o: it must not be accessible by group or others (run: chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(fh, 4096))
	if err != nil {
		return "", usageErrorf("--token-file: %v", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", usageErrorf("--token-file %s must hold one word, the token", path)
	}
	return tok, nil
}

func serveRun(cmd *cobra.Command, opts *ServeOptions) error {
	f := opts.F
	ctx := cmd.Context()
	ios := f.IOStreams
	token, err := serveToken(opts)
	if err != nil {
		return err
	}
	if !server.IsLoopback(opts.Listen) && token == "" {
		return usageErrorf("refusing to serve on %s without a token: set %s or --token-file (or listen on 127.0.0.1)", opts.Listen, EnvServeToken)
	}
	if token != "" && len(token) < 16 {
		return usageErrorf("the serve token is %d characters; use at least 16 (e.g. openssl rand -hex 32)", len(token))
	}
	db, err := openSearchIndex(f, cmd)
	if err != nil {
		return err
	}
	// Request logs are JSON lines on stderr (a container's log); the
	// service's own events go to the log file as for every command.
	reqLog := zerolog.New(ios.ErrOut).With().Timestamp().Logger()
	m := newFaceMetrics(f)
	svc, ql, err := faceService(ctx, f, db, m.observer(), opts.Resident)
	if err != nil {
		return err
	}
	m.watch(svc, ql)
	srvOpts := server.Options{Token: token, MaxInFlight: opts.MaxInFlight, MaxBodyBytes: opts.MaxBodyBytes,
		Log: reqLog, Observer: m.httpObserver()}
	if m.enabled() && m.port == 0 {
		srvOpts.Metrics = m.handler()
	}
	srv := server.New(svc, srvOpts)
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	addr := ln.Addr().String()
	if m.enabled() && m.port != 0 {
		host, _, _ := net.SplitHostPort(opts.Listen)
		mln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(m.port)))
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen for metrics on port %d (AURORA_METRICS_PORT): %w", m.port, err)
		}
		go m.serve(ctx, mln, reqLog)
		reqLog.Info().Str("addr", mln.Addr().String()).Msg("metrics listening")
	}
	if opts.Watch {
		if err := startWatch(ctx, f, svc, opts.WatchDebounce, reqLog, nil); err != nil {
			ln.Close()
			return err
		}
	}
	reqLog.Info().Str("addr", addr).Str("db", db.Path()).Bool("auth", token != "").Bool("watch", opts.Watch).Msg("listening")
	fmt.Fprintf(ios.ErrOut, "aur: serving %s on http://%s\n", termtext.Line(db.Path()), addr)
	if opts.AddrFile != "" {
		b, _ := json.Marshal(map[string]any{"addr": addr, "pid": os.Getpid()})
		if err := writeFileAtomic(opts.AddrFile, b); err != nil {
			ln.Close()
			return err
		}
	}
	err = server.Serve(ctx, srv.HTTPServer(), ln, opts.ShutdownTimeout, reqLog)
	if ql != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
		if ferr := ql.Close(fctx); ferr != nil {
			reqLog.Warn().Err(ferr).Int("pending", ql.Pending()).Msg("query log not flushed")
		}
		cancel()
	}
	if err != nil {
		return err
	}
	reqLog.Info().Msg("stopped")
	return nil
}

// writeFileAtomic writes b to path through a temporary file and a rename,
// so that a reader never sees half of it.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
