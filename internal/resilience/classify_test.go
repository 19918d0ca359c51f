package resilience

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sony/gobreaker/v2"
)

// RateLimitError stands for a provider SDK's error type that the caller can
// only name, not import.
type RateLimitError struct{ Msg string }

func (e *RateLimitError) Error() string { return "rate limited: " + e.Msg }

// quotaError is registered by type.
type quotaError struct{}

func (quotaError) Error() string { return "quota briefly exhausted" }

// AuthError is registered as not recoverable.
type AuthError struct{}

func (*AuthError) Error() string { return "bad api key" }

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func connReset() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

func TestClassifierBuiltins(t *testing.T) {
	cls := NewClassifier()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline exceeded (per-attempt timeout)", context.DeadlineExceeded, true},
		{"wrapped deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), true},
		{"os deadline", os.ErrDeadlineExceeded, true},
		{"net timeout", timeoutErr{}, true},
		{"connection reset op error", connReset(), true},
		{"bare ECONNRESET", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"ECONNREFUSED", syscall.ECONNREFUSED, true},
		{"EPIPE", syscall.EPIPE, true},
		{"unexpected EOF", fmt.Errorf("decode: %w", io.ErrUnexpectedEOF), true},
		{"url error EOF", &url.Error{Op: "Post", URL: "https://x", Err: io.EOF}, true},
		{"plain EOF", io.EOF, false},
		{"dns temporary", &net.DNSError{Err: "server misbehaving", IsTemporary: true}, true},
		{"dns no such host", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, false},
		{"http 408", &HTTPError{StatusCode: 408}, true},
		{"http 429", &HTTPError{StatusCode: 429}, true},
		{"http 500", &HTTPError{StatusCode: 500}, true},
		{"http 502", &HTTPError{StatusCode: 502}, true},
		{"http 503 wrapped", fmt.Errorf("openai: %w", &HTTPError{StatusCode: 503}), true},
		{"http 504", &HTTPError{StatusCode: 504}, true},
		{"http 400", &HTTPError{StatusCode: 400}, false},
		{"http 401", &HTTPError{StatusCode: 401}, false},
		{"http 403", &HTTPError{StatusCode: 403}, false},
		{"http 404", &HTTPError{StatusCode: 404}, false},
		{"http 422", &HTTPError{StatusCode: 422}, false},
		{"context canceled", context.Canceled, false},
		{"breaker open", &BreakerOpenError{Provider: "p", Err: gobreaker.ErrOpenState}, false},
		{"rate limit exceeded", &RateLimitExceededError{Provider: "p"}, false},
		{"validation error (unknown)", errors.New("query: too long"), false},
		{"unknown type", &RateLimitError{}, false},
		{"joined with a transient", errors.Join(errors.New("x"), &HTTPError{StatusCode: 503}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cls.IsRecoverable(tt.err); got != tt.want {
				t.Errorf("IsRecoverable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestClassifierRegistered(t *testing.T) {
	cls := NewClassifier()
	cls.AddRecoverable(ByName("RateLimitError"), ByType[quotaError]())
	cls.AddNonRecoverable(ByType[*AuthError](), ByName("resilience.HTTPError"))

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"by name", &RateLimitError{}, true},
		{"by name, wrapped", fmt.Errorf("chat: %w", &RateLimitError{}), true},
		{"by name, joined", errors.Join(errors.New("a"), &RateLimitError{}), true},
		{"by type", quotaError{}, true},
		{"by type, wrapped", fmt.Errorf("chat: %w", quotaError{}), true},
		{"non-recoverable by type", &AuthError{}, false},
		// A non-recoverable registration beats both the built-ins and the
		// recoverable registrations.
		{"non-recoverable by qualified name beats built-in 503", &HTTPError{StatusCode: 503}, false},
		{"non-recoverable wins over recoverable", errors.Join(&AuthError{}, &RateLimitError{}), false},
		{"built-ins still apply", connReset(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cls.IsRecoverable(tt.err); got != tt.want {
				t.Errorf("IsRecoverable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	if ByName("Other")(&RateLimitError{}) {
		t.Error(`ByName("Other") matched RateLimitError`)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{now.Add(30 * time.Second).Format(http1123), 30 * time.Second},
		{now.Add(-30 * time.Second).Format(http1123), 0},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestHTTPErrorMessage(t *testing.T) {
	e := &HTTPError{StatusCode: 429, RetryAfter: 2 * time.Second, Body: ` {"error":"slow down"} `}
	want := `http 429 Too Many Requests: {"error":"slow down"} (retry after 2s)`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	long := &HTTPError{StatusCode: 500, Body: strings.Repeat("x", 1000)}
	if n := len(long.Error()); n > 300 {
		t.Errorf("long body not truncated: %d chars", n)
	}
}

func TestErrorType(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&HTTPError{StatusCode: 503}, "http_503"},
		{fmt.Errorf("x: %w", &HTTPError{StatusCode: 429}), "http_429"},
		{context.DeadlineExceeded, "timeout"},
		{timeoutErr{}, "timeout"},
		{connReset(), "network"},
		{io.ErrUnexpectedEOF, "network"},
		{context.Canceled, "canceled"},
		{&BreakerOpenError{Err: gobreaker.ErrOpenState}, "breaker_open"},
		{&RateLimitExceededError{}, "rate_limit_exceeded"},
		{errors.New("boom"), "other"},
	}
	for _, tt := range tests {
		if got := ErrorType(tt.err); got != tt.want {
			t.Errorf("ErrorType(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestHTTPErrorTruncatesOnRuneBoundary(t *testing.T) {
	e := &HTTPError{StatusCode: 500, Body: strings.Repeat("é", 300)}
	if msg := e.Error(); !utf8.ValidString(msg) {
		t.Errorf("truncated message is not valid UTF-8: %q", msg)
	}
	if got := ParseRetryAfter("99999999999999", time.Now()); got <= 24*time.Hour {
		t.Errorf("huge Retry-After = %s, want it kept (and capped, not dropped)", got)
	}
}
