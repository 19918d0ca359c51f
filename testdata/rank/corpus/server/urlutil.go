package main

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// ErrNoScheme is returned by parseURL for a URL without a scheme.
var ErrNoScheme = errors.New("url has no scheme")

// parseURL parses an absolute http or https URL from configuration or an
// upstream header. Unlike url.Parse it insists on a scheme and a host, and
// it lower-cases both.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" {
		return nil, ErrNoScheme
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("url %q has no host", raw)
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// ParseQuery splits a raw query string ("a=1&b=2&a=3") into its values.
// Malformed pairs are skipped rather than failing the whole request.
func ParseQuery(raw string) map[string][]string {
	out := map[string][]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		out[key] = append(out[key], val)
	}
	return out
}

// normalizePath cleans a request path: collapses repeated slashes,
// resolves "." and "..", and drops a trailing slash except on the root.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}
