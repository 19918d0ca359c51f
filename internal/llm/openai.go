package llm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aurora-dev/aur/internal/resilience"
)

// OpenAI talks to an OpenAI-compatible chat completions API: OpenAI itself,
// or Ollama, vLLM, LM Studio and the like through their /v1 endpoints
// (set BaseURL, e.g. http://localhost:11434/v1; the key may then be empty).
type OpenAI struct {
	c *client
	// official is set for api.openai.com, which wants max_completion_tokens
	// (max_tokens is deprecated there and refused by reasoning models) and
	// understands stream_options; other servers get the older max_tokens,
	// which they all accept.
	official bool
}

// NewOpenAI returns an OpenAI-compatible client. An empty key is accepted
// only for a BaseURL that is not api.openai.com.
func NewOpenAI(cfg Config) (*OpenAI, error) {
	c, err := newClient(ProviderOpenAI, EnvOpenAIKey, cfg, DefaultOpenAIModel, DefaultOpenAIBaseURL)
	if err != nil {
		return nil, err
	}
	official := c.host == openAIHost
	if official && c.key.IsZero() {
		return nil, fmt.Errorf("openai: no API key (set %s, or point %s at a local OpenAI-compatible server)", EnvOpenAIKey, EnvOpenAIBaseURL)
	}
	return &OpenAI{c: c, official: official}, nil
}

const openAIHost = "api.openai.com"

// Name returns "openai".
func (p *OpenAI) Name() string { return ProviderOpenAI }

// Model returns the model asked for.
func (p *OpenAI) Model() string { return p.c.model }

// String describes the client without its key.
func (p *OpenAI) String() string { return fmt.Sprintf("openai %s at %s", p.c.model, p.c.base) }

// Endpoint returns the API root, without any query.
func (p *OpenAI) Endpoint() string { return p.c.Endpoint() }

// GoString is String, so %#v shows no internals.
func (p *OpenAI) GoString() string { return "llm.OpenAI(" + p.String() + ")" }

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIRequest struct {
	Model               string          `json:"model"`
	Messages            []openAIMessage `json:"messages"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options,omitempty"`
}

type openAIUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type openAIErrorBody struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    any    `json:"code"` // a string on OpenAI, a number on some servers
}

type openAIResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *openAIUsage     `json:"usage"`
	Error *openAIErrorBody `json:"error"`
}

type openAIChunk struct {
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *openAIUsage     `json:"usage"`
	Error *openAIErrorBody `json:"error"`
}

func (p *OpenAI) body(req Request, stream bool) openAIRequest {
	msgs := make([]openAIMessage, 0, len(req.Messages)+1)
	if req.System != "" {
		msgs = append(msgs, openAIMessage{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		msgs = append(msgs, openAIMessage{Role: m.Role, Content: m.Content})
	}
	b := openAIRequest{Model: p.c.model, Messages: msgs, Stream: stream}
	if p.official {
		b.MaxCompletionTokens = p.c.maxTokensFor(req)
		if stream {
			b.StreamOptions = &struct {
				IncludeUsage bool `json:"include_usage"`
			}{IncludeUsage: true}
		}
	} else {
		b.MaxTokens = p.c.maxTokensFor(req)
	}
	return b
}

// Complete sends req to {base}/chat/completions. See Provider.
func (p *OpenAI) Complete(ctx context.Context, req Request, onToken func(string)) (*Completion, error) {
	if err := validate(req); err != nil {
		return nil, err
	}
	stream := onToken != nil
	h := http.Header{}
	if !p.c.key.IsZero() {
		h.Set("Authorization", "Bearer "+p.c.key.reveal())
	}
	resp, err := p.c.post(ctx, p.c.url("/chat/completions"), h, p.body(req, stream), stream, openAIErrorMessage)
	if err != nil {
		return nil, err
	}
	if stream {
		return p.readStream(resp, onToken)
	}
	var out openAIResponse
	if err := p.c.readJSON(resp, &out); err != nil {
		return nil, err
	}
	if out.Error != nil {
		return nil, openAIStreamError(out.Error)
	}
	if len(out.Choices) == 0 {
		return nil, errors.New("openai response has no choices")
	}
	c := &Completion{Text: out.Choices[0].Message.Content, Model: cmp.Or(out.Model, p.c.model), StopReason: out.Choices[0].FinishReason}
	if out.Usage != nil {
		c.InputTokens, c.OutputTokens = out.Usage.PromptTokens, out.Usage.CompletionTokens
	}
	return c, nil
}

// readStream reads "data: {chunk}" events until "data: [DONE]". A stream
// that ends without [DONE] is complete only if a finish_reason was seen
// (some compatible servers omit [DONE]); otherwise it was cut, which is
// io.ErrUnexpectedEOF and, before the first token, worth another attempt.
func (p *OpenAI) readStream(resp *http.Response, onToken func(string)) (*Completion, error) {
	c := &Completion{Model: p.c.model}
	return readEvents(resp, p.Name(), c, onToken, func(ev sseEvent, emit func(string)) (bool, error) {
		if strings.TrimSpace(ev.Data) == "[DONE]" {
			return true, nil
		}
		var ch openAIChunk
		if err := json.Unmarshal([]byte(ev.Data), &ch); err != nil {
			return false, fmt.Errorf("decode openai stream event: %w", err)
		}
		if ch.Error != nil {
			return false, openAIStreamError(ch.Error)
		}
		if ch.Model != "" {
			c.Model = ch.Model
		}
		if ch.Usage != nil {
			c.InputTokens, c.OutputTokens = ch.Usage.PromptTokens, ch.Usage.CompletionTokens
		}
		for _, choice := range ch.Choices {
			if choice.Index != 0 {
				continue
			}
			if d := choice.Delta.Content; d != "" {
				emit(d)
			}
			if choice.FinishReason != nil && *choice.FinishReason != "" {
				c.StopReason = *choice.FinishReason
			}
		}
		return false, nil
	})
}

// openAIErrorMessage extracts "type: message" from an OpenAI error body.
func openAIErrorMessage(raw []byte) string {
	var b struct {
		Error *openAIErrorBody `json:"error"`
	}
	if json.Unmarshal(raw, &b) != nil || b.Error == nil {
		return ""
	}
	return joinNonEmpty(": ", b.Error.Type, b.Error.Message)
}

// openAIStreamError maps an error object sent with status 200 (inside a
// stream, or by a lenient server) to the status the same error has outside
// a stream, so the classifier treats both alike.
func openAIStreamError(e *openAIErrorBody) error {
	kind := strings.ToLower(e.Type + " " + fmt.Sprint(e.Code))
	status := http.StatusInternalServerError
	switch {
	case strings.Contains(kind, "rate_limit"):
		status = http.StatusTooManyRequests
	case strings.Contains(kind, "invalid_api_key"), strings.Contains(kind, "authentication"):
		status = http.StatusUnauthorized
	case strings.Contains(kind, "invalid_request"):
		status = http.StatusBadRequest
	}
	return &resilience.HTTPError{StatusCode: status, Body: shorten(Redact(joinNonEmpty(": ", e.Type, e.Message)), maxErrorBody)}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
