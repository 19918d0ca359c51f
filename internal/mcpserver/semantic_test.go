package mcpserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/mcpserver"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
)

// TestSemanticSearch: the MCP search tool goes through the semantic
// layer of its service: a question sharing no word with the code finds
// it by meaning, index_status shows the vectors' coverage, and with the
// endpoint down the tool still answers, by words, saying so in warnings.
func TestSemanticSearch(t *testing.T) {
	fake := llmtest.NewEmbed(t, llmtest.EmbedOptions{Model: "fake-embed",
		Synonyms: map[string]string{"pause": "delay", "pauses": "delay", "tries": "attempts"}})
	env := map[string]string{llm.EnvEmbedBaseURL: fake.URL, llm.EnvEmbedModel: "fake-embed"}
	e, err := llm.EmbedderFromEnv(func(k string) string { return env[k] }, llm.Options{MaxRetries: -1, RPM: 100000})
	if err != nil {
		t.Fatal(err)
	}
	set := servicetest.Settings()
	set.Semantic = service.SemanticSettings{Floor: 0.05, Ceil: 0.4} // the fake's bag-of-words scale
	fx := servicetest.NewWith(t, set, service.Deps{Log: zerolog.Nop(), Embedder: e})
	if _, err := fx.Svc.Reindex(context.Background(), service.TriggerAPI, nil); err != nil {
		t.Fatal(err)
	}
	cs := connectTo(t, fx, mcpserver.Options{})

	v, _, isErr := callJSON(t, cs, "search", map[string]any{"query": "pauses between tries", "limit": 3})
	res, _ := v["results"].([]any)
	if isErr || len(res) == 0 || v["warnings"] != nil {
		t.Fatalf("search by meaning: %v", v)
	}
	first, _ := res[0].(map[string]any)
	scores, _ := first["scores"].(map[string]any)
	if !strings.HasPrefix(first["file"].(string), "retry/") || scores["semantic"] == nil {
		t.Fatalf("first result %v, want retry/ found by meaning", first)
	}

	v, _, isErr = callJSON(t, cs, "index_status", map[string]any{})
	vec, _ := v["vectors"].(map[string]any)
	if isErr || vec == nil || vec["chunks_with_vector"] != vec["chunks"] || vec["model"] != "fake-embed" {
		t.Fatalf("index_status: %v", v)
	}

	fake.SetFault(llmtest.Unavailable)
	v, _, isErr = callJSON(t, cs, "search", map[string]any{"query": "exponential backoff retry"})
	res, _ = v["results"].([]any)
	w, _ := json.Marshal(v["warnings"])
	if isErr || len(res) == 0 || !strings.Contains(string(w), "semantic retrieval unavailable") {
		t.Fatalf("search with the endpoint down: %v", v)
	}
}
