package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// crashSeed fixes the generated tree and the kill moments, so a failure
// can be replayed.
const crashSeed = 20240601

// TestIndexSurvivesSIGKILL kills the real aur at several moments of an
// index run and checks that the database is always consistent and that
// the next run ends with exactly what a clean run produces. Nothing here
// asserts timing: a kill that lands after the run finished is fine.
func TestIndexSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few thousand files several times")
	}
	// testscript.Main installed this test binary in $PATH as aur.
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	rng := rand.New(rand.NewPCG(crashSeed, crashSeed))
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(tmp, "tree")
	genTree(t, tree, 3000, rng)
	ix := &killer{t: t, aur: aur, tree: tree, home: filepath.Join(tmp, "home")}

	cleanDB := filepath.Join(tmp, "clean.db")
	start := time.Now()
	clean := ix.runToEnd(cleanDB)
	t.Logf("a clean run takes %v", time.Since(start))
	want := contents(t, cleanDB)
	if len(want.files) != 3000 || clean.TotalChunks == 0 {
		t.Fatalf("clean run: %d files, %d chunks; want 3000 files", len(want.files), clean.TotalChunks)
	}

	// Kill moments: fixed ones, and fractions of a clean run's duration
	// so that some land mid-run on a fast or a slow machine, each with
	// seeded jitter.
	took := time.Since(start)
	var delays []time.Duration
	for _, d := range []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond,
		took * 3 / 10, took * 6 / 10, took * 9 / 10} {
		delays = append(delays, d+time.Duration(rng.IntN(20))*time.Millisecond)
	}
	slices.Sort(delays)

	// One kill per fresh database, then a full run.
	for i, d := range delays {
		db := filepath.Join(tmp, fmt.Sprintf("kill%d.db", i))
		ix.killAfter(db, d)
		checkConsistent(t, db, tree)
		sum := ix.runToEnd(db)
		if sum.TotalFiles != clean.TotalFiles || sum.TotalChunks != clean.TotalChunks {
			t.Errorf("after a kill at %v: %d files, %d chunks; a clean run has %d, %d",
				d, sum.TotalFiles, sum.TotalChunks, clean.TotalFiles, clean.TotalChunks)
		}
		compareContents(t, fmt.Sprintf("after a kill at %v", d), want, contents(t, db))
	}

	// SIGINT, SIGTERM or SIGHUP (the terminal closed) mid-run: aur
	// commits what it parsed, records the run as interrupted and exits
	// with 128 plus the signal's number; the next run completes the index.
	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		db := filepath.Join(tmp, fmt.Sprintf("sig%d.db", sig.sig))
		code := ix.signalAfter(db, took/2, sig.sig)
		if code != 0 && code != sig.code {
			t.Errorf("aur interrupted by %v exited with %d, want %d", sig.sig, code, sig.code)
		}
		checkConsistent(t, db, tree)
		if st := stats(t, db); code == sig.code && st.LastRunStatus != "interrupted" {
			t.Errorf("after %v: last run status %q, want interrupted", sig.sig, st.LastRunStatus)
		}
		ix.runToEnd(db)
		compareContents(t, fmt.Sprintf("after %v", sig.sig), want, contents(t, db))
	}

	// Kills in a row on one database: each run resumes a killed one.
	db := filepath.Join(tmp, "chain.db")
	for _, d := range delays {
		ix.killAfter(db, d)
		checkConsistent(t, db, tree)
	}
	ix.runToEnd(db)
	compareContents(t, "after repeated kills", want, contents(t, db))
}

// killer runs aur mem index on one tree.
type killer struct {
	t               *testing.T
	aur, tree, home string
}

func (k *killer) command(db string) *exec.Cmd {
	cmd := exec.Command(k.aur, "mem", "index", "--json", "--no-git", "--db", db, k.tree)
	cmd.Dir = k.tree
	env := []string{"AURORA_HOME=" + k.home, "HOME=" + filepath.Join(k.home, "fakehome")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AURORA_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	return cmd
}

func (k *killer) runToEnd(db string) indexSummary {
	k.t.Helper()
	cmd := k.command(db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		k.t.Fatalf("aur mem index: %v\n%s", err, stderr.String())
	}
	var s indexSummary
	if err := json.Unmarshal(out, &s); err != nil {
		k.t.Fatalf("aur mem index --json: %v\n%s", err, out)
	}
	return s
}

// killAfter starts a run and sends it SIGKILL after d.
func (k *killer) killAfter(db string, d time.Duration) {
	k.t.Helper()
	cmd := k.command(db)
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Kill() // an exited but unreaped process takes the signal without error
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && !ee.Exited():
		k.t.Logf("killed after %v", d)
	case err == nil:
		k.t.Logf("run finished before the kill at %v", d)
	default:
		k.t.Fatalf("run to be killed at %v: %v", d, err)
	}
}

// signalAfter starts a run, sends it sig after d and returns its exit
// code.
func (k *killer) signalAfter(db string, d time.Duration, sig os.Signal) int {
	k.t.Helper()
	cmd := k.command(db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		k.t.Fatal(err)
	}
	k.t.Logf("%v after %v: exit %d %s", sig, d, cmd.ProcessState.ExitCode(), strings.TrimSpace(stderr.String()))
	return cmd.ProcessState.ExitCode()
}

// indexSummary is the part of aur mem index --json this test reads.
type indexSummary struct {
	TotalFiles  int `json:"total_files"`
	TotalChunks int `json:"total_chunks"`
}

// checkConsistent opens the database as aur does and checks what a killed
// run must never break.
func checkConsistent(t *testing.T, path, root string) {
	t.Helper()
	ctx := context.Background()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return // killed before the store was created
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer db.Close()
	if v, err := db.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity_check after kill = %q, %v", v, err)
	}
	rows, err := db.SQL().QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Errorf("foreign_key_check after kill: dangling rows")
	}
	rows.Close()
	var files, chunks, fts int
	err = db.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM chunks),
		(SELECT count(*) FROM chunks_fts)`).Scan(&files, &chunks, &fts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("  database holds %d files, %d chunks", files, chunks)
	if chunks != fts {
		t.Errorf("after kill: %d chunks but %d full-text rows", chunks, fts)
	}
	if files > 0 {
		// Paths are relative to the root, so the root must be on record
		// as soon as a file is.
		if r, err := db.Meta(ctx, store.MetaRoot); err != nil || r != root {
			t.Errorf("after kill with %d files: root = %q, %v; want %q", files, r, err, root)
		}
	}
}

func stats(t *testing.T, path string) *store.IndexStats {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// storeContents is what an index holds, comparably.
type storeContents struct {
	files  []string // path and hash
	chunks []string // key, path, kind, name, lines
}

func contents(t *testing.T, path string) storeContents {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var c storeContents
	for _, q := range []struct {
		dst *[]string
		sql string
	}{
		{&c.files, `SELECT path || ' ' || hash FROM files ORDER BY path`},
		{&c.chunks, `SELECT c.key || ' ' || f.path || ' ' || c.kind || ' ' || c.qualified_name || ' ' || c.start_line || '-' || c.end_line
			FROM chunks c JOIN files f ON f.id = c.file_id ORDER BY 1`},
	} {
		rows, err := db.SQL().Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			*q.dst = append(*q.dst, s)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func compareContents(t *testing.T, what string, want, got storeContents) {
	t.Helper()
	if !slices.Equal(want.files, got.files) {
		t.Errorf("%s: %d files differ from a clean run's %d", what, len(got.files), len(want.files))
	}
	if !slices.Equal(want.chunks, got.chunks) {
		t.Errorf("%s: %d chunks differ from a clean run's %d", what, len(got.chunks), len(want.chunks))
	}
}

// genTree writes n small source files of several languages under root.
func genTree(t *testing.T, root string, n int, rng *rand.Rand) {
	t.Helper()
	words := []string{"alpha", "beta", "gamma", "delta", "retry", "cache", "index", "query", "parse", "store"}
	w := func() string { return words[rng.IntN(len(words))] }
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("pkg%02d", i%40))
		var name, body string
		switch i % 4 {
		case 0:
			name = fmt.Sprintf("f%d.go", i)
			body = fmt.Sprintf("package pkg\n\n// %s%d does %s.\nfunc %s%d(x int) int {\n\treturn x + %d\n}\n\n"+
				"type T%d struct{ n int }\n\nfunc (t *T%d) %s() int { return t.n }\n",
				strings.ToUpper(w()[:1]), i, w(), strings.ToUpper(w()[:1]), i, i, i, i, strings.ToUpper(w()[:1])+w())
		case 1:
			name = fmt.Sprintf("m%d.py", i)
			body = fmt.Sprintf("class C%d:\n    \"\"\"%s %s.\"\"\"\n\n    def %s(self):\n        return %d\n\n\ndef f%d():\n    return %q\n",
				i, w(), w(), w(), i, i, w())
		case 2:
			name = fmt.Sprintf("doc%d.md", i)
			body = fmt.Sprintf("# Doc %d\n\nAbout %s.\n\n## %s\n\nThe %s and the %s.\n", i, w(), w(), w(), w())
		default:
			name = fmt.Sprintf("notes%d.txt", i)
			body = strings.Repeat(w()+" "+w()+" "+w()+"\n", 5+rng.IntN(20))
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
