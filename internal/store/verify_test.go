package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func checkStatus(r *VerifyReport, name string) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name, Status: "missing"}
}

func TestVerifyHealthy(t *testing.T) {
	dir := t.TempDir()
	db := indexed(t, dir, 30)
	db.Close()
	r, err := Verify(context.Background(), filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Healthy {
		t.Fatalf("healthy database reported unhealthy: %+v", r.Problems())
	}
	for _, name := range []string{"file", "marker", "integrity", "schema", "fts", "rows", "meta"} {
		if c := checkStatus(r, name); c.Status != CheckOK {
			t.Errorf("check %s: %s (%s), want ok", name, c.Status, c.Detail)
		}
	}
	if r.Chunks != 90 || r.Files != 30 || r.Generation != 1 || r.SchemaVersion != SchemaVersion() || r.Root != "/src" {
		t.Errorf("report: %+v", r)
	}
	if c := checkStatus(r, "rows"); c.Detail != "90 chunks = 90 chunks_fts rows; 30 files, 30 in files_tri" {
		t.Errorf("rows: %q", c.Detail)
	}
}

func TestVerifyFindsDamage(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		check  string // the check that must fail
		detail string // in its detail
	}{
		{"truncated", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "file", "truncated: "},
		{"cut mid-page", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()-100)
		}, "file", "truncated: "},
		{"pages overwritten", func(t *testing.T, path string) { overwritePages(t, path, 0.4) }, "integrity", "PRAGMA integrity_check: "},
		{"not a database", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("not sqlite\n", 3000)), 0o600)
		}, "file", "not a SQLite database"},
		{"empty", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o600) }, "file", "empty file"},
		{"chunk missing from the full-text index", func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.SQL().Exec("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks LIMIT 2)"); err != nil {
				t.Fatal(err)
			}
		}, "rows", "2 of 90 chunks are not in chunks_fts"},
		{"full-text segment lost", func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.SQL().Exec("DELETE FROM chunks_fts_data WHERE id = (SELECT max(id) FROM chunks_fts_data)"); err != nil {
				t.Fatal(err)
			}
		}, "integrity", "fts5: corruption"},
		{"marked damaged", func(t *testing.T, path string) {
			MarkDamaged(path, errors.New("database disk image is malformed"))
		}, "marker", "an earlier command found it damaged (database disk image is malformed)"},
		{"newer schema", func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SQL().Exec("INSERT INTO schema_migrations(version, name) VALUES (999, 'future')")
		}, "schema", "version 999, newer than this aur's"},
		{"never indexed", func(t *testing.T, path string) {
			os.Remove(path)
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, "meta", "no root, generation, last_index, id on record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := indexed(t, dir, 30)
			db.Close()
			path := filepath.Join(dir, "memory.db")
			tc.damage(t, path)
			r, err := Verify(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if r.Healthy {
				t.Fatalf("damaged database reported healthy: %+v", r.Checks)
			}
			c := checkStatus(r, tc.check)
			if c.Status != CheckFailed || !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("check %s: %s %q, want failed with %q\nall: %+v", tc.check, c.Status, c.Detail, tc.detail, r.Checks)
			}
			// Verify changes nothing: no marker, no side files.
			for _, sfx := range []string{"-journal"} {
				if _, err := os.Stat(path + sfx); err == nil {
					t.Errorf("Verify left %s", filepath.Base(path+sfx))
				}
			}
		})
	}
}

func TestVerifyReadOnlyFile(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes read-only files")
	}
	dir := t.TempDir()
	db := indexed(t, dir, 10)
	db.Close()
	path := filepath.Join(dir, "memory.db")
	os.Chmod(path, 0o400)
	r, err := Verify(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Healthy || checkStatus(r, "fts").Status != CheckSkipped {
		t.Errorf("read-only healthy file: healthy=%v fts=%+v", r.Healthy, checkStatus(r, "fts"))
	}
}

func TestCheckHeader(t *testing.T) {
	dir := t.TempDir()
	db := indexed(t, dir, 10)
	db.Close()
	path := filepath.Join(dir, "memory.db")
	if err := CheckHeader(path); err != nil {
		t.Fatalf("sound file: %v", err)
	}
	fi, _ := os.Stat(path)
	os.Truncate(path, fi.Size()-16384)
	if err := CheckHeader(path); !errors.Is(err, ErrTruncated) {
		t.Errorf("file one page short: %v, want ErrTruncated", err)
	}
}

// Verify during an index run: the FTS5 command, which needs the write
// lock, is skipped rather than waited for or reported as damage.
func TestVerifyWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 10)
	tx, err := db.SQL().BeginTx(ctx, nil) // _txlock=immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("DELETE FROM skipped_files"); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(ctx, filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Healthy || checkStatus(r, "fts").Status != CheckSkipped {
		t.Errorf("verify while writing: healthy %v, fts %+v", r.Healthy, checkStatus(r, "fts"))
	}
}
