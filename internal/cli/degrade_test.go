package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/store"
)

// TestReadOnlyOpen simulates a database this user cannot write (tests run
// as root, whom permissions do not stop; cmd/aur's TestReadOnlyDatabase
// runs aur as another user): search opens it read-only, answers, and says
// once that the query is not recorded; nothing is written.
func TestReadOnlyOpen(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AURORA_HOME", filepath.Join(dir, "home"))
	t.Setenv("AURORA_DB_PATH", filepath.Join(dir, "memory.db"))
	t.Setenv("AURORA_LLM_PROVIDER", "none")
	t.Chdir(dir)
	if err := os.MkdirAll(filepath.Join(dir, "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package shapes\n\n// Area returns the area of the circle.\nfunc Area(r float64) float64 { return 3.14 * r * r }\n"
	if err := os.WriteFile(filepath.Join(dir, "repo", "shapes.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, ExitCode) {
		ios, _, out, errOut := iostreams.Test()
		code := Run(context.Background(), ios, args)
		return out.String(), errOut.String(), code
	}
	if _, errOut, code := run("mem", "index", "--no-git", "repo"); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}
	defer func(w func(string) bool) { writable = w }(writable)
	writable = func(string) bool { return false }

	for _, args := range [][]string{{"mem", "search", "area", "circle"}, {"query", "area", "circle"}} {
		out, errOut, code := run(args...)
		if code != 0 || !strings.Contains(out, "Area") {
			t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
		if n := strings.Count(errOut, "aur: warning:"); n != 1 || !strings.Contains(errOut, "read-only for this user") {
			t.Errorf("%v: want one read-only warning; stderr:\n%s", args, errOut)
		}
	}
	if _, errOut, code := run("mem", "stats"); code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("mem stats: exit %d, stderr:\n%s", code, errOut)
	}
	writable = func(string) bool { return true }
	db, err := store.Open(context.Background(), filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM queries").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d queries recorded through a read-only open (%v), want 0", n, err)
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("no space left on device")
}

// A log that cannot be written (a full disk) is one warning, then off:
// zerolog would print "zerolog: could not write event" at every event.
func TestLogWriteFailureWarnsOnce(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := NewFactory(ios)
	fw := &failingWriter{}
	w := &redactWriter{w: fw, failed: func(err error) {
		f.warnOnce("log", "cannot write the log (%v); logging is off for this run", err)
	}}
	for range 3 {
		if n, err := w.Write([]byte(`{"level":"info"}` + "\n")); err != nil || n == 0 {
			t.Fatalf("Write = %d, %v; want the event swallowed", n, err)
		}
	}
	if fw.n != 1 {
		t.Errorf("the failing log was written %d times, want 1", fw.n)
	}
	if got := errOut.String(); strings.Count(got, "warning") != 1 || !strings.Contains(got, "no space left on device") {
		t.Errorf("stderr:\n%s\nwant one warning naming the error", got)
	}
}
