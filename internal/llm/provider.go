package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Provider names, as returned by Provider.Name and accepted by
// AURORA_LLM_PROVIDER.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
)

// Message roles. The system prompt is not a message: it goes in
// Request.System, because the two APIs carry it differently.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Provider answers a prompt with one completion from a language model.
//
// When onToken is nil, Complete makes a plain request and returns the whole
// answer. When onToken is not nil, it streams the answer (server-sent
// events) and calls onToken with each piece of text as it arrives, in order
// and on the calling goroutine; the returned Completion still holds the
// whole text. Implementations make exactly one HTTP request per call: retry,
// rate limiting and the circuit breaker belong to Resilient.
type Provider interface {
	// Name is the provider's name ("openai", "anthropic"): the key of its
	// rate limiter and circuit breaker and the name errors use.
	Name() string
	// Model is the model the provider asks for.
	Model() string
	// Complete sends req and returns the model's answer.
	Complete(ctx context.Context, req Request, onToken func(string)) (*Completion, error)
}

// Message is one turn of the conversation.
type Message struct {
	Role    string `json:"role"` // RoleUser or RoleAssistant
	Content string `json:"content"`
}

// Request is what a Provider sends. BuildPrompt makes the grounded one.
type Request struct {
	System   string    `json:"system,omitempty"`
	Messages []Message `json:"messages"`
	// MaxTokens bounds the answer; 0 means the provider's configured
	// default (OPENAI_MAX_TOKENS / ANTHROPIC_MAX_TOKENS, 1024).
	MaxTokens int `json:"max_tokens,omitempty"`
}

// Completion is a model's answer.
type Completion struct {
	Text  string `json:"text"`
	Model string `json:"model"` // as the provider reported it; the requested model if it did not
	// InputTokens and OutputTokens are the provider's usage counts; 0 when
	// the provider did not report them.
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// StopReason is the provider's reason for stopping, as it spells it
	// ("stop", "length", "end_turn", "max_tokens", ...).
	StopReason string `json:"stop_reason,omitempty"`
}

// Truncated reports whether the answer stopped at the token limit.
func (c *Completion) Truncated() bool {
	return c.StopReason == "length" || c.StopReason == "max_tokens"
}

// Config configures one provider client (NewOpenAI, NewAnthropic). FromEnv
// fills it from the environment.
type Config struct {
	// APIKey authenticates the requests. NewOpenAI accepts an empty key
	// for a non-OpenAI BaseURL (local servers); NewAnthropic requires one.
	APIKey APIKey `json:"api_key"`
	// Model is the model to ask for; empty means the provider's default.
	Model string `json:"model"`
	// BaseURL is the API root; empty means the provider's public API.
	BaseURL string `json:"base_url"`
	// MaxTokens is the default answer budget; 0 means DefaultMaxTokens.
	MaxTokens int `json:"max_tokens"`
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout (Resilient bounds each attempt with a context deadline).
	HTTPClient *http.Client `json:"-"`
	// Clock is used to read HTTP-date Retry-After values; nil means the
	// real clock.
	Clock resilience.Clock `json:"-"`
}

// client is the part shared by both provider clients.
type client struct {
	name      string
	keyEnv    string // the environment variable holding the key, for hints
	key       APIKey
	model     string
	base      string // scheme, host and path, without a trailing slash or a query
	query     string // the base URL's query (some proxies take ?key=...), kept on every request
	host      string
	maxTokens int
	http      *http.Client
	clock     resilience.Clock
}

// defaultHTTPClient is shared so connections are reused across providers.
var defaultHTTPClient = &http.Client{}

func newClient(name, keyEnv string, cfg Config, defModel, defBase string) (*client, error) {
	c := &client{
		name: name, keyEnv: keyEnv, key: cfg.APIKey, model: strings.TrimSpace(cfg.Model),
		maxTokens: cfg.MaxTokens, http: cfg.HTTPClient, clock: cfg.Clock,
	}
	if c.model == "" {
		c.model = defModel
	}
	if c.maxTokens == 0 {
		c.maxTokens = DefaultMaxTokens
	}
	if c.maxTokens < 0 {
		return nil, fmt.Errorf("%s: max tokens %d is negative", name, c.maxTokens)
	}
	if c.http == nil {
		c.http = defaultHTTPClient
	}
	if c.clock == nil {
		c.clock = resilience.RealClock()
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = defBase
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an http(s) URL", name, base)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: base URL must not carry credentials; use the API key variables", name)
	}
	if u.Scheme == "http" && !c.key.IsZero() && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%s: refusing to send the API key over plain http to %s; use https, or no key for a local server", name, u.Host)
	}
	c.query = u.RawQuery
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	c.base = strings.TrimRight(u.String(), "/")
	c.host = strings.ToLower(u.Hostname())
	return c, nil
}

// url returns the URL of an API path: the path goes after the base URL's
// path and before its query, which is kept (https://proxy/v1?key=k and
// /chat/completions give https://proxy/v1/chat/completions?key=k).
func (c *client) url(path string) string {
	if c.query == "" {
		return c.base + path
	}
	return c.base + path + "?" + c.query
}

// Endpoint returns the base URL without its query, which may hold a
// credential: what names the server in messages and breaker state.
func (c *client) Endpoint() string { return c.base }

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	h := strings.ToLower(host)
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "::1" || strings.HasPrefix(h, "127.")
}

func (c *client) maxTokensFor(req Request) int {
	if req.MaxTokens > 0 {
		return req.MaxTokens
	}
	return c.maxTokens
}

// validate checks what both APIs reject.
func validate(req Request) error {
	if len(req.Messages) == 0 {
		return errors.New("request has no messages")
	}
	for i, m := range req.Messages {
		if m.Role != RoleUser && m.Role != RoleAssistant {
			return fmt.Errorf("message %d has role %q, want %q or %q", i, m.Role, RoleUser, RoleAssistant)
		}
	}
	return nil
}
