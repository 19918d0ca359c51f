package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/google/go-cmp/cmp"
)

func TestCompletePlainAndStreamed(t *testing.T) {
	for _, api := range apis {
		for _, stream := range []bool{false, true} {
			name := api + "/plain"
			if stream {
				name = api + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				srv := llmtest.New(t, llmtest.Options{APIKey: testKey})
				p := newProvider(t, api, srv, testKey)
				var tokens []string
				var onToken func(string)
				if stream {
					onToken = collect(&tokens)
				}
				req := BuildPrompt("how do retries back off?", []Source{{File: "retry.go", StartLine: 1, EndLine: 3, Content: "func Do() {}"}}, "")
				req.MaxTokens = 77
				c, err := p.Complete(context.Background(), req, onToken)
				if err != nil {
					t.Fatalf("Complete: %v", err)
				}
				if c.Text != llmtest.DefaultAnswer {
					t.Errorf("Text = %q, want %q", c.Text, llmtest.DefaultAnswer)
				}
				if stream {
					if len(tokens) < 2 || strings.Join(tokens, "") != llmtest.DefaultAnswer {
						t.Errorf("streamed %d tokens %q, want the answer in pieces", len(tokens), tokens)
					}
				} else if tokens != nil {
					t.Errorf("onToken called without streaming")
				}
				if c.Model != p.Model() || c.InputTokens == 0 || c.OutputTokens == 0 || c.StopReason == "" {
					t.Errorf("completion metadata = %+v", c)
				}

				reqs := srv.Requests()
				if len(reqs) != 1 {
					t.Fatalf("server saw %d requests, want 1", len(reqs))
				}
				r := reqs[0]
				if r.API != api || r.Stream != stream || r.Model != p.Model() || r.MaxTokens != 77 || !r.HasKey(testKey) {
					t.Errorf("request = api %q stream %v model %q max %d key %v", r.API, r.Stream, r.Model, r.MaxTokens, r.HasKey(testKey))
				}
				if !strings.Contains(r.Prompt(), "[1] retry.go:1-3") || !strings.Contains(r.Prompt(), "func Do() {}") {
					t.Errorf("prompt lacks the source:\n%s", r.Prompt())
				}
				if got := r.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type = %q", got)
				}
				checkShape(t, api, r, req)
			})
		}
	}
}

// checkShape checks the API-specific parts of a request body.
func checkShape(t *testing.T, api string, r llmtest.Request, req Request) {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	switch api {
	case ProviderOpenAI:
		if r.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "[redacted]" {
			t.Errorf("path %q, Authorization %q", r.Path, r.Header.Get("Authorization"))
		}
		if r.MaxTokensField != "max_tokens" { // a local server gets the field every server knows
			t.Errorf("token budget in %q, want max_tokens", r.MaxTokensField)
		}
		want := []llmtest.Message{{Role: "system", Content: req.System}, {Role: "user", Content: req.Messages[0].Content}}
		if diff := cmp.Diff(want, r.Messages); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
	case ProviderAnthropic:
		if r.Path != "/v1/messages" || r.Header.Get("Anthropic-Version") != "2023-06-01" || r.Header.Get("X-Api-Key") != "[redacted]" {
			t.Errorf("path %q, headers %v", r.Path, r.Header)
		}
		if r.System != req.System || len(r.Messages) != 1 || r.Messages[0].Role != "user" {
			t.Errorf("system %q, messages %+v", r.System, r.Messages)
		}
		if _, ok := body["max_tokens"]; !ok {
			t.Error("max_tokens missing: Anthropic requires it")
		}
	}
}

// TestOpenAIOfficialBody checks what only api.openai.com gets:
// max_completion_tokens (max_tokens is deprecated there and refused by
// reasoning models) and usage in streams.
func TestOpenAIOfficialBody(t *testing.T) {
	p, err := NewOpenAI(Config{APIKey: NewAPIKey(testKey)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p.body(Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, true))
	want := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":1024,"stream":true,"stream_options":{"include_usage":true}}`
	if string(b) != want {
		t.Errorf("body\n got %s\nwant %s", b, want)
	}
	if _, err := NewOpenAI(Config{}); err == nil || !strings.Contains(err.Error(), EnvOpenAIKey) {
		t.Errorf("NewOpenAI without key for api.openai.com = %v, want an error naming %s", err, EnvOpenAIKey)
	}
	if _, err := NewOpenAI(Config{BaseURL: "http://localhost:11434/v1"}); err != nil {
		t.Errorf("keyless local server refused: %v", err)
	}
	if _, err := NewOpenAI(Config{APIKey: NewAPIKey(testKey), BaseURL: "http://llm.example.com/v1"}); err == nil ||
		!strings.Contains(err.Error(), "plain http") {
		t.Errorf("key over plain http to a remote host = %v, want refused", err)
	}
	if _, err := NewAnthropic(Config{}); err == nil || !strings.Contains(err.Error(), EnvAnthropicKey) {
		t.Errorf("NewAnthropic without key = %v", err)
	}
	if _, err := NewOpenAI(Config{BaseURL: "ftp://x"}); err == nil {
		t.Error("ftp base URL accepted")
	}
}

// streamServer serves body as an event stream.
func streamServer(t *testing.T, body string) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestStreamEdgeCases(t *testing.T) {
	cls := resilience.NewClassifier()
	registerErrors(cls)
	cases := []struct {
		name, api, body string
		wantText        string
		wantErr         func(error) bool
	}{
		{
			name: "openai without [DONE] after finish_reason", api: ProviderOpenAI,
			body:     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
			wantText: "hi",
		},
		{
			name: "openai comment lines and multi-line data", api: ProviderOpenAI,
			body:     ": keep-alive\n\ndata: {\"choices\":[{\"index\":0,\ndata: \"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n",
			wantText: "a",
		},
		{
			name: "openai cut mid-line before any token is recoverable", api: ProviderOpenAI,
			body: "data: {\"choices\":[{\"index\":0,\"del",
			wantErr: func(err error) bool {
				return errors.Is(err, io.ErrUnexpectedEOF) && cls.IsRecoverable(err)
			},
		},
		{
			name: "openai cut after a token is not", api: ProviderOpenAI,
			body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n",
			wantErr: func(err error) bool {
				var sie *StreamInterruptedError
				return errors.As(err, &sie) && sie.Tokens == 1 && !cls.IsRecoverable(err)
			},
		},
		{
			name: "anthropic overloaded error event before any token", api: ProviderAnthropic,
			body: "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":3}}}\n\n" +
				"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
			wantErr: func(err error) bool {
				var he *resilience.HTTPError
				return errors.As(err, &he) && he.StatusCode == 529 && cls.IsRecoverable(err)
			},
		},
		{
			name: "anthropic ignores non-text deltas", api: ProviderAnthropic,
			body: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n" +
				"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
			wantText: "ok",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := streamServer(t, tc.body)
			cfg := Config{APIKey: NewAPIKey(testKey), BaseURL: ts.URL}
			var p Provider
			var err error
			if tc.api == ProviderAnthropic {
				p, err = NewAnthropic(cfg)
			} else {
				p, err = NewOpenAI(cfg)
			}
			if err != nil {
				t.Fatal(err)
			}
			var tokens []string
			c, err := ask(context.Background(), p, "q", collect(&tokens))
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("err = %v (%T), not the expected kind", err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Text != tc.wantText || strings.Join(tokens, "") != tc.wantText {
				t.Errorf("text %q, tokens %q, want %q", c.Text, tokens, tc.wantText)
			}
		})
	}
}

func TestHTTPErrorMapping(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "12")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"slow down `+strings.Repeat("x", 1000)+`","type":"requests","code":"rate_limit_exceeded"}}`)
	}))
	defer ts.Close()
	p, err := NewOpenAI(Config{APIKey: NewAPIKey(testKey), BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ask(context.Background(), p, "q", nil)
	var he *resilience.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want *resilience.HTTPError", err)
	}
	if he.StatusCode != 429 || he.RetryAfter.Seconds() != 12 || !strings.HasPrefix(he.Body, "requests: slow down") || len(he.Body) > maxErrorBody+3 {
		t.Errorf("HTTPError = %d, retry after %s, body %q (%d bytes)", he.StatusCode, he.RetryAfter, he.Body, len(he.Body))
	}
}
