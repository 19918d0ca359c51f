package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sony/gobreaker/v2"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Environment variables of the embeddings endpoint (semantic retrieval).
// No base URL means no semantic retrieval: aur ranks lexically, as
// without this feature.
const (
	EnvEmbedBaseURL    = "AURORA_EMBED_BASE_URL" // OpenAI-compatible API root, e.g. http://localhost:11434/v1
	EnvEmbedModel      = "AURORA_EMBED_MODEL"
	EnvEmbedKey        = "AURORA_EMBED_API_KEY"
	EnvEmbedKeyFile    = "AURORA_EMBED_API_KEY_FILE"
	EnvEmbedDimensions = "AURORA_EMBED_DIMENSIONS"
)

// ProviderEmbeddings names the embeddings endpoint to the resilience
// layer (rate limiter, breaker, metrics) and in errors.
const ProviderEmbeddings = "embeddings"

// Embedder turns texts into vectors, one per text, in order.
type Embedder interface {
	// Model is the model asked for.
	Model() string
	// Embed returns one vector per text. Implementations make one request
	// per call.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedConfig configures an OpenAIEmbedder.
type EmbedConfig struct {
	APIKey  APIKey `json:"api_key"`
	Model   string `json:"model"`
	BaseURL string `json:"base_url"`
	// Dimensions, when positive, is sent as "dimensions" (models that
	// can shorten their vectors, such as OpenAI's text-embedding-3) and
	// every answer must have it.
	Dimensions int              `json:"dimensions"`
	HTTPClient *http.Client     `json:"-"`
	Clock      resilience.Clock `json:"-"`
}

// OpenAIEmbedder talks to an OpenAI-compatible /embeddings endpoint:
// OpenAI, Ollama (/v1), vLLM, LM Studio, llama.cpp's server.
type OpenAIEmbedder struct {
	c    *client
	dims int
}

// NewOpenAIEmbedder returns a client for cfg. The model is required (no
// default: the choice decides what is stored); a key is required for
// api.openai.com only.
func NewOpenAIEmbedder(cfg EmbedConfig) (*OpenAIEmbedder, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, fmt.Errorf("%s: no model (set %s, e.g. nomic-embed-text for Ollama)", ProviderEmbeddings, EnvEmbedModel)
	}
	if cfg.Dimensions < 0 {
		return nil, fmt.Errorf("%s: dimensions %d is negative", ProviderEmbeddings, cfg.Dimensions)
	}
	c, err := newClient(ProviderEmbeddings, EnvEmbedKey, Config{APIKey: cfg.APIKey, Model: cfg.Model, BaseURL: cfg.BaseURL,
		HTTPClient: cfg.HTTPClient, Clock: cfg.Clock}, "", DefaultOpenAIBaseURL)
	if err != nil {
		return nil, err
	}
	if c.host == openAIHost && c.key.IsZero() {
		return nil, fmt.Errorf("%s: no API key for %s (set %s or %s)", ProviderEmbeddings, openAIHost, EnvEmbedKey, EnvEmbedKeyFile)
	}
	return &OpenAIEmbedder{c: c, dims: cfg.Dimensions}, nil
}

// Model returns the model asked for.
func (e *OpenAIEmbedder) Model() string { return e.c.model }

// Dimensions returns the dimensions asked for; 0 for the model's own.
func (e *OpenAIEmbedder) Dimensions() int { return e.dims }

// Endpoint returns the API root without its query.
func (e *OpenAIEmbedder) Endpoint() string { return e.c.Endpoint() }

// Name returns ProviderEmbeddings.
func (e *OpenAIEmbedder) Name() string { return ProviderEmbeddings }

// String describes the client without its key.
func (e *OpenAIEmbedder) String() string {
	return fmt.Sprintf("%s %s at %s", ProviderEmbeddings, e.c.model, e.c.base)
}

// GoString is String, so %#v shows no internals.
func (e *OpenAIEmbedder) GoString() string { return "llm.OpenAIEmbedder(" + e.String() + ")" }

type embedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	Dimensions     int      `json:"dimensions,omitempty"`
	EncodingFormat string   `json:"encoding_format"`
}

type embedResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
	Error *openAIErrorBody `json:"error"`
}

// Embed sends texts to {base}/embeddings. The answer must hold one
// vector per text, all of one length (Dimensions when set).
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	h := http.Header{}
	if !e.c.key.IsZero() {
		h.Set("Authorization", "Bearer "+e.c.key.reveal())
	}
	resp, err := e.c.post(ctx, e.c.url("/embeddings"), h,
		embedRequest{Model: e.c.model, Input: texts, Dimensions: e.dims, EncodingFormat: "float"}, false, openAIErrorMessage)
	if err != nil {
		return nil, err
	}
	var out embedResponse
	if err := e.c.readJSON(resp, &out); err != nil {
		return nil, err
	}
	if out.Error != nil {
		return nil, openAIStreamError(out.Error)
	}
	if len(out.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings response has %d vectors for %d texts", len(out.Data), len(texts))
	}
	vecs := make([][]float32, len(texts))
	dims := e.dims
	for _, d := range out.Data {
		if d.Index < 0 || d.Index >= len(texts) || vecs[d.Index] != nil {
			return nil, fmt.Errorf("embeddings response has a bad or repeated index %d", d.Index)
		}
		if dims == 0 {
			dims = len(d.Embedding)
		}
		if len(d.Embedding) == 0 || len(d.Embedding) != dims {
			return nil, fmt.Errorf("embeddings response has a vector of %d dimensions, want %d", len(d.Embedding), dims)
		}
		vecs[d.Index] = d.Embedding
	}
	return vecs, nil
}

// ResilientEmbedder is an Embedder whose every call goes through a
// resilience.Policy (retry with backoff, circuit breaker, rate limit,
// metrics), exactly as Resilient does for completions. Errors: an open
// breaker gives *UnavailableError, anything else *Error.
type ResilientEmbedder struct {
	e         *OpenAIEmbedder
	clock     resilience.Clock
	policy    *resilience.Policy
	threshold int
}

// NewResilientEmbedder wraps e with a policy built from opts (see
// Options; the rate limiter is keyed "embeddings", apart from the LLM's).
func NewResilientEmbedder(e *OpenAIEmbedder, opts Options) (*ResilientEmbedder, error) {
	if e == nil {
		return nil, errors.New("new resilient embedder: nil embedder")
	}
	o := opts.withDefaults()
	// Up to a second's worth of requests may go at once: aur serve embeds
	// the questions that arrive together, and with a burst of 1 each
	// would wait its turn (20 ms apart at 3,000 a minute).
	pol, clock, err := o.policy(ProviderEmbeddings, ProviderEmbeddings+"@"+e.Endpoint(), max(1, o.RPM/60))
	if err != nil {
		return nil, err
	}
	return &ResilientEmbedder{e: e, clock: clock, policy: pol, threshold: o.BreakerThreshold}, nil
}

// Model returns the model asked for.
func (r *ResilientEmbedder) Model() string { return r.e.Model() }

// Dimensions returns the dimensions asked for; 0 for the model's own.
func (r *ResilientEmbedder) Dimensions() int { return r.e.Dimensions() }

// Endpoint returns the API root without its query.
func (r *ResilientEmbedder) Endpoint() string { return r.e.Endpoint() }

// Policy returns the policy, e.g. for its breaker's state.
func (r *ResilientEmbedder) Policy() *resilience.Policy { return r.policy }

// String describes the embedder without its key.
func (r *ResilientEmbedder) String() string { return r.e.String() + " (resilient)" }

// GoString is String, so %#v shows no internals.
func (r *ResilientEmbedder) GoString() string { return "llm.ResilientEmbedder(" + r.String() + ")" }

// Embed runs the embedder's Embed through the policy.
func (r *ResilientEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out, err := resilience.Call(ctx, r.policy, func(ctx context.Context) ([][]float32, error) {
		return r.e.Embed(ctx, texts)
	})
	if err == nil {
		return out, nil
	}
	var boe *resilience.BreakerOpenError
	if errors.As(err, &boe) {
		return nil, &UnavailableError{
			Provider: ProviderEmbeddings, Failures: r.threshold, Until: boe.Until, Wait: boe.Until.Sub(r.clock.Now()),
			HalfOpen: errors.Is(boe.Err, gobreaker.ErrTooManyRequests), Err: err,
		}
	}
	return nil, &Error{Provider: ProviderEmbeddings, Model: r.Model(), Err: err, Hint: embedHint(err)}
}

func embedHint(err error) string {
	var he *resilience.HTTPError
	if !errors.As(err, &he) {
		return ""
	}
	switch he.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("check the API key in %s or the file named by %s", EnvEmbedKey, EnvEmbedKeyFile)
	case http.StatusNotFound:
		return fmt.Sprintf("check %s and %s (for Ollama: ollama pull the model)", EnvEmbedModel, EnvEmbedBaseURL)
	}
	return ""
}

// EmbedderFromEnv builds the configured embedder behind the resilience
// policy, or returns (nil, nil) when AURORA_EMBED_BASE_URL is unset:
// semantic retrieval is off. The key comes from the file named by
// AURORA_EMBED_API_KEY_FILE (ReadKeyFile's rules) or AURORA_EMBED_API_KEY;
// it may be empty for a local server.
func EmbedderFromEnv(getenv func(string) string, opts Options) (*ResilientEmbedder, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	base := get(EnvEmbedBaseURL)
	if base == "" {
		return nil, nil
	}
	cfg := EmbedConfig{Model: get(EnvEmbedModel), BaseURL: base, HTTPClient: opts.HTTPClient, Clock: opts.Clock}
	if path := get(EnvEmbedKeyFile); path != "" {
		k, err := ReadKeyFile(path)
		if err != nil {
			return nil, err
		}
		cfg.APIKey = k
	} else {
		cfg.APIKey = NewAPIKey(get(EnvEmbedKey))
	}
	if v := get(EnvEmbedDimensions); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s=%q: want a whole number, 0 for the model's own", EnvEmbedDimensions, v)
		}
		cfg.Dimensions = n
	}
	e, err := NewOpenAIEmbedder(cfg)
	if err != nil {
		return nil, err
	}
	return NewResilientEmbedder(e, opts)
}
