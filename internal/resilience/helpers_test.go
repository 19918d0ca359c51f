package resilience

import (
	"context"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// t0 is the start of simulated time in every test.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// ms is shorthand for a number of milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// noJitter is DefaultRetryConfig with jitter off, so delays are exact.
func noJitter() RetryConfig {
	cfg := DefaultRetryConfig()
	cfg.Jitter = 0
	return cfg
}

func newRetrier(t *testing.T, cfg RetryConfig, clock Clock, cls *Classifier) *Retrier {
	t.Helper()
	r, err := NewRetrier(cfg, clock, cls)
	if err != nil {
		t.Fatalf("NewRetrier: %v", err)
	}
	return r
}

// waitDone fails the test if done is not closed within a generous real-time
// bound. It never sleeps when done closes promptly.
func waitDone(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s did not finish", what)
	}
}

// blockUntilSleepers waits (in real time, bounded) until n goroutines sleep
// on the manual clock.
func blockUntilSleepers(t *testing.T, fc *clocktest.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fc.BlockUntilSleepers(ctx, n); err != nil {
		t.Fatalf("waiting for %d sleepers: %v", n, err)
	}
}
