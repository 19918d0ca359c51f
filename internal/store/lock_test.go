//go:build unix

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The writer lock admits one holder; a second waits (and is told who
// holds it) until the first unlocks, or gives up with its context.
func TestWriterLockSerializes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	ctx := context.Background()
	first, err := LockWriter(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + LockSuffix); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	var told int
	if _, err := LockWriter(short, path, func(pid int) { told = pid }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second LockWriter while held: %v, want the context's deadline", err)
	}
	if told != os.Getpid() {
		t.Errorf("waiting was told pid %d, want the holder's %d", told, os.Getpid())
	}

	got := make(chan error, 1)
	go func() {
		l, err := LockWriter(ctx, path, nil)
		if err == nil {
			err = l.Unlock()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second LockWriter returned (%v) while the first holds the lock", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second LockWriter did not get the lock after Unlock")
	}
}

// Unlock leaves no lock file behind (it would be indexed when the
// database sits inside the tree).
func TestWriterLockRemovesItsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	l, err := LockWriter(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + LockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after Unlock: %v", err)
	}
}
