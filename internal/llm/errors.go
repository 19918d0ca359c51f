package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Error is a failed call through Resilient: the provider and model, and
// the cause (a *resilience.RetryError, *resilience.HTTPError,
// *StreamInterruptedError, a context error, ...), which errors.As and
// errors.Is reach. An open circuit breaker is reported as
// *UnavailableError instead, because its message already names the provider.
type Error struct {
	Provider string
	Model    string
	Err      error
	// Hint tells the user what to check, for errors another attempt
	// cannot fix (a rejected key, an unknown model).
	Hint string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("ask %s (%s): %v", e.Provider, e.Model, e.Err)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return Redact(msg)
}

func (e *Error) Unwrap() error { return e.Err }

// UnavailableError is returned, without calling the provider, while its
// circuit breaker is open: the last Failures attempts all failed with
// recoverable errors, and no request goes out until Until. The CLI can
// print it as is and answer from the retrieved context instead.
type UnavailableError struct {
	Provider string
	Failures int       // consecutive failures that open the breaker
	Until    time.Time // when one trial request is let through
	// Wait is how long from the failure until Until: what the message
	// says, as a duration rather than a time of day in some time zone.
	Wait time.Duration
	// HalfOpen is set when the breaker's one trial request is still in
	// flight, so this request was turned away too.
	HalfOpen bool
	Err      error // the *resilience.BreakerOpenError
}

func (e *UnavailableError) Error() string {
	if e.HalfOpen {
		return fmt.Sprintf("circuit breaker for %s is half-open with a trial request in flight; try again in a moment", e.Provider)
	}
	return fmt.Sprintf("circuit breaker open for %s: %d consecutive failures; retrying in %s",
		e.Provider, e.Failures, fmtWait(e.Wait))
}

// fmtWait renders a wait as precisely as a person needs it: "1.2s" below
// 10 s, "42s" below two minutes, "5m30s" beyond. A wait that is over (the
// clock moved on since) is "0.0s", never negative.
func fmtWait(d time.Duration) string {
	switch d = max(d, 0); {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int64(d.Round(time.Second)/time.Second))
	}
	return d.Round(time.Second).String()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// StreamInterruptedError is a streamed answer that broke after some of it
// had been passed to onToken. It is never retried: a new attempt would
// stream the answer again from its start, repeating text the user has
// already seen (and a model need not produce the same text twice, so the
// repeat cannot be trimmed off). The caller keeps what it showed and
// reports the error.
type StreamInterruptedError struct {
	Provider string
	Tokens   int // text deltas delivered before the failure
	Err      error
}

func (e *StreamInterruptedError) Error() string {
	return Redact(fmt.Sprintf("%s stream broke after %d tokens were shown (not retried, to avoid repeating them): %v",
		e.Provider, e.Tokens, e.Err))
}

func (e *StreamInterruptedError) Unwrap() error { return e.Err }

// transportError is a failure to talk to the provider: the request could
// not be sent, or the response could not be read to its end. transient
// records whether another attempt could help, decided when it is made.
type transportError struct {
	op        string // "" when err already says what failed (a *url.Error does)
	err       error
	transient bool
}

func newTransportError(op string, err error) *transportError {
	return &transportError{op: op, err: err, transient: transientTransport(err)}
}

func (e *transportError) Error() string {
	if e.op == "" {
		return Redact(e.err.Error())
	}
	return Redact(e.op + ": " + e.err.Error())
}

func (e *transportError) Unwrap() error { return e.err }

// transientTransport reports whether a transport failure may pass: every
// network failure may, except the caller giving up, a host that does not
// exist, and a certificate that does not verify.
func transientTransport(err error) bool {
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalErr x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &certErr), errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invalErr):
		return false
	}
	return true
}

// registerErrors teaches c this package's errors: transient transport
// failures are recoverable (connection reset or refused, timeouts, a stream
// cut before its first token: io.ErrUnexpectedEOF); a stream cut after its
// first token, and a transport failure that cannot pass, are not. HTTP
// statuses need nothing: *resilience.HTTPError is built in (408, 425, 429,
// 5xx retried).
func registerErrors(c *resilience.Classifier) {
	c.AddNonRecoverable(
		resilience.ByType[*StreamInterruptedError](),
		func(err error) bool {
			var te *transportError
			return errors.As(err, &te) && !te.transient
		},
	)
	c.AddRecoverable(func(err error) bool {
		var te *transportError
		return errors.As(err, &te) && te.transient
	})
}

// Error bodies: read at most maxErrorRead bytes, keep at most maxErrorBody.
const (
	maxErrorRead = 8 << 10
	maxErrorBody = 300
)

// httpError turns a non-2xx response into a *resilience.HTTPError whose Body
// is the provider's error message (or the start of the raw body), cut short
// and redacted. extract pulls the message out of the provider's error JSON.
func httpError(resp *http.Response, now time.Time, extract func([]byte) string) *resilience.HTTPError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorRead))
	msg := ""
	if extract != nil {
		msg = extract(raw)
	}
	if msg == "" {
		msg = string(raw)
	}
	return &resilience.HTTPError{
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfterHeader(resp.Header, now),
		Body:       shorten(Redact(strings.Join(strings.Fields(msg), " ")), maxErrorBody),
	}
}

// retryAfterHeader reads Retry-After, or OpenAI's retry-after-ms when it is
// present (it is finer grained).
func retryAfterHeader(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms > 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	return resilience.ParseRetryAfter(h.Get("Retry-After"), now)
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// interrupted wraps err as a *StreamInterruptedError when tokens had been
// delivered before it.
func interrupted(provider string, tokens int, err error) error {
	var sie *StreamInterruptedError
	if err == nil || tokens == 0 || errors.As(err, &sie) {
		return err
	}
	return &StreamInterruptedError{Provider: provider, Tokens: tokens, Err: err}
}

// hint returns advice for errors the user has to fix, naming keyEnv, the
// variable that holds the provider's key.
func hint(err error, keyEnv, modelEnv, baseEnv string) string {
	var he *resilience.HTTPError
	if !errors.As(err, &he) {
		return ""
	}
	switch he.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("check the API key in %s or the file named by %s", keyEnv, EnvAPIKeyFile)
	case http.StatusNotFound:
		return fmt.Sprintf("check %s and %s", modelEnv, baseEnv)
	}
	return ""
}
