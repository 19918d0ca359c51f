package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/store"
)

// TestWeakMatchPromptInTerminal drives the real weak-match prompt (huh) in
// a real terminal: aur runs in a tmux pane, the test reads the screen with
// capture-pane and answers with send-keys, once per option. Skipped
// without tmux or with -short. The scripted-prompter tests in
// internal/ask cover the same logic without a terminal.
func TestWeakMatchPromptInTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a terminal")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed")
	}
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "repo", "shapes.go"), `package shapes

// Circle is a circle of radius R.
type Circle struct{ R float64 }

// Area returns the area of the circle.
func (c Circle) Area() float64 { return 3.14159 * c.R * c.R }

// Perimeter returns the circumference of the circle.
func (c Circle) Perimeter() float64 { return 2 * 3.14159 * c.R }

// Square is a square of side S.
type Square struct{ S float64 }

// Area returns the area of the square.
func (s Square) Area() float64 { return s.S * s.S }
`)
	db := filepath.Join(dir, "memory.db")
	env := append(os.Environ(), "AURORA_HOME="+filepath.Join(dir, "home"), "HOME="+filepath.Join(dir, "fakehome"),
		"AURORA_DB_PATH="+db, "AURORA_NON_INTERACTIVE=", "NO_COLOR=1", "TERM=xterm-256color")
	idx := exec.Command(aur, "mem", "index", "--no-git", filepath.Join(dir, "repo"))
	idx.Env = env
	if out, err := idx.CombinedOutput(); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}

	// The weak query matches the circle code, but its last word is in no
	// chunk, so groundedness stays under 0.7.
	const weak = "circle area zanzibarquux"
	socket := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		cmd := exec.Command(tmux, append([]string{"-S", socket}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", socket, "kill-server").Run() })

	// waitFor polls the screen until it shows want.
	waitFor := func(name, want string) string {
		deadline := time.Now().Add(20 * time.Second)
		for {
			screen := tm("capture-pane", "-p", "-t", name)
			if strings.Contains(screen, want) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %q never appeared; screen:\n%s", name, want, screen)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	run := func(name string) {
		// The pane keeps running after aur exits so the screen can be read.
		tm("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
			aur+" query '"+weak+"'; echo EXIT=$?; sleep 60")
	}

	// 3. Continue anyway: the default, Enter.
	run("cont")
	screen := waitFor("cont", "Retrieval quality is weak")
	if !strings.Contains(screen, "Groundedness") || !strings.Contains(screen, "threshold 0.70") {
		t.Errorf("the prompt does not show groundedness against its threshold:\n%s", screen)
	}
	for _, option := range []string{"Continue anyway", "Start anew", "Start over"} {
		if !strings.Contains(screen, option) {
			t.Errorf("option %q is not on the screen:\n%s", option, screen)
		}
	}
	tm("send-keys", "-t", "cont", "Enter")
	screen = waitFor("cont", "EXIT=")
	if !strings.Contains(screen, "EXIT=0") || !strings.Contains(screen, "Circle.Area") {
		t.Errorf("continue anyway: want the weak chunks and exit 0; screen:\n%s", screen)
	}

	// 1. Start anew: down once, Enter.
	run("anew")
	waitFor("anew", "Retrieval quality is weak")
	tm("send-keys", "-t", "anew", "Down", "Enter")
	screen = waitFor("anew", "EXIT=")
	if !strings.Contains(screen, "Nothing grounded was found") || !strings.Contains(screen, "EXIT=0") {
		t.Errorf("start anew: want the no-context answer; screen:\n%s", screen)
	}

	// 2. Start over: down twice, Enter, then replace the prefilled query.
	run("over")
	waitFor("over", "Retrieval quality is weak")
	tm("send-keys", "-t", "over", "Down", "Down", "Enter")
	screen = waitFor("over", "Rephrase the query")
	if !strings.Contains(screen, weak) {
		t.Errorf("the rephrase prompt is not prefilled with the query:\n%s", screen)
	}
	tm("send-keys", "-t", "over", "C-u")
	tm("send-keys", "-t", "over", "-l", "area of the circle")
	tm("send-keys", "-t", "over", "Enter")
	screen = waitFor("over", "EXIT=")
	if !strings.Contains(screen, "good match") || !strings.Contains(screen, "EXIT=0") {
		t.Errorf("start over: want a good match for the rephrased query; screen:\n%s", screen)
	}

	// With an LLM at a terminal the answer streams in, and is printed
	// once, followed by its sources.
	srv := llmtest.New(t, llmtest.Options{APIKey: testAPIKey})
	tm("new-session", "-d", "-s", "llm", "-x", "120", "-y", "40",
		"env OPENAI_API_KEY="+testAPIKey+" OPENAI_BASE_URL="+srv.OpenAIBaseURL()+" "+aur+
			" query --no-cache 'area of the circle'; echo EXIT=$?; sleep 60")
	screen = waitFor("llm", "EXIT=")
	if n := strings.Count(screen, "Retries back off exponentially"); n != 1 || !strings.Contains(screen, "Sources") ||
		!strings.Contains(screen, "EXIT=0") {
		t.Errorf("streamed answer: printed %d times, want once with its sources; screen:\n%s", n, screen)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || !reqs[0].Stream {
		t.Errorf("provider saw %d requests (stream %v), want one streaming request", len(reqs), len(reqs) == 1 && reqs[0].Stream)
	}

	// A signal at the prompt: the terminal is restored, no choice is
	// recorded, and aur exits 128+signal (143 for SIGTERM, 130 for
	// SIGINT). tea's own handler used to turn SIGTERM into "Continue".
	for _, sig := range []struct {
		name, kill, exit string
	}{{"term", "TERM", "EXIT=143"}, {"int", "INT", "EXIT=130"}} {
		tm("new-session", "-d", "-s", sig.name, "-x", "120", "-y", "40",
			"sh -c 'echo PID=$$; exec "+aur+" query \""+weak+"\"'; echo EXIT=$?; "+
				"stty -a | grep -o -- '-*icanon' | sed 's/^/TTY=/'; sleep 60")
		screen = waitFor(sig.name, "Retrieval quality is weak")
		m := regexp.MustCompile(`PID=(\d+)`).FindStringSubmatch(screen)
		if m == nil {
			t.Fatalf("no PID on the screen:\n%s", screen)
		}
		if out, err := exec.Command("kill", "-"+sig.kill, m[1]).CombinedOutput(); err != nil {
			t.Fatalf("kill -%s %s: %v %s", sig.kill, m[1], err, out)
		}
		screen = waitFor(sig.name, "TTY=")
		if !strings.Contains(screen, sig.exit) || strings.Contains(screen, "Circle.Area") {
			t.Errorf("SIG%s at the prompt: want %s and no answer; screen:\n%s", sig.kill, sig.exit, screen)
		}
		if !strings.Contains(screen, "TTY=icanon") {
			t.Errorf("SIG%s at the prompt left the terminal raw; screen:\n%s", sig.kill, screen)
		}
	}

	// --json never prompts, even at a terminal: it is for programs.
	tm("new-session", "-d", "-s", "json", "-x", "120", "-y", "40",
		aur+" query --json '"+weak+"'; echo EXIT=$?; sleep 60")
	screen = waitFor("json", "EXIT=")
	if strings.Contains(screen, "Retrieval quality is weak") || !strings.Contains(screen, `"choice": "none"`) ||
		!strings.Contains(screen, "EXIT=0") {
		t.Errorf("query --json at a terminal: want no prompt and choice none; screen:\n%s", screen)
	}

	// The choices were recorded, in order, with the interactive mode.
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.SQL().Query(`SELECT query, choice, mode FROM queries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var q, c, m string
		if err := rows.Scan(&q, &c, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, q+"|"+c+"|"+m)
	}
	want := []string{
		weak + "|continue|interactive",
		weak + "|start_anew|interactive",
		weak + "|start_over|interactive",
		"area of the circle|none|interactive",
		"area of the circle|none|interactive",
		weak + "|none|interactive",
		weak + "|none|interactive",
		weak + "|none|non_interactive",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("recorded queries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
