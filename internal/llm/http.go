package llm

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
)

// maxResponse bounds a non-streamed response body.
const maxResponse = 16 << 20

// post sends body as JSON to endpoint and returns the response when its status
// is 2xx. Otherwise it returns a *resilience.HTTPError (see httpError) or a
// *transportError. The caller closes the returned body.
func (c *client) post(ctx context.Context, endpoint string, header http.Header, body any, stream bool, extract func([]byte) string) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s request: %w", c.name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", c.name, err)
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aur")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL's query may carry a key (?key=...): errors name the
		// endpoint without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL, _, _ = strings.Cut(ue.URL, "?")
		}
		return nil, newTransportError("", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, httpError(resp, c.clock.Now(), extract)
	}
	return resp, nil
}

// readJSON reads a whole non-streamed response into out. A failure to read
// is a transport error (the connection broke); a failure to decode is not
// (the provider sent something else, and will again).
func (c *client) readJSON(resp *http.Response, out any) error {
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return newTransportError("read "+c.name+" response", err)
	}
	if len(raw) > maxResponse {
		return fmt.Errorf("%s response is larger than %d bytes", c.name, maxResponse)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode %s response: %w (starts %q)", c.name, err, shorten(Redact(string(raw)), 80))
	}
	return nil
}
