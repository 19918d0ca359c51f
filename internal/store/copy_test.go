package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// indexed returns a store at dir/memory.db holding n files of a few
// chunks each, with a finished index run.
func indexed(t *testing.T, dir string, n int) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	addFiles(t, db, 0, n)
	if _, err := db.FinishIndex(ctx, "/src", true, time.Unix(1_700_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	return db
}

// addFiles writes files from..to-1 with three chunks each, in batches of
// 50 files.
func addFiles(t *testing.T, db *DB, from, to int) {
	t.Helper()
	for lo := from; lo < to; lo += 50 {
		var ups []FileUpdate
		for i := lo; i < min(lo+50, to); i++ {
			body := strings.Repeat(fmt.Sprintf("apple banana cherry %d ", i), 20)
			ups = append(ups, FileUpdate{
				File: File{Path: fmt.Sprintf("pkg/f%05d.go", i), Hash: fmt.Sprint(i), Language: "go"},
				Chunks: []IndexedChunk{chunkRow(int64(3*i+1), fmt.Sprintf("alpha%d", i), body),
					chunkRow(int64(3*i+2), fmt.Sprintf("beta%d", i), body), chunkRow(int64(3*i+3), fmt.Sprintf("gamma%d", i), body)},
				Trigrams: string(TrigramText(body, map[uint32]struct{}{}, nil)),
			})
		}
		if err := db.ApplyBatch(context.Background(), ups); err != nil {
			t.Fatal(err)
		}
	}
}

func countRows(t *testing.T, path string) (files, chunks int) {
	t.Helper()
	db, err := Open(context.Background(), path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SQL().QueryRow("SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM chunks)").Scan(&files, &chunks); err != nil {
		t.Fatal(err)
	}
	return files, chunks
}

func TestCopyToIsCompleteSelfContainedAndHealthy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 200)
	dst := filepath.Join(dir, "replica", "replica.db")
	var steps []int
	res, err := db.CopyTo(ctx, dst, CopyOptions{PagesPerStep: 4, Progress: func(done, total int) { steps = append(steps, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps < 2 || len(steps) != res.Steps || !slices.IsSorted(steps) || steps[len(steps)-1] != res.Pages {
		t.Errorf("%d steps, progress %v, %d pages: want several steps of 4 pages ending at the total", res.Steps, steps, res.Pages)
	}
	if res.Generation != 1 || res.IndexedAt.Unix() != 1_700_000_000 {
		t.Errorf("copy holds generation %d indexed %v, want 1 at 1700000000", res.Generation, res.IndexedAt)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Size() != res.Bytes || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v, %v; want %d bytes, mode 0600", fi, err, res.Bytes)
	}
	if files, chunks := countRows(t, dst); files != 200 || chunks != 600 {
		t.Errorf("copy holds %d files, %d chunks; want 200, 600", files, chunks)
	}
	rep, err := Verify(ctx, dst)
	if err != nil || !rep.Healthy {
		t.Fatalf("Verify(copy) = %+v, %v", rep, err)
	}
	// One file, in rollback-journal mode: nothing beside it, before or
	// after a reader, and no temporary file left.
	b, _ := os.ReadFile(dst)
	if b[18] != 1 || b[19] != 1 {
		t.Errorf("copy's header says journal version %d/%d, want 1/1 (rollback journal)", b[18], b[19])
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Errorf("replica directory holds %v, want the copy alone", names(entries))
	}
}

func names(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// A copy made while another connection keeps writing is the snapshot of
// its start: complete (every batch committed before), consistent, and it
// finishes although the source changes between its steps.
func TestCopyToDuringWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 300)
	writer, err := Open(ctx, filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	dst := filepath.Join(dir, "copy.db")
	wrote := 0
	res, err := db.CopyTo(ctx, dst, CopyOptions{PagesPerStep: 2, Progress: func(done, total int) {
		// Between steps, another connection commits a batch.
		if done < total && wrote < 5 {
			addFiles(t, writer, 1000+wrote*10, 1000+wrote*10+10)
			wrote++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if wrote == 0 {
		t.Fatal("the copy finished in one step; nothing was written during it")
	}
	if files, chunks := countRows(t, dst); files != 300 || chunks != 900 {
		t.Errorf("copy holds %d files, %d chunks; want the snapshot at its start, 300 and 900", files, chunks)
	}
	if rep, err := Verify(ctx, dst); err != nil || !rep.Healthy {
		t.Fatalf("Verify(copy) = %+v, %v", rep, err)
	}
	t.Logf("%d steps while %d batches were committed", res.Steps, wrote)
}

func TestCopyToReplacesAtomically(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 20)
	dst := filepath.Join(dir, "copy.db")
	if _, err := db.CopyTo(ctx, dst, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	// A stale -wal and hot journal beside the destination (a process that
	// opened the copy for writing and died) must not be applied to the
	// next copy.
	for _, sfx := range []string{"-wal", "-journal"} {
		if err := os.WriteFile(dst+sfx, []byte("stale stale stale"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A temporary file of a copy killed midway (nobody holds its flock)
	// is removed by the next copy into the directory.
	stale := filepath.Join(dir, tempPrefix+"copy.db-deadbeef")
	os.WriteFile(stale, []byte("half a copy"), 0o600)
	os.WriteFile(stale+"-journal", []byte("its journal"), 0o600)
	addFiles(t, db, 20, 30)
	if _, err := db.CopyTo(ctx, dst, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if files, _ := countRows(t, dst); files != 30 {
		t.Errorf("second copy holds %d files, want 30", files)
	}
	for _, p := range []string{dst + "-wal", dst + "-journal", stale, stale + "-journal"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", filepath.Base(p), err)
		}
	}
}

func TestCopyToCancelledLeavesThePreviousCopy(t *testing.T) {
	dir := t.TempDir()
	db := indexed(t, dir, 200)
	dst := filepath.Join(dir, "copy.db")
	if _, err := db.CopyTo(context.Background(), dst, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(dst)
	addFiles(t, db, 200, 210)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := db.CopyTo(ctx, dst, CopyOptions{PagesPerStep: 1, Progress: func(done, total int) {
		if done > 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled copy: %v, want context.Canceled", err)
	}
	after, _ := os.ReadFile(dst)
	if string(before) != string(after) {
		t.Error("a cancelled copy changed the previous one")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("cancelled copy left %s", e.Name())
		}
	}
}

// The copy is checked before it takes the destination's name: a damaged
// source leaves the previous copy in place.
func TestCopyToRefusesDamagedSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := indexed(t, dir, 100)
	dst := filepath.Join(dir, "copy.db")
	if _, err := db.CopyTo(ctx, dst, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(dst)
	db.Close()
	src := filepath.Join(dir, "memory.db")
	overwritePages(t, src, 0.5)
	bad, err := Open(ctx, src, ReadOnly())
	if err != nil {
		t.Skipf("the damaged file does not even open (%v)", err)
	}
	defer bad.Close()
	_, err = bad.CopyTo(ctx, dst, CopyOptions{})
	if !IsCorrupt(err) {
		t.Fatalf("copy of a damaged database: %v, want a corruption error", err)
	}
	after, _ := os.ReadFile(dst)
	if string(before) != string(after) {
		t.Error("a failed copy changed the previous one")
	}
}

// overwritePages overwrites a run of pages from the middle of the file
// (at fraction of its pages) with a pattern, as a failing disk or a stray
// write would.
func overwritePages(t *testing.T, path string, at float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 16384
	pages := len(b) / page
	first := max(1, int(float64(pages)*at))
	last := min(pages, first+max(2, pages/4))
	for i := first * page; i < last*page; i++ {
		b[i] = byte(i*7 + 0x5a)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
