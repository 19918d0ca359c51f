// Package pgstore is aur's PostgreSQL backend: a shared team index with
// several projects (repositories) in one database. It supplies what the
// embedded SQLite store (internal/store) supplies to the query engine
// and the indexer — bm25 candidates, document frequencies, corpus
// statistics, access and git histories — so the engine scores in Go the
// same way on either backend.
//
// An index run of a project is one transaction holding the project's
// advisory lock: two indexers of one project serialise, indexers of
// different projects run side by side, and readers see the previous
// generation until the run commits, then the new one, never half of it.
// A run that fails or is cancelled rolls back and leaves the previous
// generation as it was.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aurora-dev/aur/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// lockNamespace is the first key of aur's advisory locks ("aur" in
// ASCII); the second is a project id, or 0 for migrations.
const lockNamespace = 0x617572

// DefaultMaxConns bounds the connection pool of one process.
const DefaultMaxConns = 8

// IsURL reports whether s names a PostgreSQL store.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// DB is an open PostgreSQL store.
type DB struct {
	pool *pgxpool.Pool
}

// Options change how Open connects.
type Options struct {
	// MaxConns bounds the pool; 0 means the URL's pool_max_conns, else
	// DefaultMaxConns.
	MaxConns int32
	// SchemaVersion, if set, migrates only up to that version (tests of
	// upgrades from an earlier one).
	SchemaVersion int
}

// ErrNewerSchema is returned by Open for a database migrated by a newer aur.
var ErrNewerSchema = errors.New("database schema is newer than this aur")

// Open connects to the database at url (postgres://…) and brings its
// schema up to date.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// The URL's pool_max_conns=N, else DefaultMaxConns: each aur
	// process holds at most that many connections.
	switch {
	case o.MaxConns > 0:
		cfg.MaxConns = o.MaxConns
	case !strings.Contains(url, "pool_max_conns="):
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{pool: pool}
	// A server that is restarting or failing over is waited for a little
	// (see retry.go); the migrations are each one transaction, so a
	// repeated attempt starts where the broken one left off.
	if err := retry(ctx, func(ctx context.Context) error { return db.MigrateTo(ctx, o.SchemaVersion) }); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Pool exposes the connection pool (tests, measurements).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

func migrations() ([]store.Migration, error) { return store.ReadMigrations(migrationFS) }

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Migrate applies the migrations the database lacks, each in its own
// transaction, under an advisory lock so that concurrent processes
// apply each once.
func (db *DB) Migrate(ctx context.Context) error {
	return db.MigrateTo(ctx, 0)
}

// MigrateTo applies the migrations up to version (0: all). Tests use it
// to build a database of an earlier version.
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].Version
	if version <= 0 {
		version = known
	}
	// Fast path: a current database needs one read.
	var cur int
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err == nil {
		if cur > known {
			return fmt.Errorf("%w: schema version %d, this aur knows up to %d; upgrade aur", ErrNewerSchema, cur, known)
		}
		if cur >= version {
			return nil
		}
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, 0)`, lockNamespace); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, 0)`, lockNamespace) //nolint:errcheck
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text    NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return err
	}
	if cur > known {
		return fmt.Errorf("%w: schema version %d, this aur knows up to %d; upgrade aur", ErrNewerSchema, cur, known)
	}
	for _, m := range ms {
		if m.Version <= cur || m.Version > version {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// Version returns the database's schema version (0: none yet).
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// querier is what reads and writes need of a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
