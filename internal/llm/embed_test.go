package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
)

func TestEmbedderFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if e, err := EmbedderFromEnv(get, Options{}); e != nil || err != nil {
		t.Fatalf("no base URL: %v, %v; want nothing", e, err)
	}
	env[EnvEmbedBaseURL] = "http://localhost:11434/v1"
	if _, err := EmbedderFromEnv(get, Options{}); err == nil || !strings.Contains(err.Error(), EnvEmbedModel) {
		t.Fatalf("no model: %v, want an error naming %s", err, EnvEmbedModel)
	}
	env[EnvEmbedModel] = "nomic-embed-text"
	env[EnvEmbedDimensions] = "-3"
	if _, err := EmbedderFromEnv(get, Options{}); err == nil {
		t.Fatal("negative dimensions accepted")
	}
	env[EnvEmbedDimensions] = "0"
	e, err := EmbedderFromEnv(get, Options{})
	if err != nil || e.Model() != "nomic-embed-text" || e.Endpoint() != "http://localhost:11434/v1" {
		t.Fatalf("Ollama: %v, %v", e, err)
	}
	env[EnvEmbedBaseURL] = "https://api.openai.com/v1"
	if _, err := EmbedderFromEnv(get, Options{}); err == nil {
		t.Fatal("api.openai.com without a key accepted")
	}
	env[EnvEmbedKey] = "sk-embedding-key-for-tests-0123"
	e, err = EmbedderFromEnv(get, Options{})
	if err != nil || strings.Contains(e.String(), "sk-embedding") {
		t.Fatalf("%v, %v", e, err)
	}
}

func newTestEmbedder(t *testing.T, url, key string, dims, retries int) *ResilientEmbedder {
	t.Helper()
	oe, err := NewOpenAIEmbedder(EmbedConfig{BaseURL: url, Model: "m", APIKey: NewAPIKey(key), Dimensions: dims})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewResilientEmbedder(oe, Options{RPM: 1 << 20, MaxRetries: retries, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		Timeout: 200 * time.Millisecond, BreakerThreshold: 2, BreakerOpenTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEmbedResilience: 429, 500, 503 and a timeout are retried; a
// provider that keeps failing opens the breaker, after which no request
// is sent.
func TestEmbedResilience(t *testing.T) {
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{Schedule: []llmtest.Fault{llmtest.RateLimited, llmtest.ServerError, llmtest.Unavailable, llmtest.Timeout}})
	e := newTestEmbedder(t, srv.URL, "", 32, 4)
	vecs, err := e.Embed(context.Background(), []string{"clean the cache", "download a file"})
	if err != nil || len(vecs) != 2 || len(vecs[0]) != 32 {
		t.Fatalf("Embed = %d vectors, %v; want 2 of 32 after four retried faults", len(vecs), err)
	}
	if n := srv.RequestCount(); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}
	if srv.Requests()[4].Dims != 32 {
		t.Errorf("dimensions %d sent, want 32", srv.Requests()[4].Dims)
	}
	srv.SetFault(llmtest.Unavailable)
	for range 2 {
		if _, err := e.Embed(context.Background(), []string{"x"}); err == nil {
			t.Fatal("Embed succeeded against a failing server")
		}
	}
	n := srv.RequestCount()
	_, err = e.Embed(context.Background(), []string{"x"})
	var ue *UnavailableError
	if !errors.As(err, &ue) || srv.RequestCount() != n {
		t.Fatalf("after 2 failed calls: %v and %d more requests; want the open breaker and none", err, srv.RequestCount()-n)
	}
}

// TestEmbedBadAnswers: answers that do not fit the request are errors.
func TestEmbedBadAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"too few":      `{"data":[{"index":0,"embedding":[1,2]}]}`,
		"repeated":     `{"data":[{"index":0,"embedding":[1,2]},{"index":0,"embedding":[1,2]}]}`,
		"mixed length": `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]}`,
		"not json":     `<html>`,
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		e := newTestEmbedder(t, ts.URL, "", 0, -1)
		if _, err := e.Embed(context.Background(), []string{"a", "b"}); err == nil {
			t.Errorf("%s: no error", name)
		}
		ts.Close()
	}
}

// TestEmbedKeyRedacted: a server quoting the key in its error does not
// put the key in aur's error.
func TestEmbedKeyRedacted(t *testing.T) {
	const key = "sk-embed-echo-0123456789abcdef"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"type":"invalid_api_key","message":"bad key ` + key + `"}}`))
	}))
	defer ts.Close()
	e := newTestEmbedder(t, ts.URL, key, 0, -1)
	_, err := e.Embed(context.Background(), []string{"a"})
	if err == nil || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), EnvEmbedKey) {
		t.Fatalf("error %v: want one without the key, naming %s", err, EnvEmbedKey)
	}
}
