package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// LockSuffix names the writer lock file: the database's path plus it.
const LockSuffix = ".lock"

// errLocked is what tryLock returns when another process holds the lock.
var errLocked = errors.New("locked")

// WriterLock is held by the one process that may index into a database.
// SQLite serializes single transactions, but an index run is many: it
// reads the index root, decides what to write, and writes it in batches.
// Two runs that both found no root in a new database each recorded their
// own and mixed their files; two runs on one root did the same work
// twice. The lock is an advisory flock(2) on a file beside the database,
// released by the kernel when the process ends, however it ends (a file
// left by a killed process is taken over by the next run).
type WriterLock struct {
	f    *os.File
	name string
}

// LockWriter takes the writer lock of the database at path. If another
// process holds it, waiting is called once with that process's id (0 if
// unknown) and LockWriter waits until the lock is free or ctx is done.
// The database's directory must exist (Open creates it).
func LockWriter(ctx context.Context, path string, waiting func(pid int)) (*WriterLock, error) {
	told := false
	for {
		l, err := TryLockWriter(path)
		var le *LockedError
		if !errors.As(err, &le) {
			return l, err
		}
		if !told && waiting != nil {
			told = true
			waiting(le.PID)
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// LockedError is TryLockWriter's answer when another process holds the
// writer lock.
type LockedError struct {
	Path string // the lock file
	PID  int    // the holder, 0 if unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("an index run (pid %d) holds the writer lock %s", e.PID, e.Path)
	}
	return "an index run holds the writer lock " + e.Path
}

// TryLockWriter takes the writer lock of the database at path if it is
// free, and returns a *LockedError if another process holds it.
func TryLockWriter(path string) (*WriterLock, error) {
	name := path + LockSuffix
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if errors.Is(err, fs.ErrPermission) {
			// Another user's database: ErrorCode says read_only.
			return nil, fmt.Errorf("writer lock: %w: %w", ErrReadOnly, err)
		}
		if err != nil {
			return nil, fmt.Errorf("writer lock: %w", err)
		}
		err = tryLock(f)
		if err == nil {
			// The holder removes the file when it is done (so that none is
			// left in an indexed tree): a lock on a file that is no longer
			// at name locks nothing, so open it again.
			if same(f, name) {
				if err := f.Truncate(0); err == nil {
					// The holder's pid, for whoever waits next.
					f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
				}
				return &WriterLock{f: f, name: name}, nil
			}
			unlock(f)
			f.Close()
			continue
		}
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("writer lock %s: %w", name, err)
		}
		b, _ := os.ReadFile(name)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return nil, &LockedError{Path: name, PID: pid}
	}
}

// same reports whether f is the file now at name.
func same(f *os.File, name string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(name)
	return err == nil && os.SameFile(a, b)
}

// Unlock removes the lock file and releases the lock.
func (l *WriterLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.name)
	if uerr := unlock(l.f); err == nil {
		err = uerr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
