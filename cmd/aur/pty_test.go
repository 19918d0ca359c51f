package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNoTerminalQueryAtStartup runs aur on a pseudo-terminal that answers
// nothing (util-linux script), as a serial console or an editor's output
// pane would. aur must not ask the terminal for its colours or cursor
// (ESC]11;? and ESC[6n, which Lip Gloss sent from bubbletea's package
// init and then waited five seconds for): nothing asks unless a prompt is
// about to be drawn. See internal/termquiet.
func TestNoTerminalQueryAtStartup(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) not installed")
	}
	if v, err := exec.Command(script, "-V").CombinedOutput(); err != nil || !strings.Contains(string(v), "util-linux") {
		t.Skip("script is not util-linux's")
	}
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	dir := t.TempDir()
	base := append(os.Environ(), "AURORA_HOME="+filepath.Join(dir, "home"), "HOME="+filepath.Join(dir, "fakehome"),
		"TERM=xterm-256color", "CI=", "NO_COLOR=")
	for _, c := range []struct {
		name string
		args string
		env  []string
	}{
		{"version", "--version", nil},
		{"version NO_COLOR", "--version", []string{"NO_COLOR=1"}},
		{"help --no-color", "--no-color --help", nil},
		{"query without index", "query --db " + filepath.Join(dir, "none.db") + " anything", nil},
		{"config show", "config show", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(script, "-qec", aur+" "+c.args, os.DevNull)
			cmd.Env = append(append([]string{}, base...), c.env...)
			cmd.Dir = dir
			start := time.Now()
			out, _ := cmd.CombinedOutput()
			took := time.Since(start)
			if took > 2*time.Second {
				t.Errorf("aur %s took %v at a silent terminal; it must not wait for the terminal", c.args, took)
			}
			for _, q := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[6n"} {
				if strings.Contains(string(out), q) {
					t.Errorf("aur %s queried the terminal (%q); output:\n%q", c.args, q, out)
				}
			}
		})
	}
}
