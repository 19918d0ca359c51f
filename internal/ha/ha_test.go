package ha

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// primary returns an indexed store at dir/memory.db (open) holding n
// files.
func primary(t *testing.T, dir string, n int) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	write(t, db, 0, n)
	return db
}

func write(t *testing.T, db *store.DB, from, to int) {
	t.Helper()
	ctx := context.Background()
	var ups []store.FileUpdate
	for i := from; i < to; i++ {
		body := fmt.Sprintf("func open%d() { database connection %d }", i, i)
		ups = append(ups, store.FileUpdate{
			File: store.File{Path: fmt.Sprintf("f%d.go", i), Hash: fmt.Sprint(i), Language: "go"},
			Chunks: []store.IndexedChunk{{
				Chunk: store.Chunk{Key: int64(i + 1), Kind: "function", Name: fmt.Sprintf("open%d", i), QualifiedName: fmt.Sprintf("open%d", i),
					StartLine: 1, EndLine: 1, Content: body, Language: "go"},
				Terms: store.Terms{Name: "open", Body: "databas connect"},
			}},
			Trigrams: string(store.TrigramText(body, map[uint32]struct{}{}, nil)),
		})
	}
	if err := db.ApplyBatch(ctx, ups); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishIndex(ctx, "/src", true, t0); err != nil {
		t.Fatal(err)
	}
}

func opener(path string) func(context.Context) (*store.DB, error) {
	return func(ctx context.Context) (*store.DB, error) {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return store.Open(ctx, path)
	}
}

func files(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM files").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenReader(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		reason string // "" for no fallback
	}{
		{"healthy", func(*testing.T, string) {}, ""},
		{"missing", func(t *testing.T, p string) { os.Remove(p) }, "does not exist"},
		{"truncated", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}, "truncated"},
		{"not a database", func(t *testing.T, p string) { os.WriteFile(p, []byte(strings.Repeat("x", 40000)), 0o600) }, "not a SQLite database"},
		{"marked damaged", func(t *testing.T, p string) {
			store.MarkDamaged(p, errors.New("database disk image is malformed"))
		}, "marked damaged: database disk image is malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := primary(t, dir, 5)
			replica := filepath.Join(dir, "replica", "r.db")
			if _, err := UpdateReplica(ctx, db, replica, nil); err != nil {
				t.Fatal(err)
			}
			write(t, db, 5, 8) // the primary moves on
			db.Close()
			path := filepath.Join(dir, "memory.db")
			tc.damage(t, path)
			got, fb, err := OpenReader(ctx, path, replica, opener(path))
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if tc.reason == "" {
				if fb != nil || got.Path() != path || files(t, got) != 8 {
					t.Errorf("healthy primary: fallback %+v, opened %s", fb, got.Path())
				}
				return
			}
			if fb == nil || !strings.Contains(fb.Reason, tc.reason) {
				t.Fatalf("fallback %+v, want reason %q", fb, tc.reason)
			}
			if got.Path() != replica || !got.ReadOnly() || files(t, got) != 5 {
				t.Errorf("opened %s (read-only %v) with %d files, want the replica read-only with 5", got.Path(), got.ReadOnly(), files(t, got))
			}
			if !fb.IndexedAt.Equal(t0) {
				t.Errorf("replica indexed at %v, want %v", fb.IndexedAt, t0)
			}
		})
	}
}

func TestOpenReaderWithoutUsableReplica(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := primary(t, dir, 3)
	path := filepath.Join(dir, "memory.db")
	b, err := Backup(ctx, db, BackupOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	store.MarkDamaged(path, errors.New("database disk image is malformed"))

	// No replica configured: the primary's own error.
	_, _, err = OpenReader(ctx, path, "", opener(path))
	if !errors.Is(err, store.ErrDamaged) {
		t.Errorf("no replica: %v, want the primary's ErrDamaged", err)
	}
	// A replica configured but never written: what to run.
	_, _, err = OpenReader(ctx, path, filepath.Join(dir, "nope.db"), opener(path))
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("missing replica: %v, want *UnavailableError", err)
	}
	want := fmt.Sprintf("primary database %s unusable (marked damaged: database disk image is malformed), and replica %s unusable too (does not exist; 'aur mem index' writes it); restore the newest backup with 'aur mem restore %s', or rebuild with 'aur mem index --force'",
		path, filepath.Join(dir, "nope.db"), b.Path)
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	// Neither exists, but a backup does: what to run.
	os.Remove(path)
	_, _, err = OpenReader(ctx, path, filepath.Join(dir, "nope.db"), opener(path))
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "aur mem restore "+b.Path) {
		t.Errorf("no primary, no replica, a backup: %v; want the restore command", err)
	}
	// Nothing at all: a project never indexed, for the caller to say so.
	os.RemoveAll(filepath.Join(dir, BackupDirName))
	got, fb, err := OpenReader(ctx, path, filepath.Join(dir, "nope.db"), opener(path))
	if got != nil || fb != nil || err != nil {
		t.Errorf("nothing indexed: %v %v %v, want nothing", got, fb, err)
	}
}

func TestUpdateReplicaCopiesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := primary(t, dir, 4)
	replica := filepath.Join(dir, "r.db")
	r, err := UpdateReplica(ctx, db, replica, nil)
	if err != nil || r.Current || r.Pages == 0 {
		t.Fatalf("first update: %+v, %v; want a copy", r, err)
	}
	r, err = UpdateReplica(ctx, db, replica, nil)
	if err != nil || !r.Current {
		t.Fatalf("second update of an unchanged primary: %+v, %v; want current", r, err)
	}
	// A recorded query changes activation: the replica must follow.
	if _, err := db.RecordQuery(ctx, store.QueryRecord{Time: t0, Query: "q", Command: "query", Mode: "headless", Status: "ok"}, []int64{1}, []string{"open"}); err != nil {
		t.Fatal(err)
	}
	if r, err = UpdateReplica(ctx, db, replica, nil); err != nil || r.Current {
		t.Fatalf("after a query: %+v, %v; want a copy", r, err)
	}
	write(t, db, 4, 6)
	if r, err = UpdateReplica(ctx, db, replica, nil); err != nil || r.Current || r.Generation != 2 {
		t.Fatalf("after an index run: %+v, %v; want a copy of generation 2", r, err)
	}
	// A replica someone damaged is replaced, and its marker goes.
	store.MarkDamaged(replica, errors.New("malformed"))
	if r, err = UpdateReplica(ctx, db, replica, nil); err != nil || r.Current {
		t.Fatalf("damaged replica: %+v, %v; want a copy", r, err)
	}
	if d, _ := store.Damaged(replica); d {
		t.Error("the new replica is still marked damaged")
	}
	if _, err := UpdateReplica(ctx, db, db.Path(), nil); err == nil {
		t.Error("a replica path naming the primary was accepted")
	}
}

func TestBackupNamesAndPrunes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := primary(t, dir, 3)
	bdir := filepath.Join(dir, BackupDirName)
	// Someone else's file in the directory is never pruned.
	os.MkdirAll(bdir, 0o700)
	os.WriteFile(filepath.Join(bdir, "notes.db"), []byte("mine"), 0o600)
	var last *BackupResult
	for i := range 5 {
		r, err := Backup(ctx, db, BackupOptions{Keep: 3, Now: t0.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		last = r
	}
	if want := filepath.Join(bdir, "memory-20250601T160000Z.db"); last.Path != want {
		t.Errorf("backup at %s, want %s", last.Path, want)
	}
	got, _ := Backups(filepath.Join(dir, "memory.db"), bdir)
	want := []string{"memory-20250601T160000Z.db", "memory-20250601T150000Z.db", "memory-20250601T140000Z.db"}
	if len(got) != 3 {
		t.Fatalf("kept %v, want %v", got, want)
	}
	for i := range want {
		if filepath.Base(got[i]) != want[i] {
			t.Errorf("kept %v, want %v", got, want)
		}
	}
	if len(last.Removed) != 1 || filepath.Base(last.Removed[0]) != "memory-20250601T130000Z.db" {
		t.Errorf("last backup removed %v", last.Removed)
	}
	if _, err := os.Stat(filepath.Join(bdir, "notes.db")); err != nil {
		t.Error("pruning removed a file that is not a backup")
	}
	if NewestBackup(db.Path()) != last.Path {
		t.Errorf("NewestBackup = %q", NewestBackup(db.Path()))
	}
	// --to a file: that name, no pruning.
	to := filepath.Join(dir, "elsewhere", "copy.db")
	r, err := Backup(ctx, db, BackupOptions{To: to, Now: t0})
	if err != nil || r.Path != to || r.Removed != nil {
		t.Errorf("backup to a file: %+v, %v", r, err)
	}
	if _, err := Backup(ctx, db, BackupOptions{To: db.Path(), Now: t0}); err == nil {
		t.Error("a backup over the database itself was accepted")
	}
}

func TestFallbackLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	c, err := CountFallbacks(path, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || c.Count != 0 || c.Last != nil {
		t.Fatalf("no log: %+v, %v", c, err)
	}
	for i, cmd := range []string{"search", "query", "query"} {
		ev := FallbackEvent{Time: t0.Add(time.Duration(i) * time.Minute), Command: cmd,
			Fallback: Fallback{Primary: path, Reason: fmt.Sprint("reason ", i), Replica: "r.db"}}
		if err := RecordFallback(path, ev); err != nil {
			t.Fatal(err)
		}
	}
	c, err = CountFallbacks(path, t0, t0.Add(2*time.Minute))
	if err != nil || c.Count != 2 || c.Last.Reason != "reason 1" {
		t.Errorf("window [t0, t0+2m): %+v, %v; want 2, the last with reason 1", c, err)
	}
	if fi, _ := os.Stat(path + FallbackSuffix); fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", fi.Mode().Perm())
	}
}
