package resilience

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerConfig configures a Breaker. The defaults (DefaultBreakerConfig)
// are the production guide's: open after 5 consecutive failures, half-open
// after 60 s.
type BreakerConfig struct {
	// FailureThreshold is the number of consecutive failures that opens the
	// breaker.
	FailureThreshold int `yaml:"failure_threshold" json:"failure_threshold" mapstructure:"failure_threshold"`
	// OpenTimeout is how long the breaker stays open before letting one
	// trial request through (half-open).
	OpenTimeout time.Duration `yaml:"open_timeout" json:"open_timeout" mapstructure:"open_timeout"`
}

// DefaultBreakerConfig returns FailureThreshold 5, OpenTimeout 60s.
func DefaultBreakerConfig() BreakerConfig {
	return BreakerConfig{FailureThreshold: 5, OpenTimeout: 60 * time.Second}
}

// Validate reports the first invalid field.
func (c BreakerConfig) Validate() error {
	switch {
	case c.FailureThreshold < 1:
		return fmt.Errorf("breaker: failure_threshold %d must be at least 1", c.FailureThreshold)
	case c.OpenTimeout <= 0:
		return fmt.Errorf("breaker: open_timeout %s must be positive", c.OpenTimeout)
	}
	return nil
}

// BreakerState is the state of a Breaker.
type BreakerState int

const (
	// BreakerClosed lets every request through and counts failures.
	BreakerClosed BreakerState = iota
	// BreakerHalfOpen lets one trial request through: success closes the
	// breaker, failure opens it again.
	BreakerHalfOpen
	// BreakerOpen rejects every request without calling the provider.
	BreakerOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerHalfOpen:
		return "half-open"
	case BreakerOpen:
		return "open"
	}
	return fmt.Sprintf("BreakerState(%d)", int(s))
}

// BreakerOpenError is returned, without calling the provider, while the
// breaker is open (Err is gobreaker.ErrOpenState) or while it is half-open
// and its one trial request is still in flight (Err is
// gobreaker.ErrTooManyRequests). It is not recoverable: the retry loop stops
// instead of burning its attempts on a breaker that will stay open for
// longer than any backoff step.
type BreakerOpenError struct {
	Provider string
	// Until is when the breaker half-opens; for a rejected half-open request
	// it is when the breaker half-opened.
	Until time.Time
	Err   error
}

func (e *BreakerOpenError) Error() string {
	if errors.Is(e.Err, gobreaker.ErrTooManyRequests) {
		return fmt.Sprintf("%s: circuit breaker half-open with a trial request in flight: %v", e.Provider, e.Err)
	}
	return fmt.Sprintf("%s: circuit breaker open until %s: %v", e.Provider, e.Until.Format(time.RFC3339), e.Err)
}

func (e *BreakerOpenError) Unwrap() error { return e.Err }

// errExcluded tells gobreaker to count a request as neither success nor
// failure.
var errExcluded = errors.New("resilience: excluded from breaker counts")

// Breaker is a circuit breaker for one provider built on
// sony/gobreaker/v2. gobreaker owns the state machine: it counts
// consecutive failures, trips at FailureThreshold, admits one trial request
// when half-open, closes on its success and re-opens on its failure.
//
// What counts: an error the Classifier calls recoverable (5xx, 429,
// timeouts, network errors) is a failure. A non-recoverable error (400, 401,
// 404, validation) counts as a success: the provider answered, the request
// was wrong, and opening the breaker would block good requests too. The
// caller cancelling (context.Canceled), and errors from this package's own
// rate limiter, count as neither.
//
// Time: gobreaker reads time.Now and offers no way to inject a clock, so its
// own open timeout is set to 1 ns (it would half-open at once) and the
// Breaker holds the open state itself: when gobreaker reports a transition
// to open, the Breaker records Clock.Now()+OpenTimeout and rejects every
// request until the injected Clock passes that instant. Only then does a
// request reach gobreaker, which by then is half-open and admits it as the
// trial. This keeps the 60 s testable with a fake clock without
// re-implementing the state machine.
type Breaker struct {
	name  string
	cfg   BreakerConfig
	clock Clock
	cls   *Classifier
	cb    *gobreaker.TwoStepCircuitBreaker[struct{}]

	mu        sync.Mutex // guards openUntil; never held while calling gobreaker
	openUntil time.Time

	store BreakerStore // nil: state lives only in this process
	key   string       // the state's key in store
}

// NewBreaker returns a closed breaker for provider. A nil clock means the
// real clock; a nil classifier means NewClassifier().
func NewBreaker(provider string, cfg BreakerConfig, clock Clock, classifier *Classifier) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if classifier == nil {
		classifier = NewClassifier()
	}
	b := &Breaker{name: provider, cfg: cfg, clock: clockOr(clock), cls: classifier}
	threshold := uint32(cfg.FailureThreshold)
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        provider,
		MaxRequests: 1,
		Timeout:     time.Nanosecond, // see the type's doc: the Clock times the open state
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsExcluded:  func(err error) bool { return errors.Is(err, errExcluded) },
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				b.mu.Lock()
				b.openUntil = b.clock.Now().Add(cfg.OpenTimeout)
				b.mu.Unlock()
			}
		},
	})
	return b, nil
}

// Name returns the provider name.
func (b *Breaker) Name() string { return b.name }

// State returns the breaker's state as of the injected clock.
func (b *Breaker) State() BreakerState {
	s := b.cb.State()
	if s == gobreaker.StateClosed {
		return BreakerClosed
	}
	if _, open := b.heldOpen(); open {
		return BreakerOpen
	}
	return BreakerHalfOpen
}

// heldOpen reports whether the injected clock is still inside the open
// period, and when that period ends.
func (b *Breaker) heldOpen() (time.Time, bool) {
	b.mu.Lock()
	until := b.openUntil
	b.mu.Unlock()
	return until, b.clock.Now().Before(until)
}

// Execute runs fn if the breaker lets it through and records the outcome.
// When the breaker is open it returns *BreakerOpenError without calling fn.
// Otherwise it returns fn's error unchanged.
func (b *Breaker) Execute(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	// clean: the shared state said no failures before the call, so a
	// success has nothing to reset and need not be written (a lock, a
	// read, a temporary file and a rename on every successful request,
	// 1-3 ms of each aur process that embeds its question).
	clean := false
	if b.store != nil {
		// Another process may have opened (or closed) the breaker since.
		if s, err := b.store.Load(b.key); err == nil {
			b.follow(s)
			clean = s.ConsecutiveFailures == 0 && s.OpenUntil.IsZero()
		}
	}
	if until, open := b.heldOpen(); open {
		return &BreakerOpenError{Provider: b.name, Until: until, Err: gobreaker.ErrOpenState}
	}
	done, err := b.cb.Allow()
	if err != nil {
		until, _ := b.heldOpen()
		return &BreakerOpenError{Provider: b.name, Until: until, Err: err}
	}
	// Another caller may have tripped the breaker between the check above and
	// Allow; gobreaker would then already count as half-open in real time.
	if until, open := b.heldOpen(); open {
		done(errExcluded)
		return &BreakerOpenError{Provider: b.name, Until: until, Err: gobreaker.ErrOpenState}
	}

	defer func() {
		if p := recover(); p != nil {
			done(fmt.Errorf("panic: %v", p))
			panic(p)
		}
	}()
	err = fn(ctx)
	v := b.verdict(ctx, err)
	done(v)
	if b.store != nil && !errors.Is(v, errExcluded) && !(v == nil && clean) {
		// A success over a clean state is not written: as if it happened
		// just before any failure another process records meanwhile.
		b.record(v != nil)
	}
	return err
}

// verdict maps fn's error to what gobreaker should count: nil for success,
// errExcluded for neither, the error for a failure.
func (b *Breaker) verdict(ctx context.Context, err error) error {
	var rl *RateLimitExceededError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(ctx.Err(), context.Canceled), errors.As(err, &rl):
		return errExcluded
	case b.cls.IsRecoverable(err):
		return err
	}
	return nil
}
