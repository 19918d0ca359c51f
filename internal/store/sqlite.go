package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/aurora-dev/aur/internal/fsperm"
)

// dsnParams are the connection settings of every SQLite file aur opens,
// in the DSN so that every pooled connection gets them (a PRAGMA run on
// a pool reaches one connection only): a 5 s busy timeout, synchronous
// NORMAL (safe in WAL mode: a crash loses at most the last commits, never
// consistency), foreign keys on, and for writers immediate transactions,
// so that two writers queue on busy_timeout instead of failing with
// SQLITE_BUSY when a read transaction upgrades.
func dsnParams(readOnly bool) url.Values {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	if !readOnly {
		q.Set("_txlock", "immediate")
	}
	return q
}

// dsn is the connection string of path with q.
func dsn(path string, q url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// OpenFile opens (creating if needed, private to the user) a SQLite file
// of aur's own other than the chunk store, such as the query cache, with
// the same connection settings as Open (dsnParams, WAL) and WAL verified.
// The file's schema is the caller's: OpenFile runs no migrations. It is
// how every package but this one gets a *sql.DB, so that aur opens SQLite
// one way.
func OpenFile(ctx context.Context, path string) (*sql.DB, error) {
	if err := fsperm.MkdirAll(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if _, err := fsperm.Create(path); err != nil {
		return nil, err
	}
	db, err := sql.Open(driverName, dsn(path, dsnParams(false)))
	if err != nil {
		return nil, err
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, err
	}
	if !strings.EqualFold(mode, "wal") {
		db.Close()
		return nil, fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	return db, nil
}
