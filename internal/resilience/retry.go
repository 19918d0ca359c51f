package resilience

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryConfig configures a Retrier. The defaults (DefaultRetryConfig) are the
// production guide's: 3 retries after the first attempt, waits of 100, 200
// and 400 ms, never more than 5 s.
type RetryConfig struct {
	// MaxRetries is the number of retries after the first attempt, so a call
	// makes at most MaxRetries+1 attempts.
	MaxRetries int `yaml:"max_retries" json:"max_retries" mapstructure:"max_retries"`
	// BaseDelay is the wait before the first retry.
	BaseDelay time.Duration `yaml:"base_delay" json:"base_delay" mapstructure:"base_delay"`
	// MaxDelay caps every backoff wait (jitter included).
	MaxDelay time.Duration `yaml:"max_delay" json:"max_delay" mapstructure:"max_delay"`
	// Multiplier grows the wait after each retry: BaseDelay * Multiplier^(n-1).
	Multiplier float64 `yaml:"multiplier" json:"multiplier" mapstructure:"multiplier"`
	// Jitter spreads each wait uniformly over ±Jitter of its nominal value
	// (0.1 = ±10%) so that clients that failed together do not retry
	// together. 0 disables it; it must be below 1.
	Jitter float64 `yaml:"jitter" json:"jitter" mapstructure:"jitter"`
	// MaxRetryAfter is the longest Retry-After the loop will honour. A
	// provider asking for a longer pause ends the retries at once with a
	// *RetryError whose Last error carries the RetryAfter, so the caller can
	// tell the user when to come back instead of hanging. 0 means MaxDelay.
	MaxRetryAfter time.Duration `yaml:"max_retry_after" json:"max_retry_after" mapstructure:"max_retry_after"`
	// AttemptTimeout bounds each attempt; 0 means no per-attempt bound. An
	// attempt that runs out of time is retried; the caller's own context
	// ending is not. It is a real context deadline, not a Clock timer,
	// because it has to reach net/http.
	AttemptTimeout time.Duration `yaml:"attempt_timeout" json:"attempt_timeout" mapstructure:"attempt_timeout"`
}

// DefaultRetryConfig returns the production defaults: MaxRetries 3,
// BaseDelay 100ms, MaxDelay 5s, Multiplier 2, Jitter ±10%, MaxRetryAfter 60s
// (the rate limiter's default max wait), no per-attempt timeout.
func DefaultRetryConfig() RetryConfig {
	return RetryConfig{
		MaxRetries:    3,
		BaseDelay:     100 * time.Millisecond,
		MaxDelay:      5 * time.Second,
		Multiplier:    2.0,
		Jitter:        0.1,
		MaxRetryAfter: 60 * time.Second,
	}
}

// Validate reports the first invalid field.
func (c RetryConfig) Validate() error {
	switch {
	case c.MaxRetries < 0:
		return fmt.Errorf("retry: max_retries %d is negative", c.MaxRetries)
	case c.BaseDelay <= 0:
		return fmt.Errorf("retry: base_delay %s must be positive", c.BaseDelay)
	case c.MaxDelay < c.BaseDelay:
		return fmt.Errorf("retry: max_delay %s is below base_delay %s", c.MaxDelay, c.BaseDelay)
	case c.Multiplier < 1:
		return fmt.Errorf("retry: multiplier %g is below 1", c.Multiplier)
	case c.Jitter < 0 || c.Jitter >= 1:
		return fmt.Errorf("retry: jitter %g is outside [0, 1)", c.Jitter)
	case c.MaxRetryAfter < 0:
		return fmt.Errorf("retry: max_retry_after %s is negative", c.MaxRetryAfter)
	case c.AttemptTimeout < 0:
		return fmt.Errorf("retry: attempt_timeout %s is negative", c.AttemptTimeout)
	}
	return nil
}

// RetryError is returned when a call still fails after its last attempt, or
// when the provider asks for a pause longer than MaxRetryAfter. It unwraps
// to the last attempt's error.
type RetryError struct {
	Attempts int
	Last     error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("give up after %d attempts: %v", e.Attempts, e.Last)
}

func (e *RetryError) Unwrap() error { return e.Last }

// Retrier runs a function again after recoverable errors, waiting an
// exponentially growing delay between attempts.
//
// The delays come from backoff.ExponentialBackOff (InitialInterval =
// BaseDelay, Multiplier, MaxInterval = MaxDelay, RandomizationFactor =
// Jitter). The loop is ours rather than backoff.Retry because backoff.Retry
// waits on the runtime timer and reads time.Now, so it cannot run on an
// injected Clock, and because it retries every error that is not wrapped in
// backoff.Permanent, the opposite of our default.
//
// Outcomes of Do:
//   - nil on the first success;
//   - the error itself, after exactly one attempt, when it is not
//     recoverable (see Classifier);
//   - ctx.Err() as soon as the caller's context ends, during an attempt or
//     a wait;
//   - *RetryError{Attempts, Last} when attempts run out.
//
// Retry-After: the wait is max(backoff delay, RetryAfter). Backoff delays are
// capped by MaxDelay; a Retry-After above MaxRetryAfter ends the loop (see
// RetryConfig.MaxRetryAfter), because retrying before the provider said to
// would only earn another 429.
type Retrier struct {
	cfg        RetryConfig
	clock      Clock
	classifier *Classifier
}

// NewRetrier returns a Retrier for cfg. A nil clock means the real clock; a
// nil classifier means NewClassifier().
func NewRetrier(cfg RetryConfig, clock Clock, classifier *Classifier) (*Retrier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if classifier == nil {
		classifier = NewClassifier()
	}
	return &Retrier{cfg: cfg, clock: clockOr(clock), classifier: classifier}, nil
}

// Do calls fn until it succeeds, fails with an error that is not
// recoverable, runs out of attempts, or ctx ends. fn receives a context
// bounded by AttemptTimeout when that is set.
func (r *Retrier) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     r.cfg.BaseDelay,
		RandomizationFactor: r.cfg.Jitter,
		Multiplier:          r.cfg.Multiplier,
		MaxInterval:         r.cfg.MaxDelay,
	}
	b.Reset()
	maxRetryAfter := r.cfg.MaxRetryAfter
	if maxRetryAfter == 0 {
		maxRetryAfter = r.cfg.MaxDelay
	}

	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := r.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr // the caller stopped waiting: report that, not fn's error
		}
		if !r.classifier.IsRecoverable(err) {
			return err
		}
		if attempt > r.cfg.MaxRetries {
			return &RetryError{Attempts: attempt, Last: err}
		}
		delay := min(b.NextBackOff(), r.cfg.MaxDelay)
		if ra := retryAfter(err); ra > 0 {
			if ra > maxRetryAfter {
				return &RetryError{Attempts: attempt, Last: err}
			}
			delay = max(delay, ra)
		}
		if err := r.clock.Sleep(ctx, delay); err != nil {
			return err
		}
	}
}

func (r *Retrier) attempt(ctx context.Context, fn func(ctx context.Context) error) error {
	if r.cfg.AttemptTimeout <= 0 {
		return fn(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, r.cfg.AttemptTimeout)
	defer cancel()
	return fn(actx)
}

// Retry is Do for functions that return a value.
func Retry[T any](ctx context.Context, r *Retrier, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := r.Do(ctx, func(ctx context.Context) error {
		v, err := fn(ctx)
		if err == nil {
			out = v
		}
		return err
	})
	return out, err
}
