package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPOverStdio runs the real aur mcp as an MCP client would (a child
// process on stdio pipes) and drives it with the SDK's client.
func TestMCPOverStdio(t *testing.T) {
	aur, err := exec.LookPath("aur")
	if err != nil {
		t.Fatalf("aur not in PATH (TestMain should have put it there): %v", err)
	}
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(tmp, "repo")
	copyFixture(t, repo)
	db := filepath.Join(tmp, "memory.db")
	env := append(os.Environ(), "AURORA_HOME="+filepath.Join(tmp, "home"), "HOME="+filepath.Join(tmp, "fakehome"),
		"AURORA_LLM_PROVIDER=none")
	idx := exec.Command(aur, "mem", "index", "--no-git", "--db", db, repo)
	idx.Env = env
	if out, err := idx.CombinedOutput(); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.Command(aur, "mcp", "--db", db, "--max-chars", "4000", "--max-results", "5")
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "aur-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	if v := cs.InitializeResult().ServerInfo; v == nil || v.Name != "aur" {
		t.Fatalf("server info %+v", v)
	}
	call := func(name string, args map[string]any) map[string]any {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		text := res.Content[0].(*mcp.TextContent).Text
		if len(text) > 4000 {
			t.Fatalf("%s: %d characters over --max-chars 4000", name, len(text))
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Fatalf("%s: %v: %s", name, err, text)
		}
		if res.IsError {
			t.Fatalf("%s: tool error %s", name, text)
		}
		return v
	}
	v := call("search", map[string]any{"query": "area of the circle", "limit": 20})
	res := v["results"].([]any)
	if len(res) == 0 || len(res) > 5 || res[0].(map[string]any)["name"] != "Circle.Area" {
		t.Fatalf("search: %v", v)
	}
	v = call("query", map[string]any{"query": "circle area zanzibar mombasa"})
	if v["tier"] != "weak" || v["choice"] != "none" || v["answer"] == nil {
		t.Fatalf("query: %v", v)
	}
	v = call("index_status", map[string]any{})
	if v["files"].(float64) == 0 {
		t.Fatalf("index_status: %v", v)
	}
	v = call("stats", map[string]any{})
	if v["total_queries"].(float64) < 1 {
		t.Fatalf("stats: %v", v)
	}
	// Closing the session closes aur's stdin: it flushes and exits 0.
	if err := cs.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := cmd.Wait(); err != nil && !strings.Contains(err.Error(), "Wait was already called") {
		t.Fatalf("aur mcp exit: %v\n%s", err, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("aur mcp exited %d\n%s", code, stderr.String())
	}
	// Both questions are recorded (the query log was flushed).
	st := exec.Command(aur, "stats", "--json", "--db", db, "--since", "1h")
	st.Env = env
	out, err := st.Output()
	if err != nil {
		t.Fatal(err)
	}
	var ops struct {
		QueryCount int `json:"query_count"`
	}
	if err := json.Unmarshal(out, &ops); err != nil || ops.QueryCount != 2 {
		t.Fatalf("recorded %d queries, want 2 (%v)", ops.QueryCount, err)
	}
}

// copyFixture copies the fixture repository (dot-NAME files become .NAME).
func copyFixture(t *testing.T, dst string) {
	t.Helper()
	src, err := filepath.Abs(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := copyFixtureTree(src, dst); err != nil {
		t.Fatal(err)
	}
}
