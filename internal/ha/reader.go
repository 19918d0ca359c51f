package ha

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// Fallback describes a read served by the replica instead of the
// primary.
type Fallback struct {
	Primary string `json:"primary"`
	// Reason is why the primary was not used, as a person reads it:
	// "does not exist", "database disk image is malformed", ...
	Reason  string `json:"reason"`
	Replica string `json:"replica"`
	// IndexedAt is when the index run the replica copies finished (zero
	// if unknown).
	IndexedAt time.Time `json:"replica_indexed_at,omitzero"`
}

// UnavailableError is OpenReader's error when neither database can be
// used. Its text says what to run.
type UnavailableError struct {
	Primary, Reason string
	Replica         string
	// ReplicaErr is why the replica could not be used; nil when none is
	// configured.
	ReplicaErr error
	// Backup is the newest backup of the primary, if there is one.
	Backup string
}

func (e *UnavailableError) Error() string {
	msg := fmt.Sprintf("primary database %s unusable (%s)", e.Primary, e.Reason)
	if e.Replica != "" {
		msg += fmt.Sprintf(", and replica %s unusable too (%s)", e.Replica, e.ReplicaErr)
	}
	return msg + "; " + RecoveryHint(e.Primary, e.Backup)
}

// RecoveryHint says how to get a usable primary back: restore the newest
// backup if there is one, or rebuild the index.
func RecoveryHint(primary, backup string) string {
	if backup != "" {
		return fmt.Sprintf("restore the newest backup with 'aur mem restore %s', or rebuild with 'aur mem index --force'", backup)
	}
	return "rebuild the index with 'aur mem index --force' (no backup found in " + DefaultBackupDir(primary) + ")"
}

// OpenReader opens the database a reader (a query, a search, stats)
// should use. openPrimary opens the primary as the face always does; it
// returns nil and no error when the primary does not exist. With no
// replica configured (replica ""), OpenReader is openPrimary. Otherwise a
// primary that is missing, fails to open (other than for being newer
// than this aur, which the replica is too) or fails store.CheckHeader is
// passed over for the replica, opened read-only, and the returned
// Fallback says so; the caller warns, and records it (RecordFallback).
// When the replica cannot be used either, the error is an
// *UnavailableError.
func OpenReader(ctx context.Context, primary, replica string, openPrimary func(context.Context) (*store.DB, error)) (*store.DB, *Fallback, error) {
	db, err := openPrimary(ctx)
	if replica == "" {
		return db, nil, err
	}
	var reason string
	switch {
	case err != nil:
		if ctx.Err() != nil || errors.Is(err, store.ErrNewerSchema) {
			return nil, nil, err
		}
		reason = Describe(primary, err)
		if herr := store.CheckHeader(primary); store.IsCorrupt(err) && herr != nil {
			// SQLite says "malformed"; the header says how.
			reason = herr.Error()
		}
	case db == nil:
		if _, err := os.Stat(replica); err != nil && NewestBackup(primary) == "" {
			// No primary, no replica, no backup: a project never indexed.
			return nil, nil, nil
		}
		reason = "does not exist"
	default:
		if err := store.CheckHeader(primary); err != nil {
			db.Close()
			reason = err.Error()
		} else {
			return db, nil, nil
		}
	}
	return UseReplica(ctx, primary, replica, reason)
}

// UseReplica opens the replica read-only for a reader, the primary having
// been found unusable for reason.
func UseReplica(ctx context.Context, primary, replica, reason string) (*store.DB, *Fallback, error) {
	unavailable := func(err error) error {
		return &UnavailableError{Primary: primary, Reason: reason, Replica: replica, ReplicaErr: err, Backup: NewestBackup(primary)}
	}
	if same(primary, replica) {
		return nil, nil, unavailable(errors.New("it is the primary itself"))
	}
	if err := store.CheckHeader(replica); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = errors.New("does not exist; 'aur mem index' writes it")
		}
		return nil, nil, unavailable(err)
	}
	rdb, err := store.Open(ctx, replica, store.ReadOnly())
	if err != nil {
		return nil, nil, unavailable(errors.New(Describe(replica, err)))
	}
	fb := &Fallback{Primary: primary, Reason: reason, Replica: replica}
	if v, err := rdb.Meta(ctx, store.MetaLastIndex); err == nil {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
			fb.IndexedAt = time.UnixMilli(ms).UTC()
		}
	}
	return rdb, fb, nil
}

// Describe says briefly why the database at path cannot be used: the
// cause an earlier command recorded for one marked damaged, otherwise the
// error's text less the "open store PATH:" prefix the warning repeats.
func Describe(path string, err error) string {
	if errors.Is(err, store.ErrDamaged) {
		if _, cause := store.Damaged(path); cause != "" {
			return "marked damaged: " + cause
		}
	}
	msg := err.Error()
	for _, p := range []string{fmt.Sprintf("open store %q: ", path), fmt.Sprintf("open store %q read-only: ", path)} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	if aa == bb {
		return true
	}
	fa, err1 := os.Stat(aa)
	fb, err2 := os.Stat(bb)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
