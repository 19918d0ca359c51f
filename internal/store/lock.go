package store

import (
	"context"
	"errors"
	"fmt"
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
// released by the kernel when the process ends, however it ends.
type WriterLock struct {
	f *os.File
}

// LockWriter takes the writer lock of the database at path. If another
// process holds it, waiting is called once with that process's id (0 if
// unknown) and LockWriter waits until the lock is free or ctx is done.
// The database's directory must exist (Open creates it).
func LockWriter(ctx context.Context, path string, waiting func(pid int)) (*WriterLock, error) {
	f, err := os.OpenFile(path+LockSuffix, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writer lock: %w", err)
	}
	told := false
	for {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, fmt.Errorf("writer lock %s: %w", path+LockSuffix, err)
		}
		if !told && waiting != nil {
			told = true
			b, _ := os.ReadFile(path + LockSuffix)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			waiting(pid)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The holder's pid, for the message of whoever waits next.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &WriterLock{f: f}, nil
}

// Unlock releases the lock.
func (l *WriterLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
