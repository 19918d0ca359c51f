package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/server"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
	"github.com/aurora-dev/aur/internal/store"
)

// running is a real server on a random loopback port.
type running struct {
	url  string
	fx   *servicetest.Fixture
	stop func() error
	logs *bytes.Buffer
}

func start(t *testing.T, deps service.Deps, opts server.Options) *running {
	t.Helper()
	return startWith(t, servicetest.Settings(), deps, opts)
}

func startWith(t *testing.T, set service.Settings, deps service.Deps, opts server.Options) *running {
	t.Helper()
	fx := servicetest.NewWith(t, set, deps)
	var logs bytes.Buffer
	var mu sync.Mutex
	opts.Log = zerolog.New(lockedWriter{&mu, &logs})
	srv := server.New(fx.Svc, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, srv.HTTPServer(), ln, 5*time.Second, opts.Log) }()
	r := &running{url: "http://" + ln.Addr().String(), fx: fx, logs: &logs}
	stopped := false
	r.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { r.stop() })
	return r
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// do sends a request and returns the status and the decoded JSON body.
func (r *running) do(t *testing.T, method, path, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, b)
		}
	}
	if ct := resp.Header.Get("Content-Type"); len(b) > 0 && ct != "application/json" && !strings.HasPrefix(path, "/metrics") {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return resp.StatusCode, v
}

func errCode(v map[string]any) string {
	e, _ := v["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestSearchAndQuery(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	code, v := r.do(t, "POST", "/v1/search", `{"query": "exponential backoff retry", "limit": 2}`)
	if code != 200 {
		t.Fatalf("search: %d %v", code, v)
	}
	res, _ := v["results"].([]any)
	if len(res) == 0 || len(res) > 2 || v["root"] != r.fx.Root || v["answer"] != nil || v["mode"] != store.ModeHeadless {
		t.Fatalf("search result %v", v)
	}
	first, _ := res[0].(map[string]any)
	if !strings.HasPrefix(first["file"].(string), "retry/") {
		t.Fatalf("first result %v", first)
	}
	code, v = r.do(t, "POST", "/v1/query", `{"query": "exponential backoff retry"}`)
	if code != 200 || v["answer"] == nil {
		t.Fatalf("query: %d %v", code, v)
	}
}

// TestQueryNeverBlocksOnWeakMatch: a weak match continues with its
// chunks; the server has no one to ask.
func TestQueryNeverBlocksOnWeakMatch(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", r.url+"/v1/query", strings.NewReader(`{"query": "`+servicetest.WeakQuery+`"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("weak query did not come back: %v", err)
	}
	defer resp.Body.Close()
	var v service.Result
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || v.Tier != quality.Weak || v.Choice != ask.ChoiceNone || v.Answer == nil || len(v.Results) == 0 {
		t.Fatalf("%d %+v", resp.StatusCode, v)
	}
}

func TestBadInput(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{MaxBodyBytes: 2048})
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/v1/search", `{"query": "retry", "limit": 5000}`, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", `{"query": "retry", "types": ["widget"]}`, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", `{"query": "  "}`, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", `{"query": "retry", "bogus": true}`, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", `{"query": `, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", ``, 400, server.CodeInvalidRequest},
		{"POST", "/v1/query", `{"query": "retry"} {"query": "again"}`, 400, server.CodeInvalidRequest},
		{"POST", "/v1/search", `{"query": "` + strings.Repeat("x", 4096) + `"}`, 413, server.CodeBodyTooLarge},
		{"GET", "/v1/search", ``, 405, server.CodeMethodNotAllowed},
		{"GET", "/v1/nothing", ``, 404, server.CodeNotFound},
		{"GET", "/v1/stats?view=bogus", ``, 400, server.CodeInvalidRequest},
		{"GET", "/v1/stats?since=forever", ``, 400, server.CodeInvalidRequest},
		{"GET", "/v1/stats?colour=blue", ``, 400, server.CodeInvalidRequest},
	} {
		code, v := r.do(t, tc.method, tc.path, tc.body)
		if code != tc.status || errCode(v) != tc.code {
			t.Errorf("%s %s %.40q: %d %v, want %d %s", tc.method, tc.path, tc.body, code, v, tc.status, tc.code)
		}
		if msg, _ := v["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s %s: no message in %v", tc.method, tc.path, v)
		}
	}
}

func TestStatsAndIndex(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	r.do(t, "POST", "/v1/search", `{"query": "retry"}`)
	for _, view := range []string{"", "retrieval-quality", "sla", "alerts"} {
		code, v := r.do(t, "GET", "/v1/stats?view="+view+"&since=7d", "")
		if code != 200 || v["window"] == nil {
			t.Errorf("stats %q: %d %v", view, code, v)
		}
	}
	code, v := r.do(t, "GET", "/v1/index", "")
	if code != 200 || v["files"] != float64(len(servicetest.Files)) || v["age_seconds"] == nil || v["indexing"] != false {
		t.Fatalf("index status: %d %v", code, v)
	}
	code, v = r.do(t, "POST", "/v1/index", "")
	if code != 200 || v["unchanged"] != float64(len(servicetest.Files)) {
		t.Fatalf("reindex: %d %v", code, v)
	}
}

// TestReindexConflict: while one index run waits for the writer lock
// (held here as another aur mem index would), a second request gets 409.
func TestReindexConflict(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	lock, err := store.LockWriter(context.Background(), r.fx.DB.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(r.url+"/v1/index", "application/json", nil)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, v := r.do(t, "GET", "/v1/index", "")
		if v["indexing"] == true {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, v := r.do(t, "POST", "/v1/index", "")
	if code != 409 || errCode(v) != server.CodeIndexBusy {
		t.Fatalf("second run: %d %v, want 409 index_busy", code, v)
	}
	lock.Unlock()
	if c := <-first; c != 200 {
		t.Fatalf("first run: %d", c)
	}
}

// blocking is an answerer that holds every query until released.
type blocking struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blocking) Answer(ctx context.Context, req ask.Request) (*ask.Answer, error) {
	b.entered <- struct{}{}
	<-b.release
	return &ask.Answer{Text: "done"}, nil
}

func TestConcurrencyLimitAndGracefulShutdown(t *testing.T) {
	b := &blocking{entered: make(chan struct{}, 1), release: make(chan struct{})}
	r := start(t, service.Deps{Log: zerolog.Nop(), Answerer: b}, server.Options{MaxInFlight: 1})
	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(r.url+"/v1/query", "application/json", strings.NewReader(`{"query": "retry backoff", "no_cache": true}`))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-b.entered
	code, v := r.do(t, "POST", "/v1/search", `{"query": "retry"}`)
	if code != 429 || errCode(v) != server.CodeTooManyRequests {
		t.Fatalf("over the limit: %d %v, want 429", code, v)
	}
	// Health is not limited.
	if code, _ := r.do(t, "GET", "/healthz", ""); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	// Shutdown waits for the query in flight.
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	select {
	case <-stopped:
		t.Fatal("shutdown did not wait for the request in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(b.release)
	if c := <-first; c != 200 {
		t.Fatalf("in-flight query: %d", c)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestToken(t *testing.T) {
	const tok = "0123456789abcdef0123"
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{Token: tok})
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", tok}} {
		code, v := r.do(t, "POST", "/v1/search", `{"query": "retry"}`, h...)
		if code != 401 || errCode(v) != server.CodeUnauthorized {
			t.Errorf("header %v: %d %v, want 401", h, code, v)
		}
	}
	if code, _ := r.do(t, "POST", "/v1/search", `{"query": "retry"}`, "Authorization", "Bearer "+tok); code != 200 {
		t.Errorf("with the token: %d", code)
	}
	if code, _ := r.do(t, "GET", "/healthz", ""); code != 200 {
		t.Errorf("healthz without a token: %d", code)
	}
}

func TestReadyz(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	if code, _ := r.do(t, "GET", "/readyz", ""); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	r.fx.DB.Close()
	if code, v := r.do(t, "GET", "/readyz", ""); code != 503 || errCode(v) != server.CodeStoreUnavailable {
		t.Fatalf("readyz on a closed store: %d %v", code, v)
	}
	if code, v := r.do(t, "POST", "/v1/search", `{"query": "retry"}`); code != 503 || errCode(v) != server.CodeStoreUnavailable {
		t.Fatalf("search on a closed store: %d %v", code, v)
	}
}

func TestRequestLog(t *testing.T) {
	r := start(t, service.Deps{Log: zerolog.Nop()}, server.Options{})
	r.do(t, "POST", "/v1/search", `{"query": "retry"}`, "X-Request-Id", "abc-123")
	r.stop()
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(r.logs.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if v["request_id"] == "abc-123" && v["path"] == "/v1/search" && v["status"] == float64(200) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no request line with the id in:\n%s", r.logs)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7420": true, "localhost:80": true, "[::1]:7420": true, "127.1.2.3:1": true,
		"0.0.0.0:7420": false, ":7420": false, "10.0.0.1:7420": false, "[::]:1": false, "example.com:80": false,
	} {
		if got := server.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}
