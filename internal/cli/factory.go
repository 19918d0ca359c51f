package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/store"
)

// Factory holds what every command needs, built once per invocation after
// the flags are parsed.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Now       func() time.Time
	warned    map[string]bool // warnOnce's keys

	cfg     *config.Config
	flags   *pflag.FlagSet
	log     zerolog.Logger
	logFile *os.File
	db      *store.DB
	cache   *cache.Cache
	started bool // a command's run function was reached
}

// NewFactory returns a factory writing to ios.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	return &Factory{IOStreams: ios, Now: time.Now, log: zerolog.Nop()}
}

// init loads the configuration and opens the log; called from the root's
// PersistentPreRunE, once flags are known.
func (f *Factory) init(flags *pflag.FlagSet, configFile string) error {
	f.started = true
	cfg, err := config.Load(flags, configFile)
	if err != nil {
		return &codedError{Code: ExitUsage, Err: err}
	}
	f.cfg, f.flags = cfg, flags
	f.IOStreams.SetNeverPrompt(cfg.Bool(config.KeyNonInteractive))
	f.log = f.openLog(cfg)
	return nil
}

// Config returns the loaded configuration.
func (f *Factory) Config() *config.Config { return f.cfg }

// Log returns the logger: JSON lines in $AURORA_HOME/logs/aurora.log.
func (f *Factory) Log() *zerolog.Logger { return &f.log }

func (f *Factory) openLog(cfg *config.Config) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(strings.ToLower(cfg.String(config.KeyLogLevel)))
	if err != nil || lvl == zerolog.NoLevel {
		lvl = zerolog.InfoLevel
	}
	dir := filepath.Join(cfg.Home, "logs")
	var w io.Writer = io.Discard
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if fh, err := os.OpenFile(filepath.Join(dir, "aurora.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			f.logFile, w = fh, fh
		}
	}
	// Every line passes llm.Redact: no API key reaches the log, whatever
	// error text carried it.
	return zerolog.New(&redactWriter{w: w, failed: func(err error) {
		f.warnOnce("log", "cannot write the log (%v); logging is off for this run", err)
	}}).Level(lvl).With().Timestamp().Int("pid", os.Getpid()).Logger()
}

// redactWriter removes known API keys from what it writes. A write that
// fails (a full disk) calls failed once and turns the log off: zerolog
// would otherwise print "zerolog: could not write event" for every event.
type redactWriter struct {
	w      io.Writer
	failed func(error)
	off    bool
}

func (r *redactWriter) Write(p []byte) (int, error) {
	if r.off {
		return len(p), nil
	}
	if _, err := r.w.Write([]byte(llm.Redact(string(p)))); err != nil {
		r.off = true
		if r.failed != nil {
			r.failed(err)
		}
	}
	return len(p), nil
}

// Store opens the project database (once).
func (f *Factory) Store(ctx context.Context) (*store.DB, error) {
	if f.db != nil {
		return f.db, nil
	}
	db, err := store.Open(ctx, f.cfg.DBPath)
	if err != nil {
		return nil, err
	}
	f.db = db
	return db, nil
}

// StoreIfExists opens the project database if its file exists, for
// commands that read it and must not create it; it returns nil and no
// error if there is none. A database this process cannot write (another
// user's, on a read-only mount) is opened read-only: reading works, and
// what the command would have written (its query record) is left out
// with one warning (see askOptions).
func (f *Factory) StoreIfExists(ctx context.Context) (*store.DB, error) {
	path := f.cfg.DBPath
	if _, err := os.Stat(path); err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	if f.db != nil {
		return f.db, nil
	}
	if writable(path) && writable(filepath.Dir(path)) {
		db, err := f.Store(ctx)
		if store.ErrorCode(err) != store.CodeReadOnly {
			return db, err
		}
	}
	db, err := store.Open(ctx, path, store.ReadOnly())
	if err != nil {
		return nil, err
	}
	f.db = db
	return db, nil
}

// writable is store.Writable; tests replace it, as they run as root,
// whom permissions do not stop.
var writable = store.Writable

// warnOnce prints "aur: warning: ..." on stderr the first time key is
// seen: a degraded service (no log, no query record) is said once, not
// at every event.
func (f *Factory) warnOnce(key, format string, a ...any) {
	if f.warned[key] {
		return
	}
	if f.warned == nil {
		f.warned = map[string]bool{}
	}
	f.warned[key] = true
	fmt.Fprintf(f.IOStreams.ErrOut, "aur: warning: "+format+"\n", a...)
}

// Cache opens the query cache (once): AURORA_CACHE_PATH, or cache.db
// beside the project database. A cache that cannot be opened is reported
// in the log and replaced by none: queries work without it.
func (f *Factory) Cache(ctx context.Context) ask.Cache {
	if f.cache != nil {
		return f.cache
	}
	cfg := f.Config()
	path := cfg.String(config.KeyCachePath)
	if path == "" {
		path = cache.DefaultPath(cfg.DBPath)
	}
	hot := cfg.Int(config.KeyCacheHotSize)
	if hot == 0 {
		hot = -1 // 0 switches the in-process layer off; cache.Options reads 0 as the default
	}
	c, err := cache.Open(ctx, path, cache.Options{HotSize: hot, TTL: cfg.Seconds(config.KeyCacheTTL), Now: f.Now})
	if err != nil {
		f.Log().Warn().Err(err).Str("path", path).Msg("query cache unavailable")
		return nil
	}
	f.cache = c
	return c
}

// Close releases the store, the cache and the log.
func (f *Factory) Close() {
	if f.cache != nil {
		f.cache.Close()
	}
	if f.db != nil {
		f.db.Close()
	}
	if f.logFile != nil {
		f.logFile.Close()
	}
}
