package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aurora-dev/aur/internal/resilience"
)

// WebhookPayload is what `aur stats --alerts --webhook URL` posts: Text
// for Slack-compatible incoming webhooks (and anything that shows a text
// field), and the alerts with their rules and values for everything else.
type WebhookPayload struct {
	Text    string             `json:"text"`
	Project string             `json:"project"`
	Window  Window             `json:"window"`
	Alerts  []resilience.Alert `json:"alerts"`
}

// NewWebhookPayload builds the payload of a report's alerts; project names
// where they come from (the project root).
func NewWebhookPayload(r *AlertReport, project string) WebhookPayload {
	var b strings.Builder
	noun := "alerts"
	if len(r.Alerts) == 1 {
		noun = "alert"
	}
	fmt.Fprintf(&b, "aur: %d %s for %s (%s, %d queries)", len(r.Alerts), noun, project, r.Window.Label(), r.QueryCount)
	for _, a := range r.Alerts {
		b.WriteString("\n" + a.Message)
	}
	return WebhookPayload{Text: b.String(), Project: project, Window: r.Window, Alerts: r.Alerts}
}

// ValidateWebhookURL checks that s is an absolute http or https URL.
func ValidateWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid webhook URL %q: want an absolute http or https URL", redactURL(s))
	}
	return nil
}

// PostWebhook posts p as JSON to rawURL and fails unless the answer is a
// 2xx. Errors name the URL without its path and query, which for Slack
// and most chat services hold the secret.
func PostWebhook(ctx context.Context, client *http.Client, rawURL string, p WebhookPayload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("post alerts to %s: %w", redactURL(rawURL), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post alerts to %s: %w", redactURL(rawURL), err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aur-stats")
	resp, err := client.Do(req)
	if err != nil {
		// The *url.Error repeats the full URL; keep only its cause.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post alerts to %s: %w", redactURL(rawURL), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		msg := strings.TrimSpace(string(snippet))
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("post alerts to %s: HTTP %s%s", redactURL(rawURL), resp.Status, msg)
	}
	return nil
}

// redactURL returns scheme://host/... for a URL with a path or query.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "webhook"
	}
	r := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		r += "/..."
	}
	return r
}
