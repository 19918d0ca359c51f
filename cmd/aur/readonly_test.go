package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyDatabase searches a database this user cannot write, as
// another user's index or one on a read-only mount: search, query and
// the stats work, with one warning that queries are not recorded, and
// indexing says why it cannot. As root (whom permissions do not stop) aur
// runs as nobody through setpriv; without setpriv the test is skipped
// (internal/cli's TestReadOnlyOpen covers the same path with a simulated
// read-only open).
func TestReadOnlyDatabase(t *testing.T) {
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	var asOther []string
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root, whom file permissions do not stop, and no setpriv to run aur as another user")
		}
		asOther = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	dir, err := os.MkdirTemp("", "aur-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && fi.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	// Another user must be able to run the binary and reach the files.
	bin := filepath.Join(dir, "aur")
	copyFile(t, aur, bin, 0o755)
	writeFile(t, filepath.Join(dir, "repo", "shapes.go"), "package shapes\n\n// Area returns the area of the circle.\nfunc Area(r float64) float64 { return 3.14 * r * r }\n")
	db := filepath.Join(dir, "db", "memory.db")
	env := append(os.Environ(), "AURORA_HOME="+filepath.Join(dir, "home"), "HOME="+filepath.Join(dir, "home"), "AURORA_DB_PATH="+db)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		if asOther != nil {
			cmd = exec.Command(asOther[0], append(append(asOther[1:], bin), args...)...)
		}
		cmd.Env, cmd.Dir = env, dir
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.Run()
		return out.String(), errb.String(), cmd.ProcessState.ExitCode()
	}
	idx := exec.Command(bin, "mem", "index", "--no-git", filepath.Join(dir, "repo"))
	idx.Env = env
	if out, err := idx.CombinedOutput(); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	// Readable by all, writable by none (as the other user: by its owner
	// only; as the owner: by nobody).
	for _, p := range []string{dir, filepath.Join(dir, "repo"), filepath.Join(dir, "home")} {
		os.MkdirAll(p, 0o755)
		os.Chmod(p, 0o755)
	}
	os.Remove(db + ".lock")
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(db), 0o555); err != nil {
		t.Fatal(err)
	}
	if asOther == nil && syscall.Access(db, 2) == nil {
		t.Skip("permissions do not stop this user")
	}

	out, errOut, code := run("mem", "search", "area of the circle")
	if code != 0 || !strings.Contains(out, "Area") {
		t.Fatalf("mem search on a read-only database: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if n := strings.Count(errOut, "warning:"); n != 1 || !strings.Contains(errOut, "read-only for this user") ||
		strings.Contains(errOut, "readonly database") || strings.Contains(errOut, "zerolog") {
		t.Errorf("want one warning that queries are not recorded; stderr:\n%s", errOut)
	}
	out, errOut, code = run("query", "area of the circle")
	if code != 0 || !strings.Contains(out, "Area") || strings.Count(errOut, "warning:") != 1 {
		t.Errorf("query on a read-only database: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, args := range [][]string{{"mem", "stats"}, {"stats"}} {
		if out, errOut, code := run(args...); code != 0 || strings.Contains(errOut, "warning") {
			t.Errorf("aur %s on a read-only database: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
		}
	}
	_, errOut, code = run("mem", "index", "--no-git", filepath.Join(dir, "repo"))
	if code != 1 || !strings.Contains(errOut, "not writable by this user; searching works, indexing needs write access") {
		t.Errorf("mem index on a read-only database: exit %d, stderr:\n%s", code, errOut)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
