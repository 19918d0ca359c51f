package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/server"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
)

// TestSemanticSearch drives POST /v1/index and /v1/search with the fake
// embeddings server: the re-index embeds every chunk and a second one
// sends nothing; a question sharing no word with the code finds it by
// meaning, with the semantic part in its scores; with the endpoint down
// the search still answers (by words) with a warning in the JSON, logged
// once however many searches meet the outage; the key is in no response
// and no log line.
func TestSemanticSearch(t *testing.T) {
	const key = "sk-embed-serve-0123456789abcdef"
	fake := llmtest.NewEmbed(t, llmtest.EmbedOptions{APIKey: key, Model: "fake-embed",
		// The fixture's words for what the question says otherwise.
		Synonyms: map[string]string{"pause": "delay", "pauses": "delay", "tries": "attempts"}})
	env := map[string]string{llm.EnvEmbedBaseURL: fake.URL, llm.EnvEmbedModel: "fake-embed", llm.EnvEmbedKey: key}
	e, err := llm.EmbedderFromEnv(func(k string) string { return env[k] }, llm.Options{MaxRetries: -1, RPM: 100000})
	if err != nil {
		t.Fatal(err)
	}
	set := servicetest.Settings()
	set.Semantic = service.SemanticSettings{Floor: 0.05, Ceil: 0.4, Batch: 2} // the fake's bag-of-words scale
	var svcLog bytes.Buffer
	var mu sync.Mutex
	r := startWith(t, set, service.Deps{Log: zerolog.New(lockedWriter{&mu, &svcLog}).Level(zerolog.InfoLevel), Embedder: e, Cache: &mapCache{m: map[string][]byte{}}}, server.Options{})
	var bodies strings.Builder
	do := func(method, path, body string) (int, map[string]any) {
		code, v := r.do(t, method, path, body)
		bodies.WriteString(strings.TrimSpace(strings.Join([]string{method, path}, " ")))
		bodies.WriteString(toString(v))
		return code, v
	}

	// Words only before the index has vectors: answered, with a warning.
	code, v := do("POST", "/v1/search", `{"query": "exponential backoff", "no_cache": true}`)
	if code != 200 || !strings.Contains(toString(v["warnings"]), "no vectors") {
		t.Fatalf("search before embedding: %d %v", code, v)
	}

	code, v = do("POST", "/v1/index", "")
	emb, _ := v["embeddings"].(map[string]any)
	if code != 200 || emb == nil || emb["with_vector"] != emb["chunks"] || emb["embedded"].(float64) == 0 {
		t.Fatalf("reindex: %d %v", code, v)
	}
	n := fake.RequestCount()
	if code, v := do("POST", "/v1/index", ""); code != 200 || fake.RequestCount() != n {
		t.Fatalf("second reindex: %d, %d requests (want none): %v", code, fake.RequestCount()-n, v)
	}

	code, v = do("POST", "/v1/search", `{"query": "pauses between tries", "limit": 3}`)
	res, _ := v["results"].([]any)
	if code != 200 || len(res) == 0 || v["warnings"] != nil {
		t.Fatalf("search by meaning: %d %v", code, v)
	}
	first, _ := res[0].(map[string]any)
	scores, _ := first["scores"].(map[string]any)
	if !strings.HasPrefix(first["file"].(string), "retry/") || scores["semantic"] == nil || scores["similarity"] == nil {
		t.Fatalf("first result %v, want retry/ found by meaning", first)
	}
	// The same question again is answered from the cache, vector and all:
	// no request.
	n = fake.RequestCount()
	if code, v := do("POST", "/v1/search", `{"query": "pauses between tries", "limit": 3}`); code != 200 || v["cache_hit"] != true || fake.RequestCount() != n {
		t.Fatalf("repeated search: %d, %d requests: %v", code, fake.RequestCount()-n, v)
	}

	fake.SetFault(llmtest.Unavailable)
	for i := 0; i < 3; i++ {
		code, v = do("POST", "/v1/search", `{"query": "exponential backoff retry", "no_cache": true}`)
		res, _ = v["results"].([]any)
		if code != 200 || len(res) == 0 || !strings.Contains(toString(v["warnings"]), "semantic retrieval unavailable") {
			t.Fatalf("search with the endpoint down: %d %v", code, v)
		}
	}
	r.stop()
	mu.Lock()
	logs := r.logs.String() + svcLog.String()
	mu.Unlock()
	// Once for "no vectors", once for the outage.
	if n := strings.Count(logs, `"message":"semantic retrieval unavailable"`); n != 2 {
		t.Errorf("%d log lines say the semantic layer is unavailable, want 2 (one per reason):\n%s", n, logs)
	}
	if strings.Contains(logs, key) || strings.Contains(bodies.String(), key) {
		t.Error("the embeddings key appears in a response or the log")
	}
	if !fake.Requests()[0].HasKey(key) {
		t.Error("the key was not sent to the endpoint")
	}
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mapCache is a query cache in memory.
type mapCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *mapCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok, nil
}

func (c *mapCache) Put(_ context.Context, key string, value []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = value
	return nil
}
