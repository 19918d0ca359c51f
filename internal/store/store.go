package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/aurora-dev/aur/internal/fsperm"
)

// driverName is mattn's SQLite driver with a connect hook that sets the
// page size before the journal mode. 16 KiB pages make the chunk store
// about 5% smaller than the default 4 KiB ones (less per-page overhead for
// chunk texts of one to a few kilobytes; measured on GOROOT/src: 138 MB
// against 145 MB). The page size only takes effect on a new, empty
// database, and only before WAL is switched on, which is why the journal
// mode is set here too rather than in the DSN.
const driverName = "sqlite3_aur"

// driverNameRO opens databases read-only: no connect hook, as neither the
// page size nor the journal mode can be set without writing. openFile
// uses it too, for files that must keep their journal mode.
const driverNameRO = "sqlite3_aur_ro"

// driverNameStore is driverNameRO with the chunk store's read settings
// (storePragmas): Open uses it for read-only stores.
const driverNameStore = "sqlite3_aur_store_ro"

// storePragmas are run on every connection of a chunk store (Open).
// Memory-mapped reads: a search reads a few megabytes of FTS5 pages,
// which through mmap come straight from the OS page cache, shared by
// every connection and process, instead of being copied into each
// connection's own cache by pread (a fresh CLI process, or a server
// connection the pool opened anew, starts with an empty one). 1 GiB is
// a bound on the mapping, not memory used.
var storePragmas = []string{"PRAGMA mmap_size = 1073741824"}

func init() {
	sql.Register(driverNameRO, &sqlite3.SQLiteDriver{})
	sql.Register(driverNameStore, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			for _, p := range storePragmas {
				if _, err := c.Exec(p, nil); err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
			}
			return nil
		},
	})
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			for _, p := range append([]string{"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL"}, storePragmas...) {
				if _, err := c.Exec(p, nil); err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
			}
			return nil
		},
	})
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open chunk store.
type DB struct {
	db       *sql.DB
	path     string
	readOnly bool
	vectors  vectorCache // packed sign codes, see NearestChunks
}

// OpenOption changes how Open opens a store.
type OpenOption func(*openOptions)

type openOptions struct {
	readOnly bool
}

// ReadOnly opens an existing store without writing to it, for commands
// that only read, when the file or its directory cannot be written (as
// another user, on a read-only mount): mode=ro, and immutable=1 when
// there is no -wal file and none can be created, since SQLite needs the
// WAL index (-shm) for a read-only WAL database otherwise. Writes fail
// with a read-only error (ErrorCode CodeReadOnly). The schema must be
// current: migrations need write access.
func ReadOnly() OpenOption { return func(o *openOptions) { o.readOnly = true } }

// maxIdleConns is how many idle connections a store keeps open.
const maxIdleConns = 16

// ErrNewerSchema is returned by Open for a database written by a newer aur.
var ErrNewerSchema = errors.New("database schema is newer than this aur")

// Open opens (creating if needed) the store at path and brings its schema
// up to date. It is the one way aur opens SQLite.
func Open(ctx context.Context, path string, opts ...OpenOption) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if damaged, cause := Damaged(path); damaged {
		return nil, fmt.Errorf("open store %q: %w (found earlier: %s)", path, ErrDamaged, cause)
	}
	if !o.readOnly {
		// The store holds the project's code: its directory and files are
		// private (package fsperm).
		if err := fsperm.MkdirAll(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("open store %q: %w", path, err)
		}
		if _, err := fsperm.Create(path); err != nil {
			return nil, fmt.Errorf("open store %q: %w", path, err)
		}
	}
	q := dsnParams(o.readOnly)
	driver := driverName
	if o.readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store %q read-only: %w", path, err)
		}
		driver = driverNameStore
		q.Set("mode", "ro")
		if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) && !Writable(filepath.Dir(path)) {
			q.Set("immutable", "1")
		}
	}
	// 8 MB of page cache per connection: aur processes are short-lived, so a
	// larger cache only grows the indexer's memory (32 MB measured 300 MB
	// peak RSS on GOROOT/src against 220 MB, for the same time).
	q.Set("_cache_size", "-8000")
	sqldb, err := sql.Open(driver, dsn(path, q))
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// Keep as many idle connections as a server runs searches at once
	// (database/sql keeps 2 by default): a connection closed after each
	// burst and opened again costs its open, its pragmas and its cache.
	sqldb.SetMaxIdleConns(maxIdleConns)
	db := &DB{db: sqldb, path: path, readOnly: o.readOnly}
	if err := db.init(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	return db, nil
}

// openFile opens a SQLite file as it is, without Open's pragmas, WAL
// switch or migrations, for the two uses that must see the file exactly
// as it lies: a copy's destination (copy.go), whose journal mode and
// schema the copy decides, and a file under verification (verify.go),
// which may be damaged or of another schema version and must not be
// changed. It takes the damage marker as no reason to refuse: both uses
// are how a damaged database is handled. One connection: a copy's raw
// connection and its follow-up statements must be the same one.
func openFile(path string, mode fileMode) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	switch mode {
	case fileReadOnly:
		q.Set("mode", "ro")
	case fileReadWrite:
		// Verify's FTS5 command needs the write lock and must not wait
		// for an index run to give it up.
		q.Set("_busy_timeout", "0")
	case fileScratch:
		// A copy's destination is a temporary file nobody else uses,
		// synced explicitly once complete (see CopyTo).
		q.Set("_synchronous", "OFF")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open(driverNameRO, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// fileMode is how openFile opens a file.
type fileMode uint8

const (
	fileReadOnly  fileMode = iota // mode=ro
	fileReadWrite                 // SQLite's defaults: a live database (verify's FTS5 command)
	fileScratch                   // a copy's temporary destination: no syncs until it is complete
)

func (db *DB) init(ctx context.Context) error {
	if db.readOnly {
		return db.checkSchema(ctx)
	}
	var mode string
	if err := db.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	return db.migrate(ctx)
}

// Close closes the database, checkpointing the WAL.
func (db *DB) Close() error { return db.db.Close() }

// ErrReadOnly is returned by writes to a store opened with ReadOnly that
// are refused before SQLite sees them.
var ErrReadOnly = errors.New("the database is open read-only")

// ReadOnly reports whether the store was opened with ReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// checkSchema is migrate for a read-only store: it can only say whether
// the schema is the one this aur knows.
func (db *DB) checkSchema(ctx context.Context) error {
	var cur int
	if err := db.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return err
	}
	switch known := SchemaVersion(); {
	case cur > known:
		return fmt.Errorf("%w: schema version %d, this aur knows up to %d; upgrade aur", ErrNewerSchema, cur, known)
	case cur < known:
		return fmt.Errorf("schema version %d needs upgrading to %d, which needs write access: run aur mem index as the database's owner", cur, known)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// SQL exposes the handle for packages that build their own read-only
// aggregate queries (stats). Writes go through store methods.
func (db *DB) SQL() *sql.DB { return db.db }

// Migration is one embedded schema migration, NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ReadMigrations reads the migrations in fsys's migrations/ directory,
// named NNNN_name.sql, in version order. Both stores (this one and
// internal/pgstore) keep theirs that way.
func ReadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{v, name, string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

func migrations() ([]Migration, error) { return ReadMigrations(migrationFS) }

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].Version
	// Fast path: a current database needs one read.
	var cur int
	err = db.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur)
	if err == nil && cur == known {
		return nil
	}
	if err != nil {
		if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at TEXT    NOT NULL DEFAULT (datetime('now'))
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	if cur > known {
		return fmt.Errorf("%w: schema version %d, this aur knows up to %d; upgrade aur", ErrNewerSchema, cur, known)
	}
	for _, m := range ms {
		if m.Version <= cur {
			continue
		}
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m Migration) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have applied it while we waited for the lock.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", m.Version, m.Name); err != nil {
		return err
	}
	return tx.Commit()
}

// Meta returns a value from the meta table, "" if absent.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta sets a value in the meta table.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.db.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

func setMetaTx(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// Meta keys.
const (
	MetaRoot       = "root"           // absolute path of the index root
	MetaGeneration = "generation"     // bumped by every index run that changed something
	MetaLastIndex  = "last_index"     // unix milliseconds of the last finished run
	MetaGitHead    = "git_head"       // HEAD commit whose history is in file_history
	MetaChunkCount = "chunk_count"    // number of chunks, kept for IDF
	MetaAvgTerms   = "avg_body_terms" // mean distinct body tokens per chunk, for length normalization
	MetaID         = "id"             // random, set by the first finished index run; see Stamp
)

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}
