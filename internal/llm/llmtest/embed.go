package llmtest

import (
	"crypto/sha256"
	"encoding/json"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// DefaultEmbedDims is the length of the fake's vectors unless a request
// asks for "dimensions".
const DefaultEmbedDims = 256

// EmbedOptions configures an EmbedServer.
type EmbedOptions struct {
	// Model, when set, is the only model accepted; others get 404.
	Model string
	// APIKey, when set, is the only key accepted; others get 401.
	APIKey string
	// Dims is the vector length; default DefaultEmbedDims.
	Dims int
	// Schedule is the fault of the first len(Schedule) requests.
	Schedule []Fault
	// Synonyms maps words to the word whose dimension they share, on top
	// of FakeSynonyms.
	Synonyms map[string]string
}

// FakeSynonyms is the fake's small table of words that mean the same:
// test scaffolding standing in for what a real model learns, so a
// question worded apart from the code still lands near it.
var FakeSynonyms = map[string]string{
	"wipe": "clean", "purge": "clean", "erase": "clean", "scrub": "clean", "cleanup": "clean",
	"fetch": "download", "retrieve": "download", "grab": "download",
	"money": "currency", "cash": "currency", "payment": "currency",
	"halt": "stop", "terminate": "stop", "kill": "stop",
	"fast": "quick", "rapid": "quick", "speedy": "quick",
}

// EmbedRequest is a recorded request to the fake.
type EmbedRequest struct {
	N      int
	Model  string
	Inputs []string
	Dims   int
	Fault  Fault
	Status int

	keyHash [sha256.Size]byte
	hasKey  bool
}

// HasKey reports whether the request presented key.
func (r EmbedRequest) HasKey(key string) bool {
	return r.hasKey && r.keyHash == sha256.Sum256([]byte(key))
}

// EmbedServer is a fake OpenAI-compatible embeddings endpoint
// (POST /v1/embeddings). Its vectors are deterministic bags of words:
// each word (identifiers split at case changes and underscores, lower
// case, a few stop words left out, FakeSynonyms applied) adds 1 to the
// dimension its FNV hash picks. Cosine similarity is then word overlap,
// with synonyms counting as the same word. Safe for concurrent use.
type EmbedServer struct {
	// URL is the API root to configure: http://127.0.0.1:PORT/v1.
	URL string

	ts        *httptest.Server
	opts      EmbedOptions
	closing   chan struct{}
	closeOnce sync.Once

	mu     sync.Mutex
	always Fault
	reqs   []EmbedRequest
}

// NewEmbed starts a fake embeddings server closed when tb's test ends.
func NewEmbed(tb testing.TB, opts EmbedOptions) *EmbedServer {
	tb.Helper()
	s := NewEmbedServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// NewEmbedServer starts a fake embeddings server; the caller closes it.
func NewEmbedServer(opts EmbedOptions) *EmbedServer {
	if opts.Dims <= 0 {
		opts.Dims = DefaultEmbedDims
	}
	s := &EmbedServer{opts: opts, closing: make(chan struct{})}
	s.ts = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.ts.URL + "/v1"
	return s
}

// Close stops the server, releasing requests held by Timeout.
func (s *EmbedServer) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.ts.Close()
}

// SetFault makes every later request fail with f (None to recover).
func (s *EmbedServer) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = f
}

// Requests returns the recorded requests, in arrival order.
func (s *EmbedServer) Requests() []EmbedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EmbedRequest(nil), s.reqs...)
}

// RequestCount is len(Requests()).
func (s *EmbedServer) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// InputCount is the number of texts embedded successfully.
func (s *EmbedServer) InputCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if r.Status == http.StatusOK {
			n += len(r.Inputs)
		}
	}
	return n
}

// Vector is the fake's embedding of text at dims dimensions (unnormalised
// word counts), for tests that compute expected similarities.
func (s *EmbedServer) Vector(text string, dims int) []float32 {
	return FakeEmbedding(text, dims, s.opts.Synonyms)
}

// FakeEmbedding is the bag-of-words vector EmbedServer answers with.
func FakeEmbedding(text string, dims int, extra map[string]string) []float32 {
	v := make([]float32, dims)
	for _, w := range fakeWords(text) {
		if s, ok := extra[w]; ok {
			w = s
		} else if s, ok := FakeSynonyms[w]; ok {
			w = s
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dims)]++
	}
	return v
}

var fakeStop = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "is": true, "it": true, "and": true,
	"or": true, "how": true, "do": true, "does": true, "i": true, "what": true, "which": true, "for": true,
	"func": true, "return": true, "on": true, "with": true, "by": true, "that": true, "this": true, "all": true,
}

// fakeWords splits text into lower-case words, identifiers at case
// changes and underscores.
func fakeWords(text string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			w := strings.ToLower(string(cur))
			if !fakeStop[w] {
				out = append(out, w)
			}
			cur = cur[:0]
		}
	}
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

type fakeEmbedRequest struct {
	Model      string          `json:"model"`
	Input      json.RawMessage `json:"input"`
	Dimensions int             `json:"dimensions"`
}

func (s *EmbedServer) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	var req fakeEmbedRequest
	rec := EmbedRequest{}
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if key != "" {
		rec.keyHash, rec.hasKey = sha256.Sum256([]byte(key)), true
	}
	decodeErr := json.Unmarshal(body, &req)
	if decodeErr == nil {
		var one string
		if json.Unmarshal(req.Input, &one) == nil {
			rec.Inputs = []string{one}
		} else if err := json.Unmarshal(req.Input, &rec.Inputs); err != nil {
			decodeErr = err
		}
	}
	rec.Model, rec.Dims = req.Model, req.Dimensions
	s.mu.Lock()
	rec.N = len(s.reqs) + 1
	fault := s.always
	if rec.N <= len(s.opts.Schedule) {
		fault = s.opts.Schedule[rec.N-1]
	}
	rec.Fault = fault
	s.reqs = append(s.reqs, rec)
	idx := len(s.reqs) - 1
	s.mu.Unlock()
	status := func(code int) {
		s.mu.Lock()
		s.reqs[idx].Status = code
		s.mu.Unlock()
	}
	fail := func(code int, typ, msg string) {
		status(code)
		writeJSON(w, code, map[string]any{"error": map[string]any{"type": typ, "message": msg}})
	}
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings":
		fail(http.StatusNotFound, "not_found", "no such endpoint")
		return
	case decodeErr != nil || len(rec.Inputs) == 0:
		fail(http.StatusBadRequest, "invalid_request_error", "bad request body")
		return
	case s.opts.APIKey != "" && key != s.opts.APIKey:
		fail(http.StatusUnauthorized, "invalid_api_key", "incorrect API key")
		return
	case s.opts.Model != "" && req.Model != s.opts.Model:
		fail(http.StatusNotFound, "model_not_found", "model "+req.Model+" not found")
		return
	}
	switch fault {
	case RateLimited:
		w.Header().Set("Retry-After", "0")
		fail(http.StatusTooManyRequests, "rate_limit_error", "rate limit reached")
		return
	case Unavailable:
		fail(http.StatusServiceUnavailable, "server_error", "the server is overloaded")
		return
	case ServerError:
		fail(http.StatusInternalServerError, "server_error", "internal server error")
		return
	case Unauthorized:
		fail(http.StatusUnauthorized, "invalid_api_key", "incorrect API key")
		return
	case Reset, StreamCut:
		resetConn(w, true)
		return
	case Timeout:
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-s.closing:
		case <-t.C:
			fail(http.StatusGatewayTimeout, "timeout_error", "upstream timed out")
		}
		return
	}
	dims := s.opts.Dims
	if req.Dimensions > 0 {
		dims = req.Dimensions
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(rec.Inputs))
	for i, in := range rec.Inputs {
		data[i] = item{Object: "embedding", Index: i, Embedding: s.Vector(in, dims)}
	}
	status(http.StatusOK)
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "model": req.Model, "data": data})
}
