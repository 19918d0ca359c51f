package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// A base URL with a query (a proxy that takes ?key=...) keeps the query on
// every request, after the API path: /v1/chat/completions?key=k, not
// /v1?key=k/chat/completions. Endpoint, which names the server in
// messages and breaker state, carries no query.
func TestBaseURLQueryKept(t *testing.T) {
	var mu sync.Mutex
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Path+" ? "+r.URL.RawQuery)
		mu.Unlock()
		http.Error(w, `{"error":{"message":"no"}}`, http.StatusBadRequest)
	}))
	defer ts.Close()
	for _, tc := range []struct {
		api, base, wantReq, wantEndpoint string
	}{
		{ProviderOpenAI, ts.URL + "/v1?key=secret-proxy-token&x=1", "/v1/chat/completions ? key=secret-proxy-token&x=1", ts.URL + "/v1"},
		{ProviderOpenAI, ts.URL + "/v1/?key=k", "/v1/chat/completions ? key=k", ts.URL + "/v1"},
		{ProviderOpenAI, ts.URL + "/v1", "/v1/chat/completions ? ", ts.URL + "/v1"},
		{ProviderAnthropic, ts.URL + "/v1?key=k", "/v1/messages ? key=k", ts.URL},
		{ProviderAnthropic, ts.URL + "/proxy/?key=k#frag", "/proxy/v1/messages ? key=k", ts.URL + "/proxy"},
	} {
		got = nil
		cfg := Config{APIKey: NewAPIKey(testKey), BaseURL: tc.base, HTTPClient: ts.Client()}
		var p interface {
			Provider
			Endpoint() string
		}
		var err error
		if tc.api == ProviderOpenAI {
			p, err = NewOpenAI(cfg)
		} else {
			p, err = NewAnthropic(cfg)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", tc.api, tc.base, err)
		}
		if _, err := ask(context.Background(), p, "q", nil); err == nil {
			t.Fatal("want the 400")
		}
		if len(got) != 1 || got[0] != tc.wantReq {
			t.Errorf("%s %s: requests %q, want %q", tc.api, tc.base, got, tc.wantReq)
		}
		if e := p.Endpoint(); e != tc.wantEndpoint {
			t.Errorf("%s %s: Endpoint %q, want %q", tc.api, tc.base, e, tc.wantEndpoint)
		}
		if s := p.(interface{ String() string }).String(); strings.Contains(s, "key=") {
			t.Errorf("String() %q shows the query", s)
		}
	}
}

// A transport error names the endpoint without the query, which may hold
// a key.
func TestTransportErrorHidesQuery(t *testing.T) {
	p, err := NewOpenAI(Config{BaseURL: "http://127.0.0.1:1/v1?key=secret-proxy-token"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ask(context.Background(), p, "q", nil)
	if err == nil || strings.Contains(err.Error(), "secret-proxy-token") || !strings.Contains(err.Error(), "127.0.0.1:1/v1/chat/completions") {
		t.Errorf("error %v: want the endpoint without its query", err)
	}
}

func TestBreakerKey(t *testing.T) {
	p, err := NewOpenAI(Config{BaseURL: "http://localhost:11434/v1/?key=k"})
	if err != nil {
		t.Fatal(err)
	}
	if got := BreakerKey(p); got != "openai@http://localhost:11434/v1" {
		t.Errorf("BreakerKey = %q", got)
	}
}
