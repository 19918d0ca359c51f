package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentIndexRuns starts two index runs on one new database at
// the same moment. With different roots, both used to find no root, each
// recorded its own and the index mixed their files; now the writer lock
// makes the second wait, find the first's root and fail clearly. With one
// root, both succeed and the index is what one run makes.
func TestConcurrentIndexRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few hundred files several times")
	}
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	genTree(t, a, 400, rng)
	genTree(t, b, 300, rng)
	env := append(os.Environ(), "AURORA_HOME="+filepath.Join(tmp, "home"), "HOME="+filepath.Join(tmp, "fakehome"))

	type run struct {
		code   int
		stderr string
	}
	both := func(db string, roots ...string) []run {
		out := make([]run, len(roots))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, root := range roots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(aur, "mem", "index", "--no-git", "--db", db, root)
				cmd.Env = env
				var stderr strings.Builder
				cmd.Stderr = &stderr
				<-start
				cmd.Run()
				out[i] = run{cmd.ProcessState.ExitCode(), stderr.String()}
			}()
		}
		close(start)
		wg.Wait()
		return out
	}

	for i := range 3 {
		db := filepath.Join(tmp, "mixed"+string(rune('0'+i))+".db")
		rs := both(db, a, b)
		var won string
		for j, r := range rs {
			root := []string{a, b}[j]
			switch r.code {
			case 0:
				if won != "" {
					t.Fatalf("both runs with different roots succeeded: %+v", rs)
				}
				won = root
			case 2:
				if !strings.Contains(r.stderr, "is outside") {
					t.Errorf("the losing run did not say why: %q", r.stderr)
				}
			default:
				t.Fatalf("run on %s exited %d: %s", root, r.code, r.stderr)
			}
		}
		if won == "" {
			t.Fatalf("neither run succeeded: %+v", rs)
		}
		st := stats(t, db)
		if want := map[string]int{a: 400, b: 300}[won]; st.Root != won || st.Files != want {
			t.Errorf("after concurrent runs: root %s with %d files; want %s with %d (the winner's only)", st.Root, st.Files, won, want)
		}
	}

	// One root twice at once: both succeed, the index is one clean run's.
	clean := filepath.Join(tmp, "clean.db")
	if rs := both(clean, a); rs[0].code != 0 {
		t.Fatalf("clean run: %+v", rs)
	}
	db := filepath.Join(tmp, "same.db")
	for _, r := range both(db, a, a) {
		if r.code != 0 {
			t.Fatalf("concurrent runs on one root: exit %d: %s", r.code, r.stderr)
		}
	}
	compareContents(t, "after two concurrent runs on one root", contents(t, clean), contents(t, db))
}
