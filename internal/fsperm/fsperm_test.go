//go:build unix

package fsperm

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestModes(t *testing.T) {
	for _, tc := range []struct {
		umask          int
		dir, file, log os.FileMode
	}{
		{0o022, 0o700, 0o600, 0o600}, // the usual umask: private anyway
		{0o077, 0o700, 0o600, 0o600},
		{0o277, 0o500, 0o400, 0o400}, // stricter than private: respected, not overridden
	} {
		old := syscall.Umask(tc.umask)
		base := t.TempDir()
		dir := filepath.Join(base, "x", "y")
		err := MkdirAll(dir)
		var created bool
		var ferr, lerr error
		var logf *os.File
		if err == nil {
			// Files go in base, which the umask does not constrain.
			created, ferr = Create(filepath.Join(base, "db"))
			logf, lerr = OpenAppend(filepath.Join(base, "log"))
		}
		syscall.Umask(old)
		if err != nil || ferr != nil || lerr != nil || !created {
			t.Fatalf("umask %o: %v %v %v created %v", tc.umask, err, ferr, lerr, created)
		}
		logf.Close()
		for p, want := range map[string]os.FileMode{
			filepath.Join(base, "x"): tc.dir, dir: tc.dir,
			filepath.Join(base, "db"): tc.file, filepath.Join(base, "log"): tc.log,
		} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("umask %o: %s mode %o, want %o", tc.umask, p, got, want)
			}
		}
		os.Chmod(filepath.Join(base, "x"), 0o700) // so that TempDir can clean up
		os.Chmod(dir, 0o700)
	}
}

func TestCreateLeavesExistingFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	created, err := Create(p)
	if err != nil || created {
		t.Fatalf("Create existing: created %v, err %v", created, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "data" {
		t.Errorf("content changed: %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode changed to %o", fi.Mode().Perm())
	}
}
