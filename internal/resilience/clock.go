package resilience

import (
	"context"
	"time"
)

// Clock is the only source of time in this package. Retry, rate limiting and
// the circuit breaker read and wait on a Clock so tests can drive them with a
// fake clock (see package clocktest) and never sleep.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep blocks for d or until ctx ends, whichever comes first. It
	// returns ctx.Err() if ctx ended first and nil otherwise. A d <= 0
	// returns at once (with ctx.Err() if ctx has already ended).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock returns the Clock backed by the runtime's wall clock and timers.
func RealClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// clockOr returns c, or the real clock when c is nil.
func clockOr(c Clock) Clock {
	if c == nil {
		return RealClock()
	}
	return c
}
