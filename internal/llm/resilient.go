package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/sony/gobreaker/v2"
)

// Options configures the resilience around a provider (NewResilient,
// FromEnv). Zero fields take the defaults of DefaultOptions, which are the
// production guide's; set MaxRetries to -1 for no retries.
type Options struct {
	// RPM is the provider's request budget per minute and MaxWait the
	// longest a request queues for a slot. They configure the limiter only
	// when Registry is nil; a shared Registry keeps its own settings.
	// MaxWait is also the longest Retry-After the retry loop honours: a
	// provider asking for a longer pause fails the call at once.
	RPM     int           `json:"rpm"`
	MaxWait time.Duration `json:"max_wait"`
	// MaxRetries is the number of retries after the first attempt; -1
	// means none.
	MaxRetries int           `json:"max_retries"`
	BaseDelay  time.Duration `json:"base_delay"`
	MaxDelay   time.Duration `json:"max_delay"`
	// Timeout bounds each attempt, streaming included: it is a context
	// deadline, so it reaches the HTTP request, and an attempt that runs
	// out of time is retried (unless tokens were already shown).
	Timeout time.Duration `json:"timeout"`
	// BreakerThreshold consecutive failed calls (each after its retries)
	// open the circuit breaker for BreakerOpenTimeout.
	BreakerThreshold   int           `json:"breaker_threshold"`
	BreakerOpenTimeout time.Duration `json:"breaker_open_timeout"`

	// HTTPClient sends the requests (FromEnv only); nil means a shared
	// default client.
	HTTPClient *http.Client `json:"-"`
	// Clock times backoff, rate limits and the breaker; nil means the real
	// clock. Timeout is always real time.
	Clock resilience.Clock `json:"-"`
	// Registry holds the per-provider rate limiters; share one across the
	// process so every path to a provider draws on one budget. nil means a
	// new registry from RPM and MaxWait.
	Registry *resilience.Registry `json:"-"`
	// Classifier decides what is retried; this package registers its own
	// errors with it. nil means a new one.
	Classifier *resilience.Classifier `json:"-"`
	// Metrics receives one query per Complete and one error per failed
	// attempt; nil means none.
	Metrics *resilience.Collector `json:"-"`
	// BreakerStore keeps the breaker's state across processes (aur keeps
	// it in $AURORA_HOME/state); nil means per process only.
	BreakerStore resilience.BreakerStore `json:"-"`
	// Observer hears every attempt, retry, rate-limit wait and breaker
	// state (Prometheus metrics in aur serve); nil means nobody.
	Observer resilience.Observer `json:"-"`
}

// DefaultOptions returns 60 requests per minute with up to 60 s of
// queueing, 3 retries backing off 100 ms, 200 ms, 400 ms (never above 5 s),
// a 60 s attempt timeout, and a breaker that opens for 60 s after 5
// consecutive failures.
func DefaultOptions() Options {
	return Options{
		RPM: 60, MaxWait: 60 * time.Second,
		MaxRetries: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second,
		Timeout:          60 * time.Second,
		BreakerThreshold: 5, BreakerOpenTimeout: 60 * time.Second,
	}
}

// withDefaults fills zero fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	set := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	setInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setInt(&o.RPM, d.RPM)
	set(&o.MaxWait, d.MaxWait)
	setInt(&o.MaxRetries, d.MaxRetries)
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	set(&o.BaseDelay, d.BaseDelay)
	set(&o.MaxDelay, d.MaxDelay)
	set(&o.Timeout, d.Timeout)
	setInt(&o.BreakerThreshold, d.BreakerThreshold)
	set(&o.BreakerOpenTimeout, d.BreakerOpenTimeout)
	return o
}

// Resilient is a Provider whose every call goes through a resilience.Policy:
// retry with backoff around a circuit breaker around the provider's rate
// limiter (see resilience.Policy for the nesting). It is what FromEnv
// returns; build one per provider at start-up and share it, since the
// breaker state and the rate budget are per provider, not per call.
//
// Errors: an open breaker gives *UnavailableError; everything else gives
// *Error naming provider and model and wrapping the cause.
//
// Streaming: retries are safe only until the first token reaches onToken.
// Before it, a broken stream (connection reset, io.ErrUnexpectedEOF,
// timeout) is retried like any transient error and the user sees nothing
// twice. After it, the call fails at once with *StreamInterruptedError
// (inside *Error): retrying would print the answer again from its start.
// Such a failure counts as a success for the breaker (the classifier calls
// it not recoverable); the provider did answer.
type Resilient struct {
	p         Provider
	clock     resilience.Clock
	policy    *resilience.Policy
	threshold int
	hints     [3]string // key, model and base URL variables, for hints
}

// NewResilient wraps p with a policy built from opts.
func NewResilient(p Provider, opts Options) (*Resilient, error) {
	if p == nil {
		return nil, errors.New("new resilient provider: nil provider")
	}
	o := opts.withDefaults()
	pol, clock, err := o.policy(p.Name(), BreakerKey(p), 1)
	if err != nil {
		return nil, err
	}
	r := &Resilient{p: p, clock: clock, policy: pol, threshold: o.BreakerThreshold,
		hints: [3]string{EnvOpenAIKey, EnvOpenAIModel, EnvOpenAIBaseURL}}
	if p.Name() == ProviderAnthropic {
		r.hints = [3]string{EnvAnthropicKey, EnvAnthropicModel, EnvAnthropicBaseURL}
	}
	return r, nil
}

// policy builds the resilience policy of one provider's calls from o
// (withDefaults applied): name keys its rate limiter and metrics,
// breakerKey its breaker state, and burst is how many calls may go at
// once. It returns the clock the policy runs on.
func (o Options) policy(name, breakerKey string, burst int) (*resilience.Policy, resilience.Clock, error) {
	cls := o.Classifier
	if cls == nil {
		cls = resilience.NewClassifier()
	}
	registerErrors(cls)
	reg := o.Registry
	if reg == nil {
		var err error
		reg, err = resilience.NewRegistry(resilience.RateLimitConfig{RequestsPerMinute: o.RPM, MaxWait: o.MaxWait, Burst: burst}, o.Clock)
		if err != nil {
			return nil, nil, fmt.Errorf("rate limit for %s: %w", name, err)
		}
	}
	cfg := resilience.DefaultPolicyConfig()
	cfg.Retry.MaxRetries = o.MaxRetries
	cfg.Retry.BaseDelay = o.BaseDelay
	cfg.Retry.MaxDelay = o.MaxDelay
	cfg.Retry.MaxRetryAfter = o.MaxWait // honour a Retry-After as long as we would queue for a slot
	cfg.Retry.AttemptTimeout = o.Timeout
	cfg.Breaker.FailureThreshold = o.BreakerThreshold
	cfg.Breaker.OpenTimeout = o.BreakerOpenTimeout
	pol, err := resilience.NewPolicy(name, cfg, resilience.PolicyDeps{
		Clock: o.Clock, Classifier: cls, Limiter: reg.Get(name), Metrics: o.Metrics,
		BreakerStore: o.BreakerStore, BreakerKey: breakerKey, Observer: o.Observer,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("resilience policy for %s: %w", name, err)
	}
	clock := o.Clock
	if clock == nil {
		clock = resilience.RealClock()
	}
	return pol, clock, nil
}

// BreakerKey is the key of p's circuit breaker state: the provider and,
// when p says, its endpoint ("openai@http://localhost:11434/v1"), so that
// a local server being down does not open the breaker of the public API,
// nor one proxy's outage another's. The endpoint carries no query.
func BreakerKey(p Provider) string {
	if e, ok := p.(interface{ Endpoint() string }); ok && e.Endpoint() != "" {
		return p.Name() + "@" + e.Endpoint()
	}
	return p.Name()
}

// Name returns the wrapped provider's name.
func (r *Resilient) Name() string { return r.p.Name() }

// Model returns the wrapped provider's model.
func (r *Resilient) Model() string { return r.p.Model() }

// Provider returns the wrapped provider.
func (r *Resilient) Provider() Provider { return r.p }

// Policy returns the policy, e.g. for Policy().Breaker().State().
func (r *Resilient) Policy() *resilience.Policy { return r.policy }

// String describes the provider without its key.
func (r *Resilient) String() string {
	return fmt.Sprintf("%s %s (resilient)", r.p.Name(), r.p.Model())
}

// GoString is String, so %#v shows no internals.
func (r *Resilient) GoString() string { return "llm.Resilient(" + r.String() + ")" }

// Complete runs the wrapped provider's Complete through the policy. See
// Resilient for errors and streaming.
func (r *Resilient) Complete(ctx context.Context, req Request, onToken func(string)) (*Completion, error) {
	tokens := 0
	cb := onToken
	if onToken != nil {
		cb = func(s string) {
			tokens++
			onToken(s)
		}
	}
	out, err := resilience.Call(ctx, r.policy, func(ctx context.Context) (*Completion, error) {
		c, err := r.p.Complete(ctx, req, cb)
		if err == nil && c == nil {
			err = errors.New("provider returned no completion")
		}
		// Providers in this package do this themselves; a Provider from
		// elsewhere may not, and a retry after shown tokens repeats them.
		return c, interrupted(r.Name(), tokens, err)
	})
	if err == nil {
		return out, nil
	}
	var boe *resilience.BreakerOpenError
	if errors.As(err, &boe) {
		return nil, &UnavailableError{
			Provider: r.Name(), Failures: r.threshold, Until: boe.Until, Wait: boe.Until.Sub(r.clock.Now()),
			HalfOpen: errors.Is(boe.Err, gobreaker.ErrTooManyRequests), Err: err,
		}
	}
	return nil, &Error{Provider: r.Name(), Model: r.Model(), Err: err, Hint: hint(err, r.hints[0], r.hints[1], r.hints[2])}
}
