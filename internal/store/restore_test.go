package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRestoreReplacesAndKeepsTheOld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 40)
	backup := filepath.Join(dir, "backups", "b.db")
	if _, err := db.CopyTo(ctx, backup, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	oldStamp, _ := db.Stamp(ctx)
	addFiles(t, db, 40, 50)
	db.Close()
	path := filepath.Join(dir, "memory.db")
	overwritePages(t, path, 0.3)
	MarkDamaged(path, errors.New("database disk image is malformed"))
	damaged, _ := os.ReadFile(path)

	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	res, err := Restore(ctx, path, backup, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".broken-20250304T050607Z"; res.Aside != want {
		t.Errorf("old database kept as %q, want %q", res.Aside, want)
	}
	if kept, _ := os.ReadFile(res.Aside); string(kept) != string(damaged) {
		t.Error("the kept database is not the replaced one")
	}
	if d, _ := Damaged(path); d {
		t.Error("the restored database is still marked damaged")
	}
	r, err := Verify(ctx, path)
	if err != nil || !r.Healthy {
		t.Fatalf("Verify(restored) = %+v, %v", r, err)
	}
	if files, _ := countRows(t, path); files != 40 {
		t.Errorf("restored database holds %d files, want the backup's 40", files)
	}
	// Aur's own database: WAL, writable, with an id of its own so that
	// query cache entries of the replaced one never match it.
	rdb, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	stamp, _ := rdb.Stamp(ctx)
	if stamp == oldStamp || stamp[len(stamp)-2:] != oldStamp[len(oldStamp)-2:] {
		t.Errorf("restored stamp %q, backup's %q: want a new id and the same generation", stamp, oldStamp)
	}
	var mode string
	rdb.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("restored journal_mode %q, want wal", mode)
	}
	if _, err := os.Stat(path + LockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("restore left its lock file (%v)", err)
	}
}

func TestRestoreOverMissingDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 10)
	backup := filepath.Join(dir, "b.db")
	if _, err := db.CopyTo(ctx, backup, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	path := filepath.Join(dir, "gone", "memory.db")
	res, err := Restore(ctx, path, backup, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Aside != "" {
		t.Errorf("nothing to keep, but Aside = %q", res.Aside)
	}
	if files, _ := countRows(t, path); files != 10 {
		t.Errorf("restored %d files, want 10", files)
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 10)
	path := filepath.Join(dir, "memory.db")
	good := filepath.Join(dir, "good.db")
	if _, err := db.CopyTo(ctx, good, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.db")
	if _, err := db.CopyTo(ctx, bad, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(bad)
	os.Truncate(bad, fi.Size()/2)
	db.Close()
	before, _ := os.ReadFile(path)

	res, err := Restore(ctx, path, bad, time.Now())
	if !errors.Is(err, ErrUnhealthy) || res.Verify == nil || res.Verify.Healthy {
		t.Errorf("restore from a truncated file: %v, %+v; want ErrUnhealthy with the report", err, res.Verify)
	}

	lock, err := LockWriter(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Restore(ctx, path, good, time.Now())
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Errorf("restore while the writer lock is held: %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	lock.Unlock()

	if _, err := Restore(ctx, path, path, time.Now()); err == nil {
		t.Error("restore from itself succeeded")
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("a refused restore changed the database")
	}
	if entries, _ := filepath.Glob(path + ".broken-*"); len(entries) > 0 {
		t.Errorf("a refused restore moved the database aside: %v", entries)
	}
}
