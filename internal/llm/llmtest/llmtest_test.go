package llmtest

import (
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, path, body string, h map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

const chat = `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":5}`

func TestScheduleFaultsAndRecording(t *testing.T) {
	s := New(t, Options{Schedule: []Fault{RateLimited, Unavailable, Reset, Unauthorized}, APIKey: "k-123"})
	auth := map[string]string{"Authorization": "Bearer k-123"}
	got := []int{
		post(t, s, "/v1/chat/completions", chat, auth),
		post(t, s, "/v1/chat/completions", chat, auth),
		post(t, s, "/v1/chat/completions", chat, auth),
		post(t, s, "/v1/chat/completions", chat, auth),
		post(t, s, "/v1/chat/completions", chat, auth),
		post(t, s, "/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer wrong"}),
		post(t, s, "/v1/messages", chat, map[string]string{"X-Api-Key": "k-123"}), // no anthropic-version
	}
	want := []int{429, 503, 0, 401, 200, 401, 400}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: status %d, want %d", i+1, got[i], want[i])
		}
	}
	reqs := s.Requests()
	if len(reqs) != 7 || !reqs[4].HasKey("k-123") || reqs[5].HasKey("k-123") || reqs[4].Header.Get("Authorization") != "[redacted]" {
		t.Errorf("recording wrong: %d requests", len(reqs))
	}
	if reqs[4].Model != "m" || reqs[4].MaxTokens != 5 || reqs[4].Prompt() != "hi\n" {
		t.Errorf("parsed %+v", reqs[4])
	}
	s.SetFault(Unavailable)
	if st := post(t, s, "/chat/completions", chat, auth); st != 503 {
		t.Errorf("SetFault: status %d", st)
	}
}

func TestSeededFaultsRepeat(t *testing.T) {
	run := func() map[Fault]int {
		s := New(t, Options{FaultRate: 0.5, Faults: []Fault{RateLimited, Unavailable}, Seed: 7})
		for range 50 {
			post(t, s, "/v1/chat/completions", chat, nil)
		}
		return s.Faults()
	}
	a, b := run(), run()
	if a[None]+a[RateLimited]+a[Unavailable] != 50 || a[None] == 50 || a[None] != b[None] || a[RateLimited] != b[RateLimited] {
		t.Errorf("fault counts %v and %v: want the same non-trivial mix from one seed", a, b)
	}
}
