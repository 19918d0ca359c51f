package llm

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aurora-dev/aur/internal/resilience"
)

// anthropicVersion is the Messages API version this client speaks.
const anthropicVersion = "2023-06-01"

// Anthropic talks to the Anthropic Messages API (POST {base}/v1/messages).
type Anthropic struct {
	c *client
}

// NewAnthropic returns an Anthropic client. It needs a key. A BaseURL
// ending in /v1 is accepted and the /v1 dropped, since the path adds it.
func NewAnthropic(cfg Config) (*Anthropic, error) {
	c, err := newClient(ProviderAnthropic, EnvAnthropicKey, cfg, DefaultAnthropicModel, DefaultAnthropicBaseURL)
	if err != nil {
		return nil, err
	}
	c.base = strings.TrimSuffix(c.base, "/v1")
	if c.key.IsZero() {
		return nil, fmt.Errorf("anthropic: no API key (set %s or %s)", EnvAnthropicKey, EnvAPIKeyFile)
	}
	return &Anthropic{c: c}, nil
}

// Name returns "anthropic".
func (p *Anthropic) Name() string { return ProviderAnthropic }

// Model returns the model asked for.
func (p *Anthropic) Model() string { return p.c.model }

// String describes the client without its key.
func (p *Anthropic) String() string { return fmt.Sprintf("anthropic %s at %s", p.c.model, p.c.base) }

// Endpoint returns the API root, without any query.
func (p *Anthropic) Endpoint() string { return p.c.Endpoint() }

// GoString is String, so %#v shows no internals.
func (p *Anthropic) GoString() string { return "llm.Anthropic(" + p.String() + ")" }

type anthropicRequest struct {
	Model     string    `json:"model"`
	MaxTokens int       `json:"max_tokens"` // required by the API
	System    string    `json:"system,omitempty"`
	Messages  []Message `json:"messages"`
	Stream    bool      `json:"stream,omitempty"`
}

type anthropicUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type anthropicErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type anthropicResponse struct {
	Model   string `json:"model"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReason string         `json:"stop_reason"`
	Usage      anthropicUsage `json:"usage"`
}

// anthropicEvent is the union of the stream events this client reads.
type anthropicEvent struct {
	Type    string `json:"type"`
	Message *struct {
		Model string         `json:"model"`
		Usage anthropicUsage `json:"usage"`
	} `json:"message"` // message_start
	Index int `json:"index"`
	Delta *struct {
		Type       string `json:"type"`        // content_block_delta: "text_delta", ...
		Text       string `json:"text"`        // text_delta
		StopReason string `json:"stop_reason"` // message_delta
	} `json:"delta"`
	Usage *anthropicUsage     `json:"usage"` // message_delta: cumulative output tokens
	Error *anthropicErrorBody `json:"error"` // error
}

// Complete sends req to {base}/v1/messages. See Provider.
func (p *Anthropic) Complete(ctx context.Context, req Request, onToken func(string)) (*Completion, error) {
	if err := validate(req); err != nil {
		return nil, err
	}
	stream := onToken != nil
	h := http.Header{}
	h.Set("x-api-key", p.c.key.reveal())
	h.Set("anthropic-version", anthropicVersion)
	body := anthropicRequest{Model: p.c.model, MaxTokens: p.c.maxTokensFor(req), System: req.System, Messages: req.Messages, Stream: stream}
	resp, err := p.c.post(ctx, p.c.url("/v1/messages"), h, body, stream, anthropicErrorMessage)
	if err != nil {
		return nil, err
	}
	if stream {
		return p.readStream(resp, onToken)
	}
	var out anthropicResponse
	if err := p.c.readJSON(resp, &out); err != nil {
		return nil, err
	}
	var text strings.Builder
	for _, b := range out.Content {
		if b.Type == "text" {
			text.WriteString(b.Text)
		}
	}
	return &Completion{
		Text: text.String(), Model: cmp.Or(out.Model, p.c.model), StopReason: out.StopReason,
		InputTokens: out.Usage.InputTokens, OutputTokens: out.Usage.OutputTokens,
	}, nil
}

// readStream reads the Messages stream: message_start, then per content
// block content_block_start, content_block_delta* and content_block_stop,
// then message_delta (stop reason, output tokens) and message_stop; ping
// and unknown events are skipped. Only text_delta deltas are text. A stream
// that ends before message_stop is complete only if message_delta brought a
// stop reason; otherwise it was cut (io.ErrUnexpectedEOF).
func (p *Anthropic) readStream(resp *http.Response, onToken func(string)) (*Completion, error) {
	c := &Completion{Model: p.c.model}
	return readEvents(resp, p.Name(), c, onToken, func(ev sseEvent, emit func(string)) (bool, error) {
		var e anthropicEvent
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			return false, fmt.Errorf("decode anthropic stream event %q: %w", ev.Event, err)
		}
		switch cmp.Or(e.Type, ev.Event) {
		case "message_start":
			if e.Message != nil {
				c.Model = cmp.Or(e.Message.Model, c.Model)
				c.InputTokens = e.Message.Usage.InputTokens
				c.OutputTokens = e.Message.Usage.OutputTokens
			}
		case "content_block_delta":
			if e.Delta != nil && e.Delta.Type == "text_delta" && e.Delta.Text != "" {
				emit(e.Delta.Text)
			}
		case "message_delta":
			if e.Delta != nil && e.Delta.StopReason != "" {
				c.StopReason = e.Delta.StopReason
			}
			if e.Usage != nil {
				c.OutputTokens = e.Usage.OutputTokens
			}
		case "message_stop":
			return true, nil
		case "error":
			eb := e.Error
			if eb == nil {
				eb = &anthropicErrorBody{Type: "api_error", Message: ev.Data}
			}
			return false, anthropicEventError(eb)
		}
		return false, nil
	})
}

// anthropicErrorMessage extracts "type: message" from an Anthropic error
// body ({"type":"error","error":{"type":...,"message":...}}).
func anthropicErrorMessage(raw []byte) string {
	var b struct {
		Error *anthropicErrorBody `json:"error"`
	}
	if json.Unmarshal(raw, &b) != nil || b.Error == nil {
		return ""
	}
	return joinNonEmpty(": ", b.Error.Type, b.Error.Message)
}

// anthropicStatus is the HTTP status Anthropic gives each error type
// outside a stream; an error event inside a stream carries only the type.
var anthropicStatus = map[string]int{
	"invalid_request_error": http.StatusBadRequest,
	"authentication_error":  http.StatusUnauthorized,
	"permission_error":      http.StatusForbidden,
	"not_found_error":       http.StatusNotFound,
	"request_too_large":     http.StatusRequestEntityTooLarge,
	"rate_limit_error":      http.StatusTooManyRequests,
	"api_error":             http.StatusInternalServerError,
	"timeout_error":         http.StatusGatewayTimeout,
	"overloaded_error":      529,
}

func anthropicEventError(e *anthropicErrorBody) error {
	status, ok := anthropicStatus[e.Type]
	if !ok {
		status = http.StatusInternalServerError
	}
	return &resilience.HTTPError{StatusCode: status, Body: shorten(Redact(joinNonEmpty(": ", e.Type, e.Message)), maxErrorBody)}
}
