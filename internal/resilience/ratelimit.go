package resilience

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimitConfig configures a RateLimiter. The defaults
// (DefaultRateLimitConfig) are the production guide's: 60 requests per
// minute, wait at most 60 s for a slot, no bursting.
type RateLimitConfig struct {
	// RequestsPerMinute is the provider's limit. No 60-second window ever
	// holds more permitted requests than this.
	RequestsPerMinute int `yaml:"requests_per_minute" json:"requests_per_minute" mapstructure:"requests_per_minute"`
	// MaxWait is the longest Wait blocks; a request whose slot is further
	// away fails at once with *RateLimitExceededError. 0 means never wait.
	MaxWait time.Duration `yaml:"max_wait" json:"max_wait" mapstructure:"max_wait"`
	// Burst is how many requests may go back to back after a quiet spell
	// (1 to RequestsPerMinute). See RateLimiter for what it costs.
	Burst int `yaml:"burst" json:"burst" mapstructure:"burst"`
}

// DefaultRateLimitConfig returns 60 requests per minute, MaxWait 60s,
// Burst 1.
func DefaultRateLimitConfig() RateLimitConfig {
	return RateLimitConfig{RequestsPerMinute: 60, MaxWait: 60 * time.Second, Burst: 1}
}

// Validate reports the first invalid field.
func (c RateLimitConfig) Validate() error {
	switch {
	case c.RequestsPerMinute <= 0:
		return fmt.Errorf("rate limit: requests_per_minute %d must be positive", c.RequestsPerMinute)
	case c.MaxWait < 0:
		return fmt.Errorf("rate limit: max_wait %s is negative", c.MaxWait)
	case c.Burst < 1 || c.Burst > c.RequestsPerMinute:
		return fmt.Errorf("rate limit: burst %d is outside [1, requests_per_minute=%d]", c.Burst, c.RequestsPerMinute)
	}
	return nil
}

// RateLimitExceededError is returned by Wait when the next free slot is
// further away than MaxWait. No slot is held: the request was not counted.
type RateLimitExceededError struct {
	Provider string        // the limiter's name; may be empty
	Wait     time.Duration // how long the request would have had to wait
	MaxWait  time.Duration
	RPM      int
}

func (e *RateLimitExceededError) Error() string {
	who := "rate limit"
	if e.Provider != "" {
		who = fmt.Sprintf("rate limit for %q", e.Provider)
	}
	return fmt.Sprintf("%s (%d requests/minute) exceeded: next slot in %s, more than the %s max wait",
		who, e.RPM, e.Wait.Round(time.Millisecond), e.MaxWait)
}

// RateLimiter keeps calls to one provider under its requests-per-minute
// limit. It wraps a golang.org/x/time/rate token bucket and feeds it the
// injected Clock's time (ReserveN, TokensAt), so it never reads the wall
// clock itself.
//
// Guarantee: no half-open 60-second window [t, t+60s) holds more than
// RequestsPerMinute permitted requests. A token bucket of size b refilled
// at r tokens/s admits at most b + r*60 - 1 requests in such a window when
// r*60 is a whole number, so the refill interval is 60s/(RPM - b + 1),
// rounded up to the nanosecond plus 1 ns so that float rounding inside
// x/time/rate can never let a request in early. With the default Burst 1
// that is exactly 60s/RPM: requests are spaced evenly and the full RPM is
// usable. A larger Burst lets b requests go at once after a quiet spell
// but lowers the sustained rate to RPM - b + 1 per minute; that is the price
// of keeping the window guarantee, which is what providers enforce.
type RateLimiter struct {
	name  string
	cfg   RateLimitConfig
	clock Clock
	lim   *rate.Limiter
}

// NewRateLimiter returns a limiter for cfg named name (the provider; used
// in errors). A nil clock means the real clock.
func NewRateLimiter(name string, cfg RateLimitConfig, clock Clock) (*RateLimiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newRateLimiter(name, cfg, clockOr(clock)), nil
}

// newRateLimiter builds a limiter from a validated cfg.
func newRateLimiter(name string, cfg RateLimitConfig, clock Clock) *RateLimiter {
	perMinute := int64(cfg.RequestsPerMinute - cfg.Burst + 1)
	interval := time.Duration((int64(time.Minute)+perMinute-1)/perMinute) + 1
	return &RateLimiter{
		name:  name,
		cfg:   cfg,
		clock: clock,
		lim:   rate.NewLimiter(rate.Every(interval), cfg.Burst),
	}
}

// Config returns the limiter's configuration.
func (l *RateLimiter) Config() RateLimitConfig { return l.cfg }

// Wait blocks until the request may go. It fails at once with
// *RateLimitExceededError when that is more than MaxWait away, and with
// ctx.Err() if ctx ends while waiting; in both cases the slot is given back.
func (l *RateLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := l.clock.Now()
	r := l.lim.ReserveN(now, 1)
	if !r.OK() { // cannot happen with n = 1 <= burst; kept for safety
		return &RateLimitExceededError{Provider: l.name, Wait: rate.InfDuration, MaxWait: l.cfg.MaxWait, RPM: l.cfg.RequestsPerMinute}
	}
	delay := r.DelayFrom(now)
	if delay == 0 {
		return nil
	}
	if delay > l.cfg.MaxWait {
		r.CancelAt(now)
		return &RateLimitExceededError{Provider: l.name, Wait: delay, MaxWait: l.cfg.MaxWait, RPM: l.cfg.RequestsPerMinute}
	}
	if err := l.clock.Sleep(ctx, delay); err != nil {
		r.CancelAt(l.clock.Now())
		return err
	}
	return nil
}

// Allow takes a slot if one is free now and reports whether it did. It
// never blocks.
func (l *RateLimiter) Allow() bool {
	return l.lim.AllowN(l.clock.Now(), 1)
}

// WouldLimit reports whether a request made now would have to wait. It
// takes nothing, so a caller can fall back (e.g. to a cached answer)
// instead of queueing.
func (l *RateLimiter) WouldLimit() bool {
	return l.lim.TokensAt(l.clock.Now()) < 1
}

// Do waits for a slot (see Wait) and then runs fn.
func (l *RateLimiter) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := l.Wait(ctx); err != nil {
		return err
	}
	return fn(ctx)
}

// Registry holds one RateLimiter per provider, so every call to a provider
// shares that provider's budget whichever code path makes it. Limiters are
// created on first use from the provider's configuration (Configure) or the
// registry's default. It is safe for concurrent use.
type Registry struct {
	clock Clock
	def   RateLimitConfig

	mu       sync.Mutex
	limiters map[string]*RateLimiter
}

// NewRegistry returns a registry whose providers default to def. A nil
// clock means the real clock.
func NewRegistry(def RateLimitConfig, clock Clock) (*Registry, error) {
	if err := def.Validate(); err != nil {
		return nil, err
	}
	return &Registry{
		clock:    clockOr(clock),
		def:      def,
		limiters: map[string]*RateLimiter{},
	}, nil
}

// Configure sets the limit for provider, e.g. 50 RPM for one provider and
// 3500 for another. It replaces any limiter already made for provider, so
// configure providers at start-up, before handing limiters out.
func (g *Registry) Configure(provider string, cfg RateLimitConfig) error {
	l, err := NewRateLimiter(provider, cfg, g.clock)
	if err != nil {
		return fmt.Errorf("configure %q: %w", provider, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limiters[provider] = l
	return nil
}

// Get returns provider's limiter, creating it from the default
// configuration on first use.
func (g *Registry) Get(provider string) *RateLimiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	if l, ok := g.limiters[provider]; ok {
		return l
	}
	l := newRateLimiter(provider, g.def, g.clock)
	g.limiters[provider] = l
	return l
}
