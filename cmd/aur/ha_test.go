package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// haRun runs the real aur with an isolated home and the given extra
// environment.
type haRun struct {
	t    *testing.T
	aur  string
	home string
	env  []string
}

func newHARun(t *testing.T, tmp string, env ...string) *haRun {
	t.Helper()
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	return &haRun{t: t, aur: aur, home: filepath.Join(tmp, "home"), env: env}
}

func (h *haRun) command(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(h.aur, args...)
	cmd.Dir = dir
	env := []string{"AURORA_HOME=" + h.home, "HOME=" + filepath.Join(h.home, "fakehome")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AURORA_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, h.env...)
	return cmd
}

// ok runs aur to the end and fails the test if it fails.
func (h *haRun) ok(dir string, args ...string) []byte {
	h.t.Helper()
	cmd := h.command(dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		h.t.Fatalf("aur %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// temps lists the temporary copy files in dir.
func temps(dir string) map[string]bool {
	out := map[string]bool{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".aurtmp-") && !strings.HasSuffix(e.Name(), "-journal") {
			out[e.Name()] = true
		}
	}
	return out
}

// newTemp reports whether dir holds a temporary copy file not in before.
func newTemp(dir string, before map[string]bool) bool {
	for n := range temps(dir) {
		if !before[n] {
			return true
		}
	}
	return false
}

// killAt starts cmd and kills it with SIGKILL: after delay, or, when
// watch is set, delay after a temporary copy file appears in watch (so
// that kills land inside copies, which are short on a small tree). It
// reports where the kill landed, from what is left in watchDir.
func killAt(t *testing.T, cmd *exec.Cmd, delay time.Duration, watch, watchDir string) string {
	t.Helper()
	before := temps(watchDir) // left by earlier killed runs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if watch != "" {
	poll:
		for {
			select {
			case err := <-done:
				t.Logf("  finished before its copy started (%v)", err)
				return "finished"
			default:
			}
			if newTemp(watch, before) {
				break poll
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	time.Sleep(delay)
	cmd.Process.Kill()
	err := <-done
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && !ee.Exited():
		// Dead: a new temporary file left behind is a copy it was making.
		if newTemp(watchDir, before) {
			return "mid-copy"
		}
		return "outside the copy"
	case err == nil:
		return "finished"
	}
	t.Fatalf("run to be killed: %v", err)
	return ""
}

// healthyOrAbsent checks what has a copy's final name after a kill: no
// file (-1), or a complete database that passes verification, holding
// from lo to hi files; it returns how many.
func healthyOrAbsent(t *testing.T, path string, lo, hi int) int {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return -1
	}
	r, err := store.Verify(context.Background(), path)
	if err != nil {
		t.Fatalf("verify %s: %v", path, err)
	}
	if !r.Healthy {
		t.Fatalf("%s after a kill fails verification: %+v", path, r.Problems())
	}
	if int(r.Files) < lo || int(r.Files) > hi {
		t.Fatalf("%s after a kill holds %d files, want %d to %d", path, r.Files, lo, hi)
	}
	return int(r.Files)
}

// TestCopiesSurviveSIGKILL kills aur mem backup, and aur mem index while
// it updates the replica, 20 times each at random moments: whatever file
// has a backup's or the replica's name is always a complete database that
// passes verification (the previous copy or the new one, never a part),
// and the next run cleans up after the killed one.
func TestCopiesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few thousand files and copies them 40 times")
	}
	rng := rand.New(rand.NewPCG(crashSeed, 2))
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(tmp, "tree")
	genTree(t, tree, 3000, rng)
	db := filepath.Join(tmp, "db", "memory.db")
	replica := filepath.Join(tmp, "replica", "replica.db")
	h := newHARun(t, tmp, "AURORA_DB_PATH="+db, "AURORA_REPLICA_PATH="+replica)
	start := time.Now()
	h.ok(tree, "mem", "index", "--no-git", tree)
	t.Logf("index with replica update: %v", time.Since(start))
	healthyOrAbsent(t, replica, 3000, 3000)

	// The replica: each run has one more file to index, so it copies.
	t.Run("replica", func(t *testing.T) {
		files, had, landed := 3000, 3000, map[string]int{}
		for i := range 20 {
			files++
			p := filepath.Join(tree, "extra", fmt.Sprintf("added%02d.txt", i))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(fmt.Sprintf("added file %d for the replica drill\n", i)), 0o644)
			watch := ""
			if i%2 == 1 {
				watch = filepath.Dir(replica)
			}
			where := killAt(t, h.command(tree, "mem", "index", "--no-git", tree), time.Duration(rng.IntN(30))*time.Millisecond, watch, filepath.Dir(replica))
			landed[where]++
			// The replica holds the index as of the last copy that
			// completed: never older than before this run, never a part
			// of a copy. (A run killed before its copy leaves the replica
			// behind the primary; the next complete run catches up.)
			had = healthyOrAbsent(t, replica, had, files)
			checkConsistent(t, db, tree)
		}
		t.Logf("kills: %v", landed)
		if landed["mid-copy"] == 0 {
			t.Errorf("no kill landed inside a replica copy: the drill tested nothing")
		}
		h.ok(tree, "mem", "index", "--no-git", tree)
		healthyOrAbsent(t, replica, files, files)
		if len(temps(filepath.Dir(replica))) > 0 {
			t.Error("a temporary copy of a killed run is still there after a complete one")
		}
	})

	// Backups: to one fixed name (the previous backup must survive every
	// kill) and to the default timestamped names (absent or complete).
	t.Run("backup", func(t *testing.T) {
		fixed := filepath.Join(tmp, "backups", "fixed.db")
		h.ok(tree, "mem", "backup", "--to", fixed)
		n := healthyOrAbsent(t, fixed, 3000, 3020)
		landed := map[string]int{}
		for i := range 20 {
			dir, args := filepath.Dir(fixed), []string{"mem", "backup", "--to", fixed}
			if i%4 >= 2 {
				args = []string{"mem", "backup"}
				dir = filepath.Join(filepath.Dir(db), "backups")
				os.MkdirAll(dir, 0o700)
			}
			watch := ""
			if i%2 == 1 {
				watch = dir
			}
			where := killAt(t, h.command(tree, args...), time.Duration(rng.IntN(20))*time.Millisecond, watch, dir)
			landed[where]++
			if healthyOrAbsent(t, fixed, n, n) < 0 {
				t.Fatal("a killed backup removed the previous one")
			}
			named, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "backups", "memory-*.db"))
			for _, b := range named {
				healthyOrAbsent(t, b, n, n)
			}
		}
		t.Logf("kills: %v", landed)
		if landed["mid-copy"] == 0 {
			t.Errorf("no kill landed inside a backup copy: the drill tested nothing")
		}
		h.ok(tree, "mem", "backup", "--to", fixed)
		if len(temps(filepath.Dir(fixed))) > 0 {
			t.Error("a temporary copy of a killed backup is still there after a complete one")
		}
	})
}

// TestBackupDuringForcedIndex takes a backup while aur mem index --force
// rewrites every file: the backup completes, verifies, opens and answers,
// and the index run is not disturbed.
func TestBackupDuringForcedIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few thousand files twice")
	}
	rng := rand.New(rand.NewPCG(crashSeed, 3))
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(tmp, "tree")
	genTree(t, tree, 3000, rng)
	db := filepath.Join(tmp, "db", "memory.db")
	h := newHARun(t, tmp, "AURORA_DB_PATH="+db)
	h.ok(tree, "mem", "index", "--no-git", tree)

	for attempt := 1; ; attempt++ {
		index := h.command(tree, "mem", "index", "--force", "--json", "--no-git", tree)
		var out, stderr bytes.Buffer
		index.Stdout, index.Stderr = &out, &stderr
		if err := index.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- index.Wait() }()
		// The run holds the writer lock while it writes.
		finished := false
		for !finished {
			if _, err := os.Stat(db + store.LockSuffix); err == nil {
				break
			}
			select {
			case err := <-done:
				done <- err // for the check below
				finished = true
			case <-time.After(time.Millisecond):
			}
		}
		backup := filepath.Join(tmp, fmt.Sprintf("during%d.db", attempt))
		var res struct {
			Path       string `json:"path"`
			Generation int64  `json:"generation"`
		}
		if err := json.Unmarshal(h.ok(tree, "mem", "backup", "--json", "--to", backup), &res); err != nil {
			t.Fatal(err)
		}
		overlapped := false
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("index --force: %v\n%s", err, stderr.String())
			}
		default:
			overlapped = true
			if err := <-done; err != nil {
				t.Fatalf("index --force with a backup taken meanwhile: %v\n%s", err, stderr.String())
			}
		}
		r, err := store.Verify(context.Background(), backup)
		if err != nil || !r.Healthy {
			t.Fatalf("backup taken during index --force: %+v, %v", r, err)
		}
		if r.Files != 3000 {
			t.Errorf("backup taken during index --force holds %d files, want all 3000 (each file is replaced within one transaction)", r.Files)
		}
		// It opens as a database of its own and answers.
		out2 := h.command(tree, "mem", "search", "--db", backup, "--json", "retry cache")
		b, err := out2.Output()
		if err != nil {
			t.Fatalf("search the backup: %v", err)
		}
		if !bytes.Contains(b, []byte(`"results": [`)) || bytes.Contains(b, []byte(`"results": []`)) {
			t.Errorf("search of the backup found nothing:\n%s", b)
		}
		t.Logf("attempt %d: backup of generation %d, %d chunks; index still running when it finished: %v",
			attempt, res.Generation, r.Chunks, overlapped)
		if overlapped {
			return
		}
		if attempt == 3 {
			t.Fatal("the index run finished before the backup three times: the test could not overlap them")
		}
	}
}
