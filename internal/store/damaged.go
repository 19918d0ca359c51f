package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// A damaged database is remembered in a marker file beside it
// (memory.db.damaged), written when any command meets SQLITE_CORRUPT.
// SQLite reports damage only when a query reads a damaged page, so a
// search that happens to miss those pages would otherwise keep answering
// from a database that an index run found broken. Open refuses a database
// with a marker; MoveAside (aur mem index --force) removes it.

// DamagedSuffix names the marker file: the database's path plus it.
const DamagedSuffix = ".damaged"

// ErrDamaged is returned by Open for a database marked damaged. ErrorCode
// classifies it as CodeCorrupt.
var ErrDamaged = errors.New("database disk image is malformed")

// MarkDamaged records that the database at path is damaged, with the
// error that showed it. It is best effort: a directory that cannot be
// written gets no marker.
func MarkDamaged(path string, cause error) {
	msg := fmt.Sprintf("%s\n%s\n", time.Now().UTC().Format(time.RFC3339), cause)
	_ = os.WriteFile(path+DamagedSuffix, []byte(msg), 0o600)
}

// Damaged reports whether the database at path is marked damaged, and
// the error that marked it.
func Damaged(path string) (bool, string) {
	b, err := os.ReadFile(path + DamagedSuffix)
	if err != nil {
		return false, ""
	}
	_, cause, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return true, cause
}

// QuickCheck runs PRAGMA quick_check (integrity_check without the index
// cross-checks: O(N) in the database's size, seconds for a large index)
// and reports whether the database is sound.
func (db *DB) QuickCheck(ctx context.Context) (bool, error) {
	var s string
	if err := db.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&s); err != nil {
		return false, err
	}
	return s == "ok", nil
}

// MoveAside renames a damaged database (and its -wal and -shm files) to
// path.broken-<time>, so that the next Open starts an empty one and the
// damaged file is kept for inspection, and removes the damage marker. It
// returns the new name.
func MoveAside(path string, now time.Time) (string, error) {
	aside := BrokenName(path, now)
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("move damaged database aside: %w", err)
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+sfx, aside+sfx); err != nil && !errors.Is(err, os.ErrNotExist) {
			return aside, fmt.Errorf("move damaged database aside: %w", err)
		}
	}
	if err := os.Remove(path + DamagedSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return aside, err
	}
	return aside, nil
}
