package stats

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/resilience"
)

func TestPostWebhook(t *testing.T) {
	var got struct {
		Text    string             `json:"text"`
		Project string             `json:"project"`
		Window  Window             `json:"window"`
		Alerts  []resilience.Alert `json:"alerts"`
	}
	var contentType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentType = r.Header.Get("Content-Type")
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Errorf("decode payload: %v", err)
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	s := summarize(t, seed(t, "30 err=timeout", "70 cache=1"), week(t))
	r := CheckAlerts(s, DefaultRules(), resilience.SeverityCritical)
	if err := PostWebhook(context.Background(), srv.Client(), srv.URL+"/hooks/T000/B000/secret", NewWebhookPayload(r, "/src/project")); err != nil {
		t.Fatal(err)
	}
	if contentType != "application/json" {
		t.Errorf("content type %q", contentType)
	}
	wantText := "aur: 2 alerts for /src/project (Last 7 days, 100 queries)\n" +
		"[critical] critical_error_rate: CRITICAL: Error rate exceeds 20% (error_rate = 0.3, threshold > 0.2)\n" +
		"[warning] high_error_rate: Error rate exceeds 5% (error_rate = 0.3, threshold > 0.05)"
	if got.Text != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", got.Text, wantText)
	}
	if got.Project != "/src/project" || !got.Window.To.Equal(now) || len(got.Alerts) != 2 ||
		got.Alerts[0].Rule.Severity != resilience.SeverityCritical || got.Alerts[0].Value != 0.3 {
		t.Errorf("payload %+v", got)
	}
}

func TestPostWebhookFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
	}))
	defer srv.Close()
	p := WebhookPayload{Text: "x", Alerts: []resilience.Alert{}}
	err := PostWebhook(context.Background(), srv.Client(), srv.URL+"/services/SECRET?token=SECRET", p)
	if err == nil {
		t.Fatal("HTTP 400: no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "HTTP 400 Bad Request: invalid_payload") || strings.Contains(msg, "SECRET") {
		t.Errorf("error %q: want the status and body, without the URL's secret path", msg)
	}

	// Nothing listening: a closed server's address.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/secret-path"
	dead.Close()
	err = PostWebhook(context.Background(), http.DefaultClient, url, p)
	if err == nil || strings.Contains(err.Error(), "secret-path") || !strings.Contains(err.Error(), "post alerts to http://127.0.0.1") {
		t.Errorf("unreachable: error %v", err)
	}
}

func TestValidateWebhookURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080/hook", "https://hooks.example.com/services/x"} {
		if err := ValidateWebhookURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "hooks.example.com/x", "ftp://example.com/x", "https://", "://x"} {
		if err := ValidateWebhookURL(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
