package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aurora-dev/aur/internal/fsperm"
)

// RestoreResult describes a restore.
type RestoreResult struct {
	Path string `json:"path"` // the database that was replaced
	From string `json:"from"` // the file it was restored from
	// Aside is where the replaced database now is (path.broken-<time>);
	// empty if there was none.
	Aside string `json:"moved_aside,omitempty"`
	// Verify is the check of From that cleared it for the restore.
	Verify *VerifyReport `json:"verify"`
	Copy   *CopyResult   `json:"copy,omitempty"`
}

// ErrUnhealthy is returned by Restore for a source that fails Verify.
var ErrUnhealthy = errors.New("fails verification")

// Restore replaces the database at path by a copy of the database file
// from, which must pass Verify (the result's Verify says why not, with
// ErrUnhealthy). It refuses while an index run holds the writer lock
// (*LockedError), and holds the lock itself throughout, so no run starts
// on a half-replaced database.
//
// The copy is made beside path (see CopyTo), in WAL mode, with a new
// database id (see CopyOptions.NewID), and checked. Then, in this order:
// the database is marked damaged ("restore in progress"), so that readers
// leave it alone (they answer from the replica) while its files change;
// the old file is hard-linked to path.broken-<time> and its -wal and -shm
// files are moved beside that, so the old database is kept whole for
// inspection; the copy is renamed over path, so the name never stops
// naming a complete database; the marker is removed. A restore killed
// midway leaves the marker: readers keep using the replica, and running
// the restore again completes it.
func Restore(ctx context.Context, path, from string, now time.Time) (*RestoreResult, error) {
	res := &RestoreResult{Path: path, From: from}
	src, err := filepath.Abs(from)
	if err != nil {
		return res, err
	}
	dst, err := filepath.Abs(path)
	if err != nil {
		return res, err
	}
	if src == dst {
		return res, fmt.Errorf("restore %s from itself", path)
	}
	rep, err := Verify(ctx, from)
	if err != nil {
		return res, err
	}
	res.Verify = rep
	if !rep.Healthy {
		return res, fmt.Errorf("restore from %s: %w", from, ErrUnhealthy)
	}
	if err := fsperm.MkdirAll(filepath.Dir(path)); err != nil {
		return res, fmt.Errorf("restore %s: %w", path, err)
	}
	lock, err := TryLockWriter(path)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", path, err)
	}
	defer lock.Unlock()

	sdb, err := openFile(from, fileReadOnly)
	if err != nil {
		return res, fmt.Errorf("restore from %s: %w", from, err)
	}
	defer sdb.Close()
	p, err := prepareCopy(ctx, sdb, path, CopyOptions{WAL: true, NewID: true})
	if err != nil {
		return res, fmt.Errorf("restore %s from %s: %w", path, from, err)
	}
	res.Copy = p.result
	exists := true
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		exists = false
	}
	// A failure from here on puts everything back as it was: the old
	// database with its -wal, and its marker only if it had one.
	marked, _ := Damaged(path)
	undo := func() {
		if !marked {
			os.Remove(path + DamagedSuffix)
		}
	}
	if exists {
		MarkDamaged(path, errors.New("restore in progress"))
		aside, back, err := keepAside(path, now)
		if err != nil {
			p.abort()
			undo()
			return res, fmt.Errorf("restore %s: keep the old database: %w", path, err)
		}
		res.Aside = aside
		undo = func() {
			back()
			if !marked {
				os.Remove(path + DamagedSuffix)
			}
		}
	}
	if err := p.commit(); err != nil {
		if !p.renamed {
			undo()
			res.Aside = ""
		}
		return res, fmt.Errorf("restore %s: %w", path, err)
	}
	if err := os.Remove(path + DamagedSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("restore %s: %w", path, err)
	}
	return res, syncDir(filepath.Dir(path))
}

// keepAside makes the database at path also path.broken-<time>, with its
// -wal and -shm files, and leaves path itself in place (a hard link, or a
// rename where links are not supported). back undoes it, as far as the
// old database is still at path.
func keepAside(path string, now time.Time) (aside string, back func(), err error) {
	aside = BrokenName(path, now)
	for i := 2; ; i++ {
		// Two restores in one second keep both old databases.
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%d", BrokenName(path, now), i)
	}
	linked := os.Link(path, aside) == nil
	if !linked {
		if err := os.Rename(path, aside); err != nil {
			return "", nil, err
		}
	}
	var moved []string
	back = func() {
		for _, sfx := range moved {
			os.Rename(aside+sfx, path+sfx)
		}
		if linked {
			os.Remove(aside)
		} else {
			os.Rename(aside, path)
		}
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		err := os.Rename(path+sfx, aside+sfx)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			back()
			return "", nil, err
		}
		moved = append(moved, sfx)
	}
	return aside, back, nil
}

// BrokenName is where a replaced or damaged database is kept:
// path.broken-<UTC time>.
func BrokenName(path string, now time.Time) string {
	return path + ".broken-" + now.UTC().Format("20060102T150405Z")
}
