package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/fsperm"
	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/resilience"
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
	pg      *pgstore.DB // the PostgreSQL store, when configured
	cache   *cache.Cache
	started bool // a command's run function was reached
	// llmObserver, if set, hears what the LLM provider's resilience
	// policy does (aur serve's and aur mcp's metrics).
	llmObserver resilience.Observer
	// invalid holds the settings Load refused, for a command annotated
	// with annotationShowsInvalidConfig (aur config show); every other
	// command stops on them.
	invalid *config.InvalidError
	replicaState
}

// annotationShowsInvalidConfig marks a command that runs despite invalid
// settings, to show them.
const annotationShowsInvalidConfig = "aur/shows-invalid-config"

// NewFactory returns a factory writing to ios.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	return &Factory{IOStreams: ios, Now: time.Now, log: zerolog.Nop()}
}

// init loads the configuration and opens the log; called from the root's
// PersistentPreRunE for cmd, once flags are known. An invalid setting is a
// usage error (exit 2) before any command does anything.
func (f *Factory) init(cmd *cobra.Command, configFile string) error {
	f.started = true
	flags := cmd.Flags()
	cfg, err := config.Load(flags, configFile)
	var ie *config.InvalidError
	switch {
	case errors.As(err, &ie) && cmd.Annotations[annotationShowsInvalidConfig] != "":
		f.invalid = ie
	case err != nil:
		return &codedError{Code: ExitUsage, Err: err}
	}
	f.cfg, f.flags = cfg, flags
	f.reader, f.command = cmd.Annotations[annotationReader] != "", strings.TrimPrefix(cmd.CommandPath(), "aur ")
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
	// The log holds query text: AURORA_HOME, logs/ and the file are
	// private (package fsperm).
	dir := filepath.Join(cfg.Home, "logs")
	var w io.Writer = io.Discard
	if err := fsperm.MkdirAll(dir); err == nil {
		if fh, err := fsperm.OpenAppend(filepath.Join(dir, "aurora.log")); err == nil {
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
	if err := makeDataDir(filepath.Dir(f.cfg.DBPath)); err != nil {
		return nil, fmt.Errorf("open store %q: %w", f.cfg.DBPath, err)
	}
	db, err := store.Open(ctx, f.cfg.DBPath)
	if err != nil {
		return nil, err
	}
	f.db = db
	return db, nil
}

// makeDataDir creates a database's directory if it is a .aurora/ that
// does not exist yet, private, with a .gitignore of "*": the index and the
// cache are build output of a sort and must never show in git status. An
// existing directory is left alone; any other directory is store.Open's
// to create.
func makeDataDir(dir string) error {
	if filepath.Base(dir) != ".aurora" {
		return nil
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := fsperm.MkdirAll(dir); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), fsperm.FileMode)
}

// StoreIfExists opens the project database if its file exists, for
// commands that read it and must not create it; it returns nil and no
// error if there is none. A database this process cannot write (another
// user's, on a read-only mount) is opened read-only: reading works, and
// what the command would have written (its query record) is left out
// with one warning (see askOptions).
//
// A reader command (annotationReader) with a replica configured gets the
// replica instead when the primary is unusable (see openReader).
func (f *Factory) StoreIfExists(ctx context.Context) (*store.DB, error) {
	if f.db != nil {
		return f.db, nil
	}
	if f.reader && f.cfg.ReplicaPath != "" {
		return f.openReader(ctx)
	}
	return f.openPrimary(ctx)
}

// openPrimary is StoreIfExists for the project database itself.
func (f *Factory) openPrimary(ctx context.Context) (*store.DB, error) {
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
		// Answering from the replica, the primary's .aurora/ may be gone:
		// made again, it gets its .gitignore.
		makeDataDir(filepath.Dir(path))
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
	if f.pg != nil {
		f.pg.Close()
	}
	if f.logFile != nil {
		f.logFile.Close()
	}
}
