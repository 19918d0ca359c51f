package mcpserver_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/mcpserver"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
)

// connect runs the server over two OS pipes, as a client would start it
// on its stdin and stdout, and returns the SDK client's session.
func connect(t *testing.T, opts mcpserver.Options) (*mcp.ClientSession, *servicetest.Fixture) {
	t.Helper()
	fx := servicetest.New(t, service.Deps{Log: zerolog.Nop()})
	return connectTo(t, fx, opts), fx
}

// connectTo is connect over a fixture of the caller's.
func connectTo(t *testing.T, fx *servicetest.Fixture, opts mcpserver.Options) *mcp.ClientSession {
	t.Helper()
	toServerR, toServerW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	toClientR, toClientW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := mcpserver.New(fx.Svc, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, &mcp.IOTransport{Reader: toServerR, Writer: toClientW}) }()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: toClientR, Writer: toServerW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.Close()
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the server did not stop")
		}
	})
	return cs
}

// callJSON calls a tool and decodes its text result.
func callJSON(t *testing.T, cs *mcp.ClientSession, name string, args any) (map[string]any, string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(res.Content) != 1 {
		t.Fatalf("%s: %d contents", name, len(res.Content))
	}
	txt, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("%s: content %T", name, res.Content[0])
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(txt.Text), &v); err != nil {
		t.Fatalf("%s: not JSON: %s", name, txt.Text)
	}
	return v, txt.Text, res.IsError
}

func TestTools(t *testing.T) {
	cs, fx := connect(t, mcpserver.Options{})
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	if got := strings.Join(names, ","); got != "index_status,query,search,stats" {
		t.Fatalf("tools %s", got)
	}

	v, _, isErr := callJSON(t, cs, "search", map[string]any{"query": "exponential backoff retry", "limit": 3})
	res, _ := v["results"].([]any)
	if isErr || len(res) == 0 || len(res) > 3 || v["tier"] == nil || v["root"] != fx.Root {
		t.Fatalf("search: %v", v)
	}

	// A weak match is answered, never asked about.
	v, _, isErr = callJSON(t, cs, "query", map[string]any{"query": servicetest.WeakQuery})
	if isErr || v["tier"] != "weak" || v["choice"] != "none" || v["answer"] == nil || v["groundedness"] == nil {
		t.Fatalf("query: %v", v)
	}

	v, _, isErr = callJSON(t, cs, "stats", map[string]any{"since": "1d"})
	if isErr || v["total_queries"] == nil {
		t.Fatalf("stats: %v", v)
	}
	v, _, isErr = callJSON(t, cs, "index_status", map[string]any{})
	if isErr || v["files"] != float64(len(servicetest.Files)) || v["age_seconds"] == nil {
		t.Fatalf("index_status: %v", v)
	}

	// Bad input is a tool error the model can read.
	v, _, isErr = callJSON(t, cs, "search", map[string]any{"query": "   "})
	if !isErr || v["error"].(map[string]any)["code"] != "invalid_request" {
		t.Fatalf("empty query: %v", v)
	}
	v, _, isErr = callJSON(t, cs, "stats", map[string]any{"since": "forever"})
	if !isErr {
		t.Fatalf("bad since: %v", v)
	}
}

func TestCaps(t *testing.T) {
	const maxChars = 700
	cs, _ := connect(t, mcpserver.Options{MaxResults: 2, MaxChars: maxChars})
	for _, tool := range []string{"search", "query"} {
		v, text, isErr := callJSON(t, cs, tool, map[string]any{"query": "retry backoff delay attempt cache config", "limit": 50})
		if isErr {
			t.Fatalf("%s: %s", tool, text)
		}
		if len(text) > maxChars {
			t.Fatalf("%s: %d characters, cap %d", tool, len(text), maxChars)
		}
		res, _ := v["results"].([]any)
		if len(res) > 2 {
			t.Fatalf("%s: %d results, cap 2", tool, len(res))
		}
		tr, _ := v["truncated"].(map[string]any)
		if tr == nil {
			t.Fatalf("%s: cut to fit but no truncated field: %s", tool, text)
		}
	}
	// Whatever the cap, never over it.
	for _, n := range []int{200, 250, 400, 1000, 3000} {
		cs, _ := connect(t, mcpserver.Options{MaxChars: n})
		_, text, _ := callJSON(t, cs, "query", map[string]any{"query": "retry backoff delay attempt cache config"})
		if len(text) > n {
			t.Errorf("max_chars %d: %d characters", n, len(text))
		}
	}
}

func TestFitResultKeepsSmallResultsWhole(t *testing.T) {
	r := service.Result{Query: "q", Results: []service.ResultItem{{File: "a.go", Snippet: "x"}}}
	s := mcpserver.FitResult(r, nil, 10000)
	if strings.Contains(s, "truncated") {
		t.Fatalf("cut a result that fits: %s", s)
	}
}
