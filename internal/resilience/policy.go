package resilience

import (
	"context"
	"errors"
	"time"
)

// PolicyConfig configures the retry and breaker layers of a Policy. Rate
// limits live in the Registry, because a provider's budget is shared by
// every caller.
type PolicyConfig struct {
	Retry   RetryConfig   `yaml:"retry" json:"retry" mapstructure:"retry"`
	Breaker BreakerConfig `yaml:"breaker" json:"breaker" mapstructure:"breaker"`
}

// DefaultPolicyConfig returns DefaultRetryConfig and DefaultBreakerConfig.
func DefaultPolicyConfig() PolicyConfig {
	return PolicyConfig{Retry: DefaultRetryConfig(), Breaker: DefaultBreakerConfig()}
}

// PolicyDeps are the collaborators of a Policy. Every field is optional.
type PolicyDeps struct {
	Clock      Clock        // nil: the real clock
	Classifier *Classifier  // nil: NewClassifier()
	Limiter    *RateLimiter // nil: no rate limit; usually Registry.Get(provider)
	Metrics    *Collector   // nil: no metrics
	// BreakerStore, if set, keeps the breaker's state across processes,
	// under BreakerKey (default: the provider name). Callers that talk to
	// one provider at several endpoints key by both, so that a local
	// server being down does not open the breaker of the public API.
	BreakerStore BreakerStore
	BreakerKey   string
	// Observer hears of every attempt, retry, rate-limit wait and the
	// breaker's state, for metrics; nil means nobody.
	Observer Observer
}

// Observer hears what a Policy does, for metrics (Prometheus counters in
// internal/metrics). Calls come from the caller's goroutine and must not
// block.
type Observer interface {
	// Attempt is one request to the provider, or one refused by the open
	// breaker: outcome is "ok" or an ErrorType label (http_429,
	// timeout, breaker_open, ...).
	Attempt(provider, outcome string)
	// Retry is an attempt after the first of a call.
	Retry(provider string)
	// RateLimitWait is a wait for a rate-limit slot that took d.
	RateLimitWait(provider string, d time.Duration)
	// BreakerState is the breaker's state after a call (and at start).
	BreakerState(provider string, s BreakerState)
}

// Policy makes one provider call resilient. Build one per provider at
// start-up and share it: the breaker state and the rate budget are per
// provider, not per call.
//
// Nesting, outermost first:
//
//	circuit breaker
//	  └─ retry loop
//	       └─ each attempt: rate limiter ─ provider call
//
// The breaker counts calls, not attempts: a call fails only when its
// retries are exhausted, so five consecutive failures mean the provider is
// really down, not that five transient faults happened in a row (which at a
// 30% fault rate happens about once every 600 attempts, and would refuse
// calls that retries would have saved). An open breaker fails at once,
// before any retry or rate-limit wait. Every attempt is a request the
// provider sees, so every attempt takes a rate-limit slot: retries cannot
// burst past the provider's limit. An exhausted rate-limit wait is not
// recoverable, so it ends the retry loop at once.
//
// Metrics: each Do records one query (latency from start to final outcome,
// retries and waits included, and whether it finally succeeded) and one
// error per failed attempt, labelled by ErrorType, so transient errors that
// retries hid still show in ErrorsByType. A call the caller cancelled
// records no query (an attempt it interrupted still records "canceled"): the
// user leaving says nothing about the provider. A call that ran past the
// caller's deadline does count as a failed query.
type Policy struct {
	provider string
	clock    Clock
	retrier  *Retrier
	breaker  *Breaker
	limiter  *RateLimiter
	metrics  *Collector
	obs      Observer
}

// NewPolicy returns the policy for provider.
func NewPolicy(provider string, cfg PolicyConfig, deps PolicyDeps) (*Policy, error) {
	clock := clockOr(deps.Clock)
	cls := deps.Classifier
	if cls == nil {
		cls = NewClassifier()
	}
	r, err := NewRetrier(cfg.Retry, clock, cls)
	if err != nil {
		return nil, err
	}
	b, err := NewBreaker(provider, cfg.Breaker, clock, cls)
	if err != nil {
		return nil, err
	}
	if deps.BreakerStore != nil {
		_ = b.Persist(deps.BreakerStore, deps.BreakerKey) // an unreadable state file starts closed
	}
	p := &Policy{provider: provider, clock: clock, retrier: r, breaker: b, limiter: deps.Limiter, metrics: deps.Metrics, obs: deps.Observer}
	if p.obs != nil {
		p.obs.BreakerState(provider, b.State())
	}
	return p, nil
}

// Provider returns the provider name.
func (p *Policy) Provider() string { return p.provider }

// Breaker returns the policy's circuit breaker, e.g. for its State.
func (p *Policy) Breaker() *Breaker { return p.breaker }

// Do runs fn through the retry loop, the breaker and the rate limiter. Its
// errors are those of Retrier.Do; an open breaker surfaces as
// *BreakerOpenError and a rate-limit wait beyond MaxWait as
// *RateLimitExceededError.
func (p *Policy) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	start := p.clock.Now()
	attempts := 0
	err := p.breaker.Execute(ctx, func(ctx context.Context) error {
		return p.retrier.Do(ctx, func(ctx context.Context) error {
			attempts++
			if attempts > 1 && p.obs != nil {
				p.obs.Retry(p.provider)
			}
			if p.limiter != nil {
				wstart := p.clock.Now()
				err := p.limiter.Wait(ctx)
				if w := p.clock.Now().Sub(wstart); p.obs != nil && w >= time.Millisecond {
					p.obs.RateLimitWait(p.provider, w)
				}
				if err != nil {
					if p.obs != nil {
						p.obs.Attempt(p.provider, ErrorType(err))
					}
					return err
				}
			}
			err := fn(ctx)
			if err != nil && p.metrics != nil {
				p.metrics.RecordError(ErrorType(err))
			}
			if p.obs != nil {
				outcome := "ok"
				if err != nil {
					outcome = ErrorType(err)
				}
				p.obs.Attempt(p.provider, outcome)
			}
			return err
		})
	})
	if err != nil && isBreakerOpen(err) {
		if p.metrics != nil {
			p.metrics.RecordError(ErrorType(err))
		}
		if p.obs != nil {
			p.obs.Attempt(p.provider, ErrorType(err))
		}
	}
	if p.obs != nil {
		p.obs.BreakerState(p.provider, p.breaker.State())
	}
	if p.metrics != nil && !errors.Is(ctx.Err(), context.Canceled) {
		p.metrics.RecordQuery(p.clock.Now().Sub(start), err == nil)
	}
	return err
}

// Call is Policy.Do for functions that return a value.
func Call[T any](ctx context.Context, p *Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := p.Do(ctx, func(ctx context.Context) error {
		v, err := fn(ctx)
		if err == nil {
			out = v
		}
		return err
	})
	return out, err
}

func isBreakerOpen(err error) bool {
	var b *BreakerOpenError
	return errors.As(err, &b)
}
