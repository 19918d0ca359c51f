// Package servicetest builds a real service over a small indexed tree in
// a temp dir, for the tests of the faces (server, mcpserver) and of the
// service itself.
package servicetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// Files is the fixture tree: a retry package (what good questions find),
// a config loader and a cache.
var Files = map[string]string{
	"retry/retry.go": `package retry

// Backoff returns the delay before retry attempt n: exponential backoff
// with a base delay, doubled each attempt, capped at a maximum delay.
func Backoff(base, maxDelay int, n int) int {
	d := base << n
	if d > maxDelay {
		return maxDelay
	}
	return d
}

// Retry calls fn until it succeeds or attempts run out, sleeping with
// exponential backoff between attempts.
func Retry(attempts int, fn func() error) error {
	var err error
	for n := 0; n < attempts; n++ {
		if err = fn(); err == nil {
			return nil
		}
		sleep(Backoff(100, 5000, n))
	}
	return err
}

func sleep(ms int) {}
`,
	"retry/jitter.go": `package retry

// Jitter spreads the backoff delay of a retry attempt by up to a tenth.
func Jitter(delay int, attempt int) int {
	return delay + delay/10*attempt%3
}

// MaxAttempts is how many retry attempts exponential backoff allows before
// the delay reaches its cap.
func MaxAttempts(base, maxDelay int) int {
	n := 0
	for Backoff(base, maxDelay, n) < maxDelay {
		n++
	}
	return n + 1
}
`,
	"config/config.go": `package config

// Load reads the configuration file and applies environment overrides.
func Load(path string) (map[string]string, error) {
	cfg := map[string]string{}
	applyEnvOverrides(cfg)
	return cfg, nil
}

func applyEnvOverrides(cfg map[string]string) {}
`,
	"cache/cache.go": `package cache

// Get returns a cached value by key from the least recently used cache.
func Get(key string) ([]byte, bool) { return nil, false }

// Put stores a value in the cache, evicting the least recently used entry.
func Put(key string, value []byte) {}
`,
}

// WeakQuery grades weak on the fixture: it matches the retry code, but
// its last word is nowhere in the index.
const WeakQuery = "exponential backoff zanzibarquux"

// Fixture is an indexed tree and a service over it.
type Fixture struct {
	Root string // the indexed tree
	DB   *store.DB
	Svc  *service.Service
}

// New writes Files to a temp dir, indexes it into a database in another,
// and returns a service over it built with deps (DB is filled in).
func New(t testing.TB, deps service.Deps) *Fixture {
	t.Helper()
	return NewWith(t, Settings(), deps)
}

// Settings are the settings New uses.
func Settings() service.Settings {
	return service.Settings{Thresholds: quality.DefaultThresholds, MaxQueryLength: 10000,
		Index: service.IndexSettings{NoGit: true}}
}

// NewWith is New with other settings.
func NewWith(t testing.TB, set service.Settings, deps service.Deps) *Fixture {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	for p, c := range Files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := index.Run(ctx, db, index.Options{Root: root, Path: root, NoGit: true}); err != nil {
		t.Fatal(err)
	}
	deps.DB = db
	if deps.Log.GetLevel() == zerolog.TraceLevel {
		deps.Log = zerolog.Nop()
	}
	svc := service.New(set, deps)
	return &Fixture{Root: root, DB: db, Svc: svc}
}
