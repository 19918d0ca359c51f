package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/aurora-dev/aur/internal/store"
)

// Defaults of Options, the production guide's AURORA_CACHE_HOT_SIZE and
// AURORA_CACHE_TTL.
const (
	DefaultHotSize = 2000
	DefaultTTL     = 600 * time.Second
)

// FileName is the persistent cache's file name beside the project database
// (see DefaultPath).
const FileName = "cache.db"

// pruneBatch bounds how many expired rows one Put deletes.
const pruneBatch = 64

// schemaVersion is the PRAGMA user_version of the cache's schema.
const schemaVersion = 1

const schema = `
CREATE TABLE cache_entries (
	key        TEXT    PRIMARY KEY, -- Key(...): hex SHA-256
	value      BLOB    NOT NULL,
	expires_ms INTEGER NOT NULL     -- unix milliseconds; the entry is live while now < expires_ms
);
CREATE INDEX cache_entries_expires ON cache_entries(expires_ms);
PRAGMA user_version = 1;
`

// ErrNewerSchema is returned by Open for a cache file written by a newer
// aur.
var ErrNewerSchema = errors.New("cache schema is newer than this aur")

// Options configure a Cache. The zero value is usable: default sizes, the
// wall clock.
type Options struct {
	// HotSize is how many entries the in-process LRU holds: 0 means
	// DefaultHotSize, a negative value turns the hot layer off (so a caller
	// mapping AURORA_CACHE_HOT_SIZE=0 passes -1).
	HotSize int
	// TTL is how long an entry lives after its Put: 0 means DefaultTTL;
	// negative is an error.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Cache is a two-layer cache of byte values under string keys. It is safe
// for concurrent use. A nil *Cache is a cache that never hits.
type Cache struct {
	db   *sql.DB
	path string
	hot  *lru.Cache[string, entry] // nil when the hot layer is off
	ttl  time.Duration
	now  func() time.Time
}

type entry struct {
	value     []byte
	expiresMS int64
}

// DefaultPath returns the persistent cache's default location: cache.db
// beside the project database (.aurora/cache.db).
func DefaultPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), FileName)
}

// Key hashes the parts that decide a cached value into a key: SHA-256 over
// each part's length (uvarint) and bytes, in hex. Length prefixes keep
// ("ab", "c") and ("a", "bc") apart. Callers pass at least the normalized
// query, the retrieval settings and the index generation.
func Key(parts ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Open opens (creating if needed) the persistent cache at path. It fails,
// leaving the file as it is, if the file is not an aur cache: corrupt, not
// SQLite, another database, or of a newer schema.
func Open(ctx context.Context, path string, opts Options) (*Cache, error) {
	if path == "" {
		return nil, errors.New("open cache: empty path")
	}
	if opts.TTL < 0 {
		return nil, fmt.Errorf("open cache %q: negative TTL %v", path, opts.TTL)
	}
	c := &Cache{path: path, ttl: opts.TTL, now: opts.Now}
	if c.ttl == 0 {
		c.ttl = DefaultTTL
	}
	if c.now == nil {
		c.now = time.Now
	}
	hot := opts.HotSize
	if hot == 0 {
		hot = DefaultHotSize
	}
	if hot > 0 {
		l, err := lru.New[string, entry](hot)
		if err != nil {
			return nil, fmt.Errorf("open cache %q: %w", path, err)
		}
		c.hot = l
	}
	// Cached answers quote the code and the questions: private files,
	// opened as aur opens every SQLite file (store.OpenFile).
	db, err := store.OpenFile(ctx, path)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("open cache %q: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open cache %q (delete the file to start a new cache): %w", path, err)
	}
	c.db = db
	if err := c.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open cache %q (delete the file to start a new cache): %w", path, err)
	}
	return c, nil
}

func (c *Cache) init(ctx context.Context) error {
	var mode string
	if err := c.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	var v int
	if err := c.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	switch {
	case v == schemaVersion:
		return nil
	case v > schemaVersion:
		return fmt.Errorf("%w: version %d, this aur knows %d", ErrNewerSchema, v, schemaVersion)
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have created it while we waited for the lock.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v == schemaVersion {
		return nil
	}
	var tables int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").Scan(&tables); err != nil {
		return err
	}
	if tables > 0 {
		return errors.New("not an aur cache: the database already holds other tables")
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return err
	}
	return tx.Commit()
}

// Path returns the persistent cache's file.
func (c *Cache) Path() string {
	if c == nil {
		return ""
	}
	return c.path
}

// Get returns the live value under key, from the hot layer or else the
// file (which then warms the hot layer). Expired entries are misses. The
// returned slice is the caller's.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if c == nil {
		return nil, false, nil
	}
	now := c.now().UnixMilli()
	if c.hot != nil {
		if e, ok := c.hot.Get(key); ok {
			if now < e.expiresMS {
				return bytes.Clone(e.value), true, nil
			}
			c.hot.Remove(key)
		}
	}
	var v []byte
	var exp int64
	err := c.db.QueryRowContext(ctx, `SELECT value, expires_ms FROM cache_entries WHERE key = ? AND expires_ms > ?`,
		key, now).Scan(&v, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get: %w", err)
	}
	if v == nil {
		v = []byte{}
	}
	if c.hot != nil {
		c.hot.Add(key, entry{value: bytes.Clone(v), expiresMS: exp})
	}
	return v, true, nil
}

// Put stores value under key in both layers, to expire TTL from now, and
// deletes up to pruneBatch expired rows from the file in the same
// transaction. The value is copied.
func (c *Cache) Put(ctx context.Context, key string, value []byte) error {
	if c == nil {
		return nil
	}
	now := c.now()
	e := entry{value: append([]byte{}, value...), expiresMS: now.Add(c.ttl).UnixMilli()}
	if c.hot != nil {
		c.hot.Add(key, e)
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO cache_entries(key, value, expires_ms) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_ms = excluded.expires_ms`,
		key, e.value, e.expiresMS); err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	if err := pruneTx(ctx, tx, now.UnixMilli()); err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	return nil
}

// pruneTx deletes at most pruneBatch rows that expired at or before now,
// oldest first (an index range, so the cost does not grow with the file).
func pruneTx(ctx context.Context, tx *sql.Tx, nowMS int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE rowid IN (
		SELECT rowid FROM cache_entries WHERE expires_ms <= ? ORDER BY expires_ms LIMIT ?)`, nowMS, pruneBatch)
	return err
}

// Close closes the file and empties the hot layer.
func (c *Cache) Close() error {
	if c == nil {
		return nil
	}
	if c.hot != nil {
		c.hot.Purge()
	}
	return c.db.Close()
}
