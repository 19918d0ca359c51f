package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "sub", "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "memory.db")
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n, max int
		if err := db.SQL().QueryRow("SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max); err != nil {
			t.Fatal(err)
		}
		if n != SchemaVersion() || max != SchemaVersion() {
			t.Errorf("open #%d: %d migrations up to %d, want %d", i+1, n, max, SchemaVersion())
		}
		var mode string
		db.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal_mode = %q", mode)
		}
		var fk int
		db.SQL().QueryRow("PRAGMA foreign_keys").Scan(&fk)
		if fk != 1 {
			t.Errorf("foreign_keys = %d", fk)
		}
		db.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec("INSERT INTO schema_migrations(version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
}

func chunkRow(key int64, name, body string) IndexedChunk {
	return IndexedChunk{
		Chunk: Chunk{Key: key, Kind: "function", Name: name, QualifiedName: name, StartLine: 1, EndLine: 3, Content: body, Language: "go"},
		Terms: Terms{Name: name, Body: body},
	}
}

func ftsCount(t *testing.T, db *DB, term string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?`, `"`+term+`"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestApplyBatchReplacesAndDeletes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	err := db.ApplyBatch(ctx, []FileUpdate{
		{File: File{Path: "a.go", Hash: "1", Language: "go"}, Chunks: []IndexedChunk{chunkRow(1, "alpha", "apple"), chunkRow(2, "beta", "banana")}},
		{File: File{Path: "b.go", Hash: "2", Language: "go"}, Chunks: []IndexedChunk{chunkRow(3, "gamma", "apple")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ftsCount(t, db, "apple"); got != 2 {
		t.Fatalf("apple in %d chunks, want 2", got)
	}
	// Re-index a.go with one chunk: its old chunks and their FTS rows go.
	err = db.ApplyBatch(ctx, []FileUpdate{
		{File: File{Path: "a.go", Hash: "3", Language: "go"}, Chunks: []IndexedChunk{chunkRow(1, "alpha", "cherry")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ftsCount(t, db, "apple"); got != 1 {
		t.Errorf("after replace: apple in %d chunks, want 1", got)
	}
	if got := ftsCount(t, db, "banana"); got != 0 {
		t.Errorf("after replace: banana in %d chunks, want 0", got)
	}
	if got := ftsCount(t, db, "cherry"); got != 1 {
		t.Errorf("after replace: cherry in %d chunks, want 1", got)
	}
	if err := db.DeleteFiles(ctx, []string{"b.go"}); err != nil {
		t.Fatal(err)
	}
	if got := ftsCount(t, db, "apple"); got != 0 {
		t.Errorf("after delete: apple in %d chunks, want 0", got)
	}
	files, err := db.FilesUnder(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files["a.go"].Hash != "3" {
		t.Errorf("files = %+v", files)
	}
	var chunks int
	db.SQL().QueryRow("SELECT count(*) FROM chunks").Scan(&chunks)
	if chunks != 1 {
		t.Errorf("%d chunks left, want 1", chunks)
	}
	if v, err := db.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Errorf("integrity_check = %q, %v", v, err)
	}
}

func TestFilesUnderPrefix(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var ups []FileUpdate
	for _, p := range []string{"src/a.go", "src/sub/b.go", "srcx/c.go", "src.go", "other/d.go"} {
		ups = append(ups, FileUpdate{File: File{Path: p, Hash: "h", Language: "go"}})
	}
	if err := db.ApplyBatch(ctx, ups); err != nil {
		t.Fatal(err)
	}
	got, err := db.FilesUnder(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["src/a.go"].Path == "" || got["src/sub/b.go"].Path == "" {
		t.Errorf("FilesUnder(src) = %v", got)
	}
}

func TestHistoryBounded(t *testing.T) {
	var h History
	for i := int64(100); i > 0; i-- {
		h.AddOlder(i)
	}
	if h.N != 100 || h.Oldest != 1 || len(h.Recent) != MaxEvents || h.Recent[0] != 100 {
		t.Errorf("AddOlder: N=%d oldest=%d recent=%d first=%d", h.N, h.Oldest, len(h.Recent), h.Recent[0])
	}
	h.AddNewer(200)
	if h.N != 101 || len(h.Recent) != MaxEvents || h.Recent[0] != 200 || h.Recent[MaxEvents-1] != 100-MaxEvents+2 {
		t.Errorf("AddNewer: %+v", h)
	}
	d := decodeHistory(h.N, h.Oldest, h.encode())
	if d.N != h.N || len(d.Recent) != len(h.Recent) || d.Recent[5] != h.Recent[5] {
		t.Errorf("round trip: %+v", d)
	}
}

func TestRecordAccessAccumulates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Unix(1_700_000_000, 0)
	if err := db.RecordAccess(ctx, []int64{7, 8, 7}, t0, []string{"tar", "archiv"}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordAccess(ctx, []int64{7}, t0.Add(time.Hour), []string{"next", "tar"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.AccessHistories(ctx, []int64{7, 8, 9})
	if err != nil {
		t.Fatal(err)
	}
	a := got[7]
	if a.N != 2 || a.Oldest != t0.Unix() || len(a.Recent) != 2 || a.Recent[0] != t0.Add(time.Hour).Unix() {
		t.Errorf("chunk 7 history %+v, want 2 events, newest first", a.History)
	}
	if strings.Join(a.Context, " ") != "next tar archiv" {
		t.Errorf("chunk 7 context %q, want the newest query's tokens first, no repeats", a.Context)
	}
	if got[8].N != 1 {
		t.Errorf("chunk 8: %d events, want 1 (a key repeated in one call counts once)", got[8].N)
	}
	if _, ok := got[9]; ok {
		t.Error("chunk 9 was never accessed")
	}
}

// TestMigrationMarksGoTestdata: an index made before Go's testdata rule
// (schema 4) has its Go files under testdata/ marked as test code by the
// migration, and nothing else.
func TestMigrationMarksGoTestdata(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range []struct{ path, lang string }{
		{"runtime/testdata/testprog/preempt.go", "go"},
		{"testdata/top.go", "go"},
		{"runtime/preempt.go", "go"},
		{"go/doc/testdata/a.py", "python"},
		{"mytestdata/x.go", "go"},
	} {
		if _, err := db.SQL().Exec(`INSERT INTO files(id, path, hash, size, mtime_ns, language, indexed_at) VALUES (?, ?, '', 0, 0, ?, 0)`, i+1, f.path, f.lang); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO chunks(key, file_id, kind, name, qualified_name, signature, doc, start_line, end_line, content, language)
			VALUES (?, ?, 'function', 'f', 'f', '', '', 1, 1, '', ?)`, i+1, i+1, f.lang); err != nil {
			t.Fatal(err)
		}
	}
	// Run migration 5 again, as on an index made at schema 4.
	if _, err := db.SQL().Exec(`DELETE FROM schema_migrations WHERE version = 5`); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version == 5 {
			if err := db.applyMigration(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer db.Close()
	got := map[string]int{}
	rows, err := db.SQL().Query(`SELECT f.path, c.is_test FROM chunks c JOIN files f ON f.id = c.file_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var v int
		if err := rows.Scan(&p, &v); err != nil {
			t.Fatal(err)
		}
		got[p] = v
	}
	want := map[string]int{"runtime/testdata/testprog/preempt.go": 1, "testdata/top.go": 1, "runtime/preempt.go": 0, "go/doc/testdata/a.py": 0, "mytestdata/x.go": 0}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: is_test %d, want %d", p, got[p], w)
		}
	}
}
