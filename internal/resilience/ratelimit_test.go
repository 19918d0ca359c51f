package resilience

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

func newLimiter(t *testing.T, cfg RateLimitConfig, clock Clock) *RateLimiter {
	t.Helper()
	l, err := NewRateLimiter("openai", cfg, clock)
	if err != nil {
		t.Fatalf("NewRateLimiter: %v", err)
	}
	return l
}

// maxInWindow returns the largest number of times (ascending) inside any
// half-open window [t, t+w). The maximum is reached by a window starting at
// one of the times.
func maxInWindow(times []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range times {
		for j < len(times) && times[j].Before(times[i].Add(w)) {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// TestRateLimiterSlidingWindow drives 10,000 attempts at about twenty times
// the allowed rate through simulated time, mostly blocking Wait (which
// returns at exactly the nanosecond its slot opens, the hardest case for
// the bound) and some non-blocking Allow, with rare quiet spells that
// refill the bucket. No 60-second window may hold more than RPM permitted
// requests, and the busiest window should hold exactly RPM: the limiter is
// not stricter than it needs to be.
func TestRateLimiterSlidingWindow(t *testing.T) {
	tests := []struct{ rpm, burst int }{
		{60, 1}, {50, 1}, {7, 1}, {1, 1}, {3500, 1}, {60, 10}, {50, 50},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("rpm=%d/burst=%d", tt.rpm, tt.burst), func(t *testing.T) {
			const attempts = 10_000
			fc := clocktest.New(t0)
			interval := time.Minute / time.Duration(tt.rpm)
			l := newLimiter(t, RateLimitConfig{RequestsPerMinute: tt.rpm, MaxWait: time.Minute, Burst: tt.burst}, fc)
			rng := rand.New(rand.NewPCG(uint64(tt.rpm), uint64(tt.burst)))
			ctx := context.Background()

			var permitted []time.Time
			for range attempts {
				gap := time.Duration(rng.ExpFloat64() * float64(interval) / 20)
				if rng.IntN(2000) == 0 {
					gap += time.Duration(rng.IntN(120)) * time.Second
				}
				fc.Advance(gap)
				if rng.IntN(10) == 0 {
					if l.Allow() {
						permitted = append(permitted, fc.Now())
					}
					continue
				}
				if err := l.Wait(ctx); err != nil {
					t.Fatalf("Wait: %v", err)
				}
				permitted = append(permitted, fc.Now())
			}

			got := maxInWindow(permitted, time.Minute)
			span := permitted[len(permitted)-1].Sub(permitted[0])
			t.Logf("%d permitted over %s, busiest 60s window %d (limit %d)",
				len(permitted), span.Round(time.Second), got, tt.rpm)
			if got > tt.rpm {
				t.Fatalf("a 60s window holds %d permitted requests, limit %d", got, tt.rpm)
			}
			if got != tt.rpm {
				t.Errorf("busiest window holds %d, want exactly %d under saturating demand", got, tt.rpm)
			}
		})
	}
}

func TestRateLimiterMaxWait(t *testing.T) {
	fc := clocktest.New(t0)
	l := newLimiter(t, RateLimitConfig{RequestsPerMinute: 1, MaxWait: 30 * time.Second, Burst: 1}, fc)
	ctx := context.Background()
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	err := l.Wait(ctx) // the next slot is 60s away, more than 30s
	var rl *RateLimitExceededError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *RateLimitExceededError", err)
	}
	if rl.Provider != "openai" || rl.MaxWait != 30*time.Second || rl.Wait < 59*time.Second || rl.Wait > 61*time.Second {
		t.Errorf("error = %+v", rl)
	}
	for _, want := range []string{`"openai"`, "1 requests/minute", "exceeded", "max wait"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if len(fc.Sleeps()) != 0 {
		t.Errorf("waited %v before failing", fc.Sleeps())
	}
	// The failed request gave its slot back: after 60s one request goes at
	// once (had it kept the slot, the next would wait until 120s).
	fc.Advance(time.Minute + time.Millisecond)
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("Wait after a minute: %v", err)
	}
	if len(fc.Sleeps()) != 0 {
		t.Errorf("Wait after a minute slept %v; the rejected request kept its slot", fc.Sleeps())
	}

	zero := newLimiter(t, RateLimitConfig{RequestsPerMinute: 60, MaxWait: 0, Burst: 1}, clocktest.New(t0))
	_ = zero.Wait(ctx)
	if err := zero.Wait(ctx); !errors.As(err, &rl) {
		t.Errorf("MaxWait 0: err = %v, want *RateLimitExceededError", err)
	}
}

func TestRateLimiterWaitsWithinMaxWait(t *testing.T) {
	fc := clocktest.New(t0)
	l := newLimiter(t, DefaultRateLimitConfig(), fc)
	ctx := context.Background()
	for range 3 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// 60 RPM, burst 1: one request a second, the first at once.
	sleeps := fc.Sleeps()
	if len(sleeps) != 2 {
		t.Fatalf("sleeps = %v, want 2", sleeps)
	}
	for _, d := range sleeps {
		if d < time.Second || d > time.Second+10 {
			t.Errorf("slept %s, want 1s (+ a few ns of rounding margin)", d)
		}
	}
}

func TestRateLimiterWouldLimit(t *testing.T) {
	fc := clocktest.New(t0)
	l := newLimiter(t, DefaultRateLimitConfig(), fc)
	if l.WouldLimit() {
		t.Fatal("fresh limiter would limit")
	}
	for range 100 { // checking takes nothing
		l.WouldLimit()
	}
	if !l.Allow() {
		t.Fatal("Allow on a fresh limiter = false")
	}
	if !l.WouldLimit() {
		t.Error("WouldLimit = false right after using the only slot")
	}
	if l.Allow() {
		t.Error("second Allow in the same instant = true")
	}
	fc.Advance(500 * time.Millisecond)
	if !l.WouldLimit() {
		t.Error("WouldLimit = false half a second later at 60 RPM")
	}
	fc.Advance(501 * time.Millisecond)
	if l.WouldLimit() {
		t.Error("WouldLimit = true a second later at 60 RPM")
	}
}

func TestRateLimiterWaitCancel(t *testing.T) {
	fc := clocktest.NewManual(t0)
	l := newLimiter(t, DefaultRateLimitConfig(), fc)
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = l.Wait(ctx)
	}()
	blockUntilSleepers(t, fc, 1)
	cancel()
	waitDone(t, done, "Wait after cancel")
	if err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// The cancelled waiter's slot is free again: one request at 1s, not 2s.
	fc.Advance(time.Second + time.Millisecond)
	if !l.Allow() {
		t.Error("slot of the cancelled waiter was not returned")
	}
}

func TestRateLimiterDo(t *testing.T) {
	fc := clocktest.New(t0)
	l := newLimiter(t, RateLimitConfig{RequestsPerMinute: 1, MaxWait: time.Second, Burst: 1}, fc)
	var calls int
	fn := func(context.Context) error { calls++; return nil }
	if err := l.Do(context.Background(), fn); err != nil || calls != 1 {
		t.Fatalf("Do = %v, calls %d", err, calls)
	}
	var rl *RateLimitExceededError
	if err := l.Do(context.Background(), fn); !errors.As(err, &rl) || calls != 1 {
		t.Errorf("Do over the limit = %v, calls %d; want *RateLimitExceededError and fn not called", err, calls)
	}
}

func TestRegistry(t *testing.T) {
	fc := clocktest.New(t0)
	reg, err := NewRegistry(DefaultRateLimitConfig(), fc)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Configure("anthropic", RateLimitConfig{RequestsPerMinute: 50, MaxWait: time.Minute, Burst: 1}); err != nil {
		t.Fatal(err)
	}
	a, b := reg.Get("openai"), reg.Get("anthropic")
	if reg.Get("openai") != a {
		t.Error("Get returned a new limiter for the same provider")
	}
	if a == b {
		t.Error("two providers share a limiter")
	}
	if got := b.Config().RequestsPerMinute; got != 50 {
		t.Errorf("anthropic RPM = %d, want 50", got)
	}
	if got := a.Config().RequestsPerMinute; got != 60 {
		t.Errorf("openai RPM = %d, want default 60", got)
	}
	// Budgets are independent.
	if !a.Allow() || a.Allow() {
		t.Fatal("openai: want one slot then none")
	}
	if !b.Allow() {
		t.Error("anthropic limited by openai's use")
	}
	if err := reg.Configure("x", RateLimitConfig{RequestsPerMinute: 0}); err == nil {
		t.Error("Configure accepted RPM 0")
	}
	if _, err := NewRegistry(RateLimitConfig{RequestsPerMinute: -1}, fc); err == nil {
		t.Error("NewRegistry accepted an invalid default")
	}
}

func TestRateLimitConfigValidate(t *testing.T) {
	if err := DefaultRateLimitConfig().Validate(); err != nil {
		t.Fatalf("default invalid: %v", err)
	}
	for _, cfg := range []RateLimitConfig{
		{RequestsPerMinute: 0, MaxWait: time.Second, Burst: 1},
		{RequestsPerMinute: 60, MaxWait: -time.Second, Burst: 1},
		{RequestsPerMinute: 60, MaxWait: time.Second, Burst: 0},
		{RequestsPerMinute: 5, MaxWait: time.Second, Burst: 6},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate accepted %+v", cfg)
		}
	}
}
