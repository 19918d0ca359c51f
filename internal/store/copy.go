package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/aurora-dev/aur/internal/fsperm"
)

// Copies of a database (the replica, backups, a restore) are made with
// SQLite's online backup API, never by copying the file: a file copy of
// a live WAL database misses what is still in the -wal file and can catch
// a checkpoint half done. The API copies pages through SQLite's pager, so
// the copy is one consistent snapshot, whatever other processes write.
//
// Each copy holds one read transaction on the source from the first page
// to the last. In WAL mode a reader blocks neither readers nor the
// writer, so queries and even an index run go on; the writer's commits
// after the snapshot are simply not in the copy. Without the held
// transaction every step would take a fresh snapshot, and SQLite restarts
// a backup from page one whenever another process has written between
// two steps: under an index run committing a batch every few hundred
// milliseconds, a large copy might never finish. The pages go over in
// steps of PagesPerStep, so cancellation (Ctrl-C, SIGTERM) is seen
// between steps and progress can be shown.
//
// A copy is atomic: it is written to a temporary file beside the
// destination, checked (PRAGMA quick_check), synced, and renamed over the
// destination, and the directory is synced. Whatever moment the process
// is killed at, the destination's name holds the previous complete copy
// or the new complete copy, never a part of one. The temporary file is
// flocked by its writer; the next copy into the same directory removes
// the temporaries no live process holds.
//
// A replica or backup is one self-contained file in rollback-journal
// mode, not WAL: readers open it read-only without creating -wal and
// -shm files beside it, and it can be copied elsewhere (scp, object
// storage) as a single file. A restored primary is switched back to WAL.

// tempPrefix starts the name of a copy's temporary file. The leading dot
// keeps it out of directory listings and out of backup pruning.
const tempPrefix = ".aurtmp-"

// defaultPagesPerStep is 1024 pages, 16 MiB of 16 KiB pages: a few
// milliseconds of copying between cancellation checks.
const defaultPagesPerStep = 1024

// CopyOptions say what kind of copy to make.
type CopyOptions struct {
	// WAL leaves the copy in WAL mode, for a database aur will write (a
	// restored primary). Otherwise it is in rollback-journal mode.
	WAL bool
	// NewID gives the copy a database id of its own (meta "id"). A
	// restored database starts a new history: its generations repeat
	// numbers the replaced one already used, and query cache keys hold
	// the id and generation (see Stamp), so without a new id the cache
	// could serve a result of the replaced database's generation N for
	// the restored one's different generation N.
	NewID bool
	// PagesPerStep is how many pages one backup step copies; 0 means
	// 1024.
	PagesPerStep int
	// Progress, if set, is called after every step with the pages copied
	// so far and the total.
	Progress func(done, total int)
}

// CopyResult describes a finished copy.
type CopyResult struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Pages int    `json:"pages"`
	Steps int    `json:"steps"`
	// Generation and IndexedAt describe the index in the copy: its
	// generation and when the run that wrote it finished (zero if none
	// has).
	Generation int64     `json:"generation"`
	IndexedAt  time.Time `json:"indexed_at"`
	DurationMS float64   `json:"duration_ms"`
	// CheckMS is the part of DurationMS spent checking the copy (PRAGMA
	// quick_check reads every page, FTS5's included).
	CheckMS float64 `json:"check_ms"`
}

// CopyTo writes a consistent copy of the database to dst, atomically
// (see above), and returns what it wrote. The store may be in use by
// other connections and processes meanwhile.
func (db *DB) CopyTo(ctx context.Context, dst string, o CopyOptions) (*CopyResult, error) {
	p, err := prepareCopy(ctx, db.db, dst, o)
	if err != nil {
		return nil, fmt.Errorf("copy %s to %s: %w", db.path, dst, err)
	}
	if err := p.commit(); err != nil {
		return nil, fmt.Errorf("copy %s to %s: %w", db.path, dst, err)
	}
	return p.result, nil
}

// pendingCopy is a complete, checked and synced copy in its temporary
// file, waiting to be renamed to its destination (commit) or removed
// (abort).
type pendingCopy struct {
	tmp, dst string
	hold     *os.File // the temporary file's flock
	result   *CopyResult
	start    time.Time
	renamed  bool // commit got as far as the rename: dst is the copy
}

// prepareCopy copies src into a temporary file beside dst.
func prepareCopy(ctx context.Context, src *sql.DB, dst string, o CopyOptions) (_ *pendingCopy, err error) {
	start := time.Now()
	dir := filepath.Dir(dst)
	if err := fsperm.MkdirAll(dir); err != nil {
		return nil, err
	}
	removeStaleTemps(dir)
	tmp, hold, err := createTemp(dir, filepath.Base(dst))
	if err != nil {
		return nil, err
	}
	p := &pendingCopy{tmp: tmp, dst: dst, hold: hold, start: start}
	defer func() {
		if err != nil {
			p.abort()
		}
	}()
	ddb, err := openFile(tmp, fileScratch)
	if err != nil {
		return nil, err
	}
	defer ddb.Close()
	pages, steps, err := backupPages(ctx, src, ddb, o)
	if err != nil {
		return nil, err
	}
	res := &CopyResult{Path: dst, Pages: pages, Steps: steps}
	if err := finishCopy(ctx, ddb, o, res); err != nil {
		return nil, err
	}
	if err := ddb.Close(); err != nil {
		return nil, err
	}
	// In WAL mode the last connection's close checkpoints and removes the
	// -wal file; one left behind holds pages the main file lacks.
	if fi, err := os.Stat(tmp + "-wal"); err == nil && fi.Size() > 0 {
		return nil, errors.New("the copy's write-ahead log was not checkpointed")
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	if err := syncFile(tmp); err != nil {
		return nil, err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return nil, err
	}
	res.Bytes = fi.Size()
	p.result = res
	return p, nil
}

// finishCopy gives the copy its id and journal mode, checks it, and reads
// what it holds.
func finishCopy(ctx context.Context, ddb *sql.DB, o CopyOptions, res *CopyResult) error {
	if o.NewID {
		if _, err := ddb.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", newID(), MetaID); err != nil {
			return fmt.Errorf("new database id: %w", err)
		}
	}
	want := "delete"
	if o.WAL {
		want = "wal"
	}
	var mode string
	if err := ddb.QueryRowContext(ctx, "PRAGMA journal_mode = "+want).Scan(&mode); err != nil {
		return fmt.Errorf("journal mode: %w", err)
	}
	if !strings.EqualFold(mode, want) {
		return fmt.Errorf("journal mode is %q, want %s", mode, want)
	}
	var check string
	start := time.Now()
	if err := ddb.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&check); err != nil {
		return fmt.Errorf("check the copy: %w", err)
	}
	res.CheckMS = float64(time.Since(start).Microseconds()) / 1000
	if check != "ok" {
		// The pages were copied as they are: the source is damaged.
		return fmt.Errorf("%w: the copy fails PRAGMA quick_check (%s), so the source is damaged", ErrDamaged, check)
	}
	// An aur database says what index it holds; anything else copies
	// all the same.
	var gen, last string
	if err := ddb.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), ''),
		coalesce((SELECT value FROM meta WHERE key = ?), '')`, MetaGeneration, MetaLastIndex).Scan(&gen, &last); err == nil {
		res.Generation, _ = strconv.ParseInt(gen, 10, 64)
		if ms, err := strconv.ParseInt(last, 10, 64); err == nil && ms > 0 {
			res.IndexedAt = time.UnixMilli(ms).UTC()
		}
	}
	return nil
}

// backupPages runs the backup API from src into dst in steps, holding
// one read transaction on src throughout (see the comment at the top).
func backupPages(ctx context.Context, src, dst *sql.DB, o CopyOptions) (pages, steps int, err error) {
	step := o.PagesPerStep
	if step <= 0 {
		step = defaultPagesPerStep
	}
	sc, err := src.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer sc.Close()
	dc, err := dst.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer dc.Close()
	err = sc.Raw(func(s any) error {
		scon, ok := s.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("source connection is a %T", s)
		}
		if err := beginRead(scon); err != nil {
			return fmt.Errorf("read transaction: %w", err)
		}
		defer scon.Exec("ROLLBACK", nil)
		return dc.Raw(func(d any) error {
			dcon, ok := d.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("destination connection is a %T", d)
			}
			bk, err := dcon.Backup("main", scon, "main")
			if err != nil {
				return err
			}
			finished := false
			defer func() {
				if !finished {
					bk.Close()
				}
			}()
			last := -1
			for {
				if err := ctx.Err(); err != nil {
					return context.Cause(ctx)
				}
				done, err := bk.Step(step)
				steps++
				if err != nil {
					return err
				}
				total, left := bk.PageCount(), bk.Remaining()
				if o.Progress != nil {
					o.Progress(total-left, total)
				}
				if done {
					pages = total
					break
				}
				if left == last {
					// SQLITE_BUSY or SQLITE_LOCKED on the destination, which
					// nobody else should hold: wait a little.
					select {
					case <-ctx.Done():
						return context.Cause(ctx)
					case <-time.After(10 * time.Millisecond):
					}
				}
				last = left
			}
			finished = true
			return bk.Finish()
		})
	})
	return pages, steps, err
}

// beginRead opens a read transaction on c and reads the schema, which is
// what actually takes the snapshot.
func beginRead(c *sqlite3.SQLiteConn) error {
	if _, err := c.Exec("BEGIN DEFERRED", nil); err != nil {
		return err
	}
	rows, err := c.Query("SELECT count(*) FROM sqlite_schema", nil)
	if err != nil {
		c.Exec("ROLLBACK", nil)
		return err
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		c.Exec("ROLLBACK", nil)
		return err
	}
	return nil
}

// commit renames the copy to its destination, removes the destination's
// damage marker, and syncs the directory.
// Files beside the destination that belong to the database it replaces
// (-wal, -shm, -journal) are removed first: SQLite would apply a
// leftover -wal or hot -journal to the new file.
func (p *pendingCopy) commit() error {
	defer p.release()
	for _, sfx := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(p.dst + sfx); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.abort()
			return err
		}
	}
	if err := os.Rename(p.tmp, p.dst); err != nil {
		p.abort()
		return err
	}
	p.renamed = true
	// A damage marker was about the file just replaced.
	if err := os.Remove(p.dst + DamagedSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := syncDir(filepath.Dir(p.dst)); err != nil {
		return err
	}
	p.result.DurationMS = float64(time.Since(p.start).Microseconds()) / 1000
	return nil
}

// abort removes the temporary file and its journal.
func (p *pendingCopy) abort() {
	for _, sfx := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(p.tmp + sfx)
	}
	p.release()
}

func (p *pendingCopy) release() {
	if p.hold != nil {
		unlock(p.hold)
		p.hold.Close()
		p.hold = nil
	}
}

// createTemp creates a private, empty, flocked temporary file in dir for
// a copy to base.
func createTemp(dir, base string) (string, *os.File, error) {
	for range 10 {
		name := filepath.Join(dir, tempPrefix+base+"-"+newID()[:8])
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, fsperm.FileMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		if err := tryLock(f); err != nil {
			f.Close()
			os.Remove(name)
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("cannot create a temporary file")
}

// removeStaleTemps removes the temporary files of copies into dir whose
// writers are gone (killed mid-copy): those no process holds a flock on.
// Where flock does not work, only day-old ones.
func removeStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, name := range names {
		main := name
		for _, sfx := range []string{"-journal", "-wal", "-shm"} {
			main = strings.TrimSuffix(main, sfx)
		}
		if main != name {
			if _, err := os.Stat(main); errors.Is(err, fs.ErrNotExist) {
				os.Remove(name) // its database is gone
			}
			continue
		}
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		stale := tryLock(f) == nil
		if !flockWorks {
			fi, err := f.Stat()
			stale = err == nil && time.Since(fi.ModTime()) > 24*time.Hour
		}
		if stale {
			for _, sfx := range []string{"", "-journal", "-wal", "-shm"} {
				os.Remove(name + sfx)
			}
			unlock(f)
		}
		f.Close()
	}
}

// syncFile flushes a file's data to the disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
