package resilience

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// HTTPError is an HTTP response that a provider client turned into an error.
// The classifier retries 408, 425, 429 and every 5xx and fails at once on any
// other status; RetryAfter, when set, is the least time the retry loop waits
// before the next attempt.
type HTTPError struct {
	StatusCode int
	RetryAfter time.Duration // from the Retry-After header; 0 if absent
	Body       string        // the response body, possibly truncated by the client
}

// maxBodyInError keeps error messages to one readable line.
const maxBodyInError = 200

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("http %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if body := strings.TrimSpace(e.Body); body != "" {
		if len(body) > maxBodyInError {
			n := maxBodyInError
			for n > 0 && !utf8.RuneStart(body[n]) {
				n--
			}
			body = body[:n] + "..."
		}
		msg += ": " + body
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// maxRetryAfterSecs keeps a huge Retry-After from overflowing a Duration.
const maxRetryAfterSecs = int64(math.MaxInt64 / int64(time.Second))

// ParseRetryAfter reads a Retry-After header value: either delay-seconds or
// an HTTP date (RFC 9110 section 10.2.3), relative to now. It returns 0 for an
// empty, malformed or past value. A very long value is kept (not dropped) so
// that RetryConfig.MaxRetryAfter can refuse it.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, maxRetryAfterSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Matcher reports whether an error belongs to a class registered with a
// Classifier.
type Matcher func(error) bool

// ByType matches errors that errors.As can assign to an E, e.g.
// ByType[*openai.RateLimitError]() or ByType[net.Error]().
func ByType[E error]() Matcher {
	return func(err error) bool {
		var target E
		return errors.As(err, &target)
	}
}

// ByName matches errors whose dynamic type, or the type of any error they
// wrap, is called name. Pointers are looked through, and name may be bare
// ("RateLimitError") or package-qualified ("openai.RateLimitError"). It
// exists for errors whose type cannot be imported, such as those of an
// optional provider SDK.
func ByName(name string) Matcher {
	return func(err error) bool {
		found := false
		walkChain(err, func(e error) bool {
			t := reflect.TypeOf(e)
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.Name() == name || t.String() == name {
				found = true
			}
			return !found
		})
		return found
	}
}

// walkChain calls visit on err and every error it wraps, depth first, until
// visit returns false.
func walkChain(err error, visit func(error) bool) bool {
	if err == nil {
		return true
	}
	if !visit(err) {
		return false
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walkChain(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if !walkChain(e, visit) {
				return false
			}
		}
	}
	return true
}

// Classifier decides whether an error is worth another attempt
// (recoverable) and therefore also whether it counts against a circuit
// breaker.
//
// Precedence: errors registered with AddNonRecoverable, then errors
// registered with AddRecoverable, then the built-in rules:
//
//   - recoverable: context.DeadlineExceeded (a per-attempt timeout; the retry
//     loop stops on its own when the caller's context ends), net.Error
//     timeouts, os.ErrDeadlineExceeded, *net.OpError (connection refused,
//     reset, aborted), ECONNRESET, ECONNREFUSED, ECONNABORTED, EPIPE,
//     ETIMEDOUT, io.ErrUnexpectedEOF, io.EOF inside a *url.Error (the
//     server closed the connection before answering), *net.DNSError when temporary or a
//     timeout, and *HTTPError with status 408, 425, 429 or 5xx;
//   - not recoverable: context.Canceled, *HTTPError with any other status
//     (400, 401, 403, 404, ...), *net.DNSError "no such host",
//     *BreakerOpenError and *RateLimitExceededError (waiting a backoff
//     step cannot fix either; both already say when to come back);
//   - anything else, validation errors included, is not recoverable.
//
// Unknown errors default to not recoverable because retrying a bug or a bad
// request wastes provider quota and hides the real error behind a delay; a
// provider client that knows an error is transient registers it.
//
// A Classifier is safe for concurrent use; register at start-up.
type Classifier struct {
	mu             sync.RWMutex
	recoverable    []Matcher
	nonRecoverable []Matcher
}

// NewClassifier returns a Classifier with only the built-in rules.
func NewClassifier() *Classifier { return &Classifier{} }

// AddRecoverable registers matchers for errors that should be retried.
func (c *Classifier) AddRecoverable(ms ...Matcher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recoverable = append(c.recoverable, ms...)
}

// AddNonRecoverable registers matchers for errors that must not be retried.
// They take precedence over everything else.
func (c *Classifier) AddNonRecoverable(ms ...Matcher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nonRecoverable = append(c.nonRecoverable, ms...)
}

// IsRecoverable reports whether err is transient and worth retrying. A nil
// error is not recoverable (there is nothing to recover from).
func (c *Classifier) IsRecoverable(err error) bool {
	if err == nil {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, m := range c.nonRecoverable {
		if m(err) {
			return false
		}
	}
	for _, m := range c.recoverable {
		if m(err) {
			return true
		}
	}
	return builtinRecoverable(err)
}

func builtinRecoverable(err error) bool {
	var (
		httpErr *HTTPError
		dnsErr  *net.DNSError
		opErr   *net.OpError
		netErr  net.Error
		boErr   *BreakerOpenError
		rlErr   *RateLimitExceededError
		urlErr  *url.Error
	)
	switch {
	case errors.As(err, &boErr), errors.As(err, &rlErr):
		return false
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return true
	case errors.As(err, &httpErr):
		return recoverableStatus(httpErr.StatusCode)
	case errors.As(err, &dnsErr):
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	case errors.As(err, &opErr):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &urlErr) && errors.Is(urlErr.Err, io.EOF):
		return true // the server closed the connection before answering
	case errors.As(err, &netErr):
		return netErr.Timeout()
	}
	return false
}

func recoverableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests:
		return true
	case code >= 500 && code <= 599:
		return true
	}
	return false
}

// retryAfter returns the Retry-After carried by err, if any.
func retryAfter(err error) time.Duration {
	var httpErr *HTTPError
	if errors.As(err, &httpErr) && httpErr.RetryAfter > 0 {
		return httpErr.RetryAfter
	}
	return 0
}

// ErrorType returns a short, low-cardinality label for err, used as the
// error type in metrics: "http_<status>", "timeout", "network",
// "breaker_open", "rate_limit_exceeded", "canceled", or "other".
func ErrorType(err error) string {
	var (
		httpErr *HTTPError
		boErr   *BreakerOpenError
		rlErr   *RateLimitExceededError
		netErr  net.Error
		opErr   *net.OpError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &boErr):
		return "breaker_open"
	case errors.As(err, &rlErr):
		return "rate_limit_exceeded"
	case errors.As(err, &httpErr):
		return "http_" + strconv.Itoa(httpErr.StatusCode)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, syscall.ETIMEDOUT), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &opErr), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &netErr):
		return "network"
	}
	return "other"
}
