package ha

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aurora-dev/aur/internal/store"
)

// ReplicaResult describes a replica update.
type ReplicaResult struct {
	*store.CopyResult
	// Current is set when the replica already held everything the primary
	// does, and nothing was copied.
	Current bool `json:"current"`
}

// UpdateReplica brings the replica at path up to date with db, the
// primary, by copying it whole (store.CopyTo). A face calls it after
// every successful index run, holding the writer lock, so that two
// updates never race (and after each batch of a watch). It copies
// nothing when the replica is current: the same database (id), the same
// generation, and the same newest recorded query (queries change
// activation, which ranks; they are part of what the replica keeps).
func UpdateReplica(ctx context.Context, db *store.DB, path string, progress func(done, total int)) (*ReplicaResult, error) {
	if same(db.Path(), path) {
		return nil, fmt.Errorf("replica %s is the primary database itself", path)
	}
	if current(ctx, db, path) {
		return &ReplicaResult{Current: true, CopyResult: &store.CopyResult{Path: path}}, nil
	}
	res, err := db.CopyTo(ctx, path, store.CopyOptions{Progress: progress})
	if err != nil {
		return nil, err
	}
	return &ReplicaResult{CopyResult: res}, nil
}

// current reports whether the replica at path holds what db holds. Any
// doubt (no replica, damaged, unreadable) is "no": a copy then settles it.
func current(ctx context.Context, db *store.DB, path string) bool {
	if d, _ := store.Damaged(path); d {
		return false
	}
	if _, err := os.Stat(path); err != nil || store.CheckHeader(path) != nil {
		return false
	}
	r, err := store.Open(ctx, path, store.ReadOnly())
	if err != nil {
		return false
	}
	defer r.Close()
	a, errA := fingerprint(ctx, db)
	b, errB := fingerprint(ctx, r)
	return errors.Join(errA, errB) == nil && a == b
}

// fingerprint is what tells two copies of one database apart where
// queries can see it: its stamp (id and generation: the files and
// chunks), the newest query recorded (with it, activation), and the git
// HEAD whose history is recorded (also activation). An index run that
// changed none of these (an unchanged tree) leaves the replica as it is,
// with the time of the run that wrote what it holds.
func fingerprint(ctx context.Context, db *store.DB) (string, error) {
	stamp, err := db.Stamp(ctx)
	if err != nil {
		return "", err
	}
	var q, head string
	err = db.SQL().QueryRowContext(ctx, `SELECT coalesce((SELECT max(id) || '@' || max(ts) FROM queries), ''),
		coalesce((SELECT value FROM meta WHERE key = ?), '')`, store.MetaGitHead).Scan(&q, &head)
	return stamp + "|" + q + "|" + head, err
}
