package llm

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// t0 is the start of simulated time.
var t0 = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)

// testKey is recognisable in any output it leaks into.
const testKey = "sk-test-LEAKME-0123456789abcdefghij"

// attemptTimeout is the per-attempt timeout of tests: short, because the
// Timeout fault holds a request until the client gives up, yet long enough
// that a normal loopback answer on a loaded CI machine does not time out.
const attemptTimeout = 150 * time.Millisecond

// env is a fake environment for FromEnv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// testOptions returns Options on a fake clock with a short real attempt
// timeout, talking through client.
func testOptions(fc *clocktest.Fake, client *http.Client) Options {
	return Options{Clock: fc, HTTPClient: client, Timeout: attemptTimeout}
}

// newProvider returns a raw provider of api ("openai" or "anthropic") for
// srv with key.
func newProvider(t *testing.T, api string, srv *llmtest.Server, key string) Provider {
	t.Helper()
	cfg := Config{APIKey: NewAPIKey(key), HTTPClient: srv.Client(), Clock: clocktest.New(t0)}
	var (
		p   Provider
		err error
	)
	if api == ProviderAnthropic {
		cfg.BaseURL = srv.AnthropicBaseURL()
		p, err = NewAnthropic(cfg)
	} else {
		cfg.BaseURL = srv.OpenAIBaseURL()
		p, err = NewOpenAI(cfg)
	}
	if err != nil {
		t.Fatalf("new %s provider: %v", api, err)
	}
	return p
}

// newResilient wraps newProvider's provider with opts.
func newResilient(t *testing.T, api string, srv *llmtest.Server, opts Options) *Resilient {
	t.Helper()
	r, err := NewResilient(newProvider(t, api, srv, testKey), opts)
	if err != nil {
		t.Fatalf("NewResilient: %v", err)
	}
	return r
}

// collect returns an onToken that appends to *tokens.
func collect(tokens *[]string) func(string) {
	return func(s string) { *tokens = append(*tokens, s) }
}

// ask sends a one-message request.
func ask(ctx context.Context, p Provider, q string, onToken func(string)) (*Completion, error) {
	return p.Complete(ctx, Request{System: "be brief", Messages: []Message{{Role: RoleUser, Content: q}}}, onToken)
}

var apis = []string{ProviderOpenAI, ProviderAnthropic}
