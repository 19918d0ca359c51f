// Package llmtest is a fake LLM provider for tests: an httptest server that
// speaks the OpenAI-compatible chat completions API and the Anthropic
// Messages API, plain and streamed, answers with a fixed text, and fails on
// demand. Tests of any package that asks an LLM (the CLI's query command,
// the resilience around internal/llm) use it instead of the network.
//
// Faults come from a schedule (the n-th request fails with Schedule[n-1]),
// then from a seeded random draw (FaultRate), or from SetFault, which
// makes every request fail one way (a provider that is down). Each request
// is recorded (API, parsed prompt, model, token budget, headers with the
// key removed, the fault applied) so tests can count attempts and check
// that the grounded prompt carried the sources. The key a request presented
// is kept only as a SHA-256 hash: Request.HasKey compares, nothing prints
// it.
//
// The Timeout fault holds the request until the client gives up, so a test
// that uses it should give the client a short per-attempt timeout (tens of
// milliseconds), never a long one.
package llmtest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultAnswer is what the server answers unless Options.Answer is set: a
// grounded answer citing source [1].
const DefaultAnswer = "Retries back off exponentially, doubling the wait after each failed attempt [1]."

// Fault is a way for a request to fail.
type Fault int

const (
	// None answers normally.
	None Fault = iota
	// RateLimited answers 429 with a Retry-After header.
	RateLimited
	// Unavailable answers 503.
	Unavailable
	// Reset resets the TCP connection before any response.
	Reset
	// Timeout holds the request without answering until the client gives
	// up (or Options.TimeoutHold passes, then 504).
	Timeout
	// Unauthorized answers 401, as for a wrong key.
	Unauthorized
	// StreamCut streams half the answer, then closes the connection; a
	// plain (non-streamed) request gets a connection reset instead.
	StreamCut
	// ServerError answers 500.
	ServerError
)

var faultNames = map[Fault]string{
	None: "none", RateLimited: "429", Unavailable: "503", Reset: "reset",
	Timeout: "timeout", Unauthorized: "401", StreamCut: "stream-cut", ServerError: "500",
}

func (f Fault) String() string {
	if s, ok := faultNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// TransientFaults are the faults a retry can overcome, the default mix for
// Options.FaultRate.
var TransientFaults = []Fault{RateLimited, Unavailable, Reset, Timeout}

// Options configures a Server. The zero value answers every request with
// DefaultAnswer and accepts any key.
type Options struct {
	// Answer is the text of every successful answer.
	Answer string
	// APIKey, when set, is the only key accepted; other requests get 401.
	APIKey string
	// EchoKey makes 401 bodies quote the key the request presented, as a
	// careless provider might, to test that clients redact it.
	EchoKey bool
	// Schedule is the fault for the first len(Schedule) requests, in
	// arrival order (None to answer normally).
	Schedule []Fault
	// FaultRate is the probability that a request after the schedule
	// fails, with a fault drawn uniformly from Faults (default
	// TransientFaults), using a generator seeded with Seed.
	FaultRate float64
	Faults    []Fault
	Seed      uint64
	// RetryAfter is the Retry-After header of 429 answers; default "1".
	RetryAfter string
	// TimeoutHold is the longest a Timeout fault holds a request whose
	// client does not give up; default 5s.
	TimeoutHold time.Duration
}

// Message is one message of a recorded request; the system prompt of an
// OpenAI request appears here with Role "system".
type Message struct {
	Role    string
	Content string
}

// Request is a recorded request.
type Request struct {
	N      int    // arrival order, from 1
	API    string // "openai" or "anthropic"; "" for an unknown path
	Method string
	Path   string
	// Header is the request's header with Authorization and X-Api-Key
	// replaced by "[redacted]".
	Header http.Header
	Body   []byte
	Model  string
	// MaxTokens is the answer budget asked for, and MaxTokensField the
	// field that carried it ("max_tokens" or "max_completion_tokens").
	MaxTokens      int
	MaxTokensField string
	Stream         bool
	System         string // the Anthropic system field
	Messages       []Message
	Fault          Fault // the fault applied; None also for 400 and 401 answers
	Status         int   // the status answered; 0 for a reset or abandoned request

	keyHash [sha256.Size]byte
	hasKey  bool
}

// HasKey reports whether the request presented key.
func (r Request) HasKey(key string) bool {
	return r.hasKey && r.keyHash == sha256.Sum256([]byte(key))
}

// Prompt returns the system prompt and every message, one after another,
// for assertions about what the model was shown.
func (r Request) Prompt() string {
	var b strings.Builder
	if r.System != "" {
		b.WriteString(r.System + "\n")
	}
	for _, m := range r.Messages {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}

// Server is a fake provider. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's root, e.g. http://127.0.0.1:41234.
	URL string

	ts        *httptest.Server
	opts      Options
	closing   chan struct{}
	closeOnce sync.Once

	mu     sync.Mutex
	rng    *rand.Rand
	always Fault
	reqs   []Request
	faults map[Fault]int
}

// New starts a server and closes it when tb's test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := NewServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// NewServer starts a server; the caller closes it.
func NewServer(opts Options) *Server {
	if opts.Answer == "" {
		opts.Answer = DefaultAnswer
	}
	if len(opts.Faults) == 0 {
		opts.Faults = TransientFaults
	}
	if opts.RetryAfter == "" {
		opts.RetryAfter = "1"
	}
	if opts.TimeoutHold <= 0 {
		opts.TimeoutHold = 5 * time.Second
	}
	s := &Server{
		opts:    opts,
		closing: make(chan struct{}),
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		faults:  map[Fault]int{},
	}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	return s
}

// OpenAIBaseURL is the value for OPENAI_BASE_URL: URL + "/v1".
func (s *Server) OpenAIBaseURL() string { return s.URL + "/v1" }

// AnthropicBaseURL is the value for ANTHROPIC_BASE_URL: URL.
func (s *Server) AnthropicBaseURL() string { return s.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close stops the server, releasing requests held by Timeout.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.Close()
	})
}

// SetFault makes every later request fail with f, overriding the schedule
// and FaultRate; SetFault(None) restores them.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = f
}

// Count returns the number of requests received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Requests returns the recorded requests in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Faults returns how many requests got each fault (None included).
func (s *Server) Faults() map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faults)
}

// ServeHTTP implements the two APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: redactHeader(r.Header), Body: body}
	switch r.URL.Path {
	case "/v1/chat/completions", "/chat/completions":
		rec.API = "openai"
	case "/v1/messages":
		rec.API = "anthropic"
	}
	key := presentedKey(r, rec.API)
	if key != "" {
		rec.hasKey, rec.keyHash = true, sha256.Sum256([]byte(key))
	}
	n := s.record(rec)

	status := func(code int) { s.update(n, func(q *Request) { q.Status = code }) }
	if rec.API == "" {
		status(http.StatusNotFound)
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		status(http.StatusMethodNotAllowed)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	req, msg := parse(rec.API, r.Header, body)
	s.update(n, func(q *Request) {
		q.Model, q.MaxTokens, q.MaxTokensField, q.Stream = req.Model, req.MaxTokens, req.MaxTokensField, req.Stream
		q.System, q.Messages = req.System, req.Messages
	})
	if msg != "" {
		status(http.StatusBadRequest)
		writeError(w, rec.API, http.StatusBadRequest, "invalid_request_error", msg)
		return
	}
	if s.opts.APIKey != "" && key != s.opts.APIKey {
		status(http.StatusUnauthorized)
		s.unauthorized(w, rec.API, key)
		return
	}

	fault := s.pick(n)
	s.update(n, func(q *Request) { q.Fault = fault })
	switch fault {
	case RateLimited:
		status(http.StatusTooManyRequests)
		w.Header().Set("Retry-After", s.opts.RetryAfter)
		writeError(w, rec.API, http.StatusTooManyRequests, "rate_limit_error", "rate limit reached; slow down")
		return
	case Unavailable:
		status(http.StatusServiceUnavailable)
		writeError(w, rec.API, http.StatusServiceUnavailable, "overloaded_error", "the server is overloaded")
		return
	case ServerError:
		status(http.StatusInternalServerError)
		writeError(w, rec.API, http.StatusInternalServerError, "api_error", "internal server error")
		return
	case Unauthorized:
		status(http.StatusUnauthorized)
		s.unauthorized(w, rec.API, key)
		return
	case Reset:
		resetConn(w, true)
		return
	case StreamCut:
		if !req.Stream {
			resetConn(w, true)
			return
		}
	case Timeout:
		t := time.NewTimer(s.opts.TimeoutHold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return // the client gave up
		case <-s.closing:
			return
		case <-t.C:
			status(http.StatusGatewayTimeout)
			writeError(w, rec.API, http.StatusGatewayTimeout, "timeout_error", "upstream timed out")
			return
		}
	}

	status(http.StatusOK)
	tokens := splitTokens(s.opts.Answer)
	in := countWords(req)
	if !req.Stream {
		writeJSON(w, http.StatusOK, answerBody(rec.API, req.Model, n, s.opts.Answer, in, len(tokens)))
		return
	}
	if fault == StreamCut {
		tokens = tokens[:max(1, len(tokens)/2)]
	}
	streamAnswer(w, rec.API, req, n, tokens, in, fault != StreamCut)
	if fault == StreamCut {
		resetConn(w, false)
	}
}

func (s *Server) record(rec Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.N = len(s.reqs) + 1
	s.reqs = append(s.reqs, rec)
	return rec.N
}

func (s *Server) update(n int, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.reqs[n-1])
}

// pick decides request n's fault.
func (s *Server) pick(n int) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := None
	switch {
	case s.always != None:
		f = s.always
	case n <= len(s.opts.Schedule):
		f = s.opts.Schedule[n-1]
	case s.opts.FaultRate > 0 && s.rng.Float64() < s.opts.FaultRate:
		f = s.opts.Faults[s.rng.IntN(len(s.opts.Faults))]
	}
	s.faults[f]++
	return f
}

func (s *Server) unauthorized(w http.ResponseWriter, api, key string) {
	msg := "invalid API key"
	if s.opts.EchoKey {
		msg = "Incorrect API key provided: " + key + "."
	}
	writeError(w, api, http.StatusUnauthorized, "authentication_error", msg)
}

func presentedKey(r *http.Request, api string) string {
	if api == "anthropic" {
		return r.Header.Get("X-Api-Key")
	}
	auth := r.Header.Get("Authorization")
	if k, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return k
	}
	return auth
}

func redactHeader(h http.Header) http.Header {
	c := h.Clone()
	for _, k := range []string{"Authorization", "X-Api-Key"} {
		if c.Get(k) != "" {
			c.Set(k, "[redacted]")
		}
	}
	return c
}

// resetConn ends the connection: with rst, by a TCP reset (SO_LINGER 0),
// else by an orderly close, which a client reading a chunked stream sees
// as an unexpected EOF after everything already sent.
func resetConn(w http.ResponseWriter, rst bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("llmtest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		tc.SetLinger(0)
	}
	conn.Close()
}

// parsed is what the server understood of a request.
type parsed struct {
	Model          string
	MaxTokens      int
	MaxTokensField string
	Stream         bool
	System         string
	Messages       []Message
}

// parse decodes and checks a request the way the real APIs do, returning a
// message for a 400 when it is invalid.
func parse(api string, h http.Header, body []byte) (parsed, string) {
	var raw struct {
		Model               string          `json:"model"`
		Messages            []Message       `json:"messages"`
		MaxTokens           *int            `json:"max_tokens"`
		MaxCompletionTokens *int            `json:"max_completion_tokens"`
		Stream              bool            `json:"stream"`
		System              json.RawMessage `json:"system"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return parsed{}, "request body is not JSON: " + err.Error()
	}
	p := parsed{Model: raw.Model, Stream: raw.Stream, Messages: raw.Messages}
	switch {
	case raw.MaxTokens != nil && raw.MaxCompletionTokens != nil:
		return p, "max_tokens and max_completion_tokens are both set"
	case raw.MaxTokens != nil:
		p.MaxTokens, p.MaxTokensField = *raw.MaxTokens, "max_tokens"
	case raw.MaxCompletionTokens != nil:
		p.MaxTokens, p.MaxTokensField = *raw.MaxCompletionTokens, "max_completion_tokens"
	}
	if len(raw.System) > 0 {
		if err := json.Unmarshal(raw.System, &p.System); err != nil {
			return p, "system must be a string in this fake"
		}
	}
	if p.Model == "" {
		return p, "model is required"
	}
	if len(p.Messages) == 0 {
		return p, "messages must not be empty"
	}
	roles := map[string]bool{"user": true, "assistant": true}
	if api == "openai" {
		roles["system"] = true
	} else {
		if v := h.Get("Anthropic-Version"); v != "2023-06-01" {
			return p, fmt.Sprintf("anthropic-version header %q is not 2023-06-01", v)
		}
		if p.MaxTokens <= 0 || p.MaxTokensField != "max_tokens" {
			return p, "max_tokens is required and must be positive"
		}
		if p.Messages[0].Role != "user" {
			return p, "the first message must have role user"
		}
	}
	for _, m := range p.Messages {
		if !roles[m.Role] {
			return p, fmt.Sprintf("unexpected role %q", m.Role)
		}
	}
	if p.MaxTokens < 0 {
		return p, "max tokens must not be negative"
	}
	return p, ""
}

func countWords(p parsed) int {
	n := len(strings.Fields(p.System))
	for _, m := range p.Messages {
		n += len(strings.Fields(m.Content))
	}
	return n
}

var tokenRE = regexp.MustCompile(`\s*\S+\s*`)

// splitTokens splits the answer into word-sized deltas that concatenate
// back to it.
func splitTokens(s string) []string {
	t := tokenRE.FindAllString(s, -1)
	if len(t) == 0 {
		return []string{s}
	}
	return t
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// writeError writes an error body in the API's shape. kind is the
// Anthropic error type; OpenAI gets a matching type and code.
func writeError(w http.ResponseWriter, api string, code int, kind, msg string) {
	if api == "anthropic" {
		writeJSON(w, code, map[string]any{"type": "error", "error": map[string]any{"type": kind, "message": msg}})
		return
	}
	typ, c := "invalid_request_error", any(nil)
	switch kind {
	case "rate_limit_error":
		typ, c = "requests", "rate_limit_exceeded"
	case "authentication_error":
		c = "invalid_api_key"
	case "overloaded_error", "timeout_error":
		typ = "server_error"
	}
	writeJSON(w, code, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

func answerBody(api, model string, n int, text string, in, out int) any {
	if api == "anthropic" {
		return map[string]any{
			"id": fmt.Sprintf("msg_fake_%d", n), "type": "message", "role": "assistant", "model": model,
			"content":     []any{map[string]any{"type": "text", "text": text}},
			"stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": in, "output_tokens": out},
		}
	}
	return map[string]any{
		"id": fmt.Sprintf("chatcmpl-fake-%d", n), "object": "chat.completion", "created": 1735689600, "model": model,
		"choices": []any{map[string]any{
			"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop",
		}},
		"usage": map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out},
	}
}

// streamAnswer writes tokens as server-sent events in the API's format,
// flushing after each; with finish it also writes the closing events.
func streamAnswer(w http.ResponseWriter, api string, req parsed, n int, tokens []string, in int, finish bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	send := func(event string, v any) {
		b, _ := json.Marshal(v)
		if event != "" {
			fmt.Fprintf(w, "event: %s\n", event)
		}
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	if api == "anthropic" {
		send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
			"id": fmt.Sprintf("msg_fake_%d", n), "type": "message", "role": "assistant", "model": req.Model,
			"content": []any{}, "stop_reason": nil, "usage": map[string]any{"input_tokens": in, "output_tokens": 1},
		}})
		send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}})
		send("ping", map[string]any{"type": "ping"})
		for _, t := range tokens {
			send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]any{"type": "text_delta", "text": t}})
		}
		if !finish {
			return
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
		send("message_delta", map[string]any{"type": "message_delta",
			"delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
			"usage": map[string]any{"output_tokens": len(tokens)}})
		send("message_stop", map[string]any{"type": "message_stop"})
		return
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": fmt.Sprintf("chatcmpl-fake-%d", n), "object": "chat.completion.chunk",
			"created": 1735689600, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	send("", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, t := range tokens {
		send("", chunk(map[string]any{"content": t}, nil))
	}
	if !finish {
		return
	}
	send("", chunk(map[string]any{}, "stop"))
	send("", map[string]any{"id": fmt.Sprintf("chatcmpl-fake-%d", n), "object": "chat.completion.chunk",
		"model": req.Model, "choices": []any{},
		"usage": map[string]any{"prompt_tokens": in, "completion_tokens": len(tokens), "total_tokens": in + len(tokens)}})
	fmt.Fprint(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}
