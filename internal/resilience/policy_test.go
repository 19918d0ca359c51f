package resilience

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

type policyFixture struct {
	clock   *clocktest.Fake
	metrics *Collector
	policy  *Policy
}

func newPolicy(t *testing.T, cfg PolicyConfig, rl RateLimitConfig) policyFixture {
	t.Helper()
	fc := clocktest.New(t0)
	reg, err := NewRegistry(rl, fc)
	if err != nil {
		t.Fatal(err)
	}
	m := NewCollector(0)
	p, err := NewPolicy("openai", cfg, PolicyDeps{Clock: fc, Limiter: reg.Get("openai"), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	return policyFixture{clock: fc, metrics: m, policy: p}
}

func policyNoJitter() PolicyConfig {
	cfg := DefaultPolicyConfig()
	cfg.Retry.Jitter = 0
	return cfg
}

func TestPolicyEachAttemptTakesARateLimitSlot(t *testing.T) {
	f := newPolicy(t, policyNoJitter(), DefaultRateLimitConfig()) // 60 RPM: one slot a second
	var calls int
	got, err := Call(context.Background(), f.policy, func(context.Context) (string, error) {
		calls++
		if calls < 3 {
			return "", &HTTPError{StatusCode: 503}
		}
		return "answer", nil
	})
	if err != nil || got != "answer" || calls != 3 {
		t.Fatalf("Call = %q, %v after %d calls", got, err, calls)
	}
	// t=0 attempt 1; backoff 100ms; limiter holds attempt 2 until t=1s;
	// backoff 200ms; limiter holds attempt 3 until t=2s.
	elapsed := f.clock.Now().Sub(t0)
	if elapsed < 2*time.Second || elapsed > 2*time.Second+time.Microsecond {
		t.Errorf("elapsed %s, want 2s: retries must wait for rate-limit slots", elapsed)
	}

	s := f.metrics.Snapshot()
	if s.QueryCount != 1 || s.SuccessRate != 1 {
		t.Errorf("QueryCount %d SuccessRate %g, want one successful query", s.QueryCount, s.SuccessRate)
	}
	if want := map[string]int64{"http_503": 2}; !maps.Equal(s.ErrorsByType, want) {
		t.Errorf("ErrorsByType = %v, want %v", s.ErrorsByType, want)
	}
	if s.AvgLatencyMs < 2000 || s.AvgLatencyMs > 2000.001 {
		t.Errorf("latency %gms, want 2000ms including retries and waits", s.AvgLatencyMs)
	}
}

func TestPolicyBreakerCountsCalls(t *testing.T) {
	cfg := policyNoJitter()
	cfg.Breaker.FailureThreshold = 2
	f := newPolicy(t, cfg, RateLimitConfig{RequestsPerMinute: 6000, MaxWait: time.Minute, Burst: 1})
	var calls int
	fn := func(context.Context) error { calls++; return &HTTPError{StatusCode: 503} }

	// Two calls, each retried to exhaustion (4 attempts), are two failures:
	// the breaker counts calls, so transient faults that retries absorb
	// never open it.
	for i := 1; i <= 2; i++ {
		err := f.policy.Do(context.Background(), fn)
		var re *RetryError
		if !errors.As(err, &re) || re.Attempts != 4 {
			t.Fatalf("call %d: err = %v, want *RetryError after 4 attempts", i, err)
		}
	}
	if calls != 8 {
		t.Errorf("provider called %d times, want 8", calls)
	}
	if s := f.policy.Breaker().State(); s != BreakerOpen {
		t.Errorf("breaker %s after 2 failed calls, want open", s)
	}

	calls = 0
	var boe *BreakerOpenError
	if err := f.policy.Do(context.Background(), fn); !errors.As(err, &boe) || calls != 0 {
		t.Errorf("next call: err %v, %d provider calls; want fail fast", err, calls)
	}
	s := f.metrics.Snapshot()
	if want := map[string]int64{"http_503": 8, "breaker_open": 1}; !maps.Equal(s.ErrorsByType, want) {
		t.Errorf("ErrorsByType = %v, want %v", s.ErrorsByType, want)
	}
	if s.QueryCount != 3 || s.ErrorRate != 1 {
		t.Errorf("QueryCount %d ErrorRate %g, want 3 failed queries", s.QueryCount, s.ErrorRate)
	}
}

func TestPolicyRateLimitExceededFailsFast(t *testing.T) {
	f := newPolicy(t, policyNoJitter(), RateLimitConfig{RequestsPerMinute: 1, MaxWait: time.Second, Burst: 1})
	var calls int
	fn := func(context.Context) error { calls++; return nil }
	if err := f.policy.Do(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		err := f.policy.Do(context.Background(), fn)
		var rl *RateLimitExceededError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %v, want *RateLimitExceededError", err)
		}
	}
	if calls != 1 {
		t.Errorf("provider called %d times, want 1", calls)
	}
	if s := f.policy.Breaker().State(); s != BreakerClosed {
		t.Errorf("breaker %s: our own rate limit must not open it", s)
	}
	if len(f.clock.Sleeps()) != 0 {
		t.Errorf("slept %v; an exceeded wait must not be retried", f.clock.Sleeps())
	}
}

func TestPolicyCancelRecordsNoQuery(t *testing.T) {
	f := newPolicy(t, policyNoJitter(), DefaultRateLimitConfig())
	ctx, cancel := context.WithCancel(context.Background())
	err := f.policy.Do(ctx, func(ctx context.Context) error {
		cancel()
		return ctx.Err()
	})
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	s := f.metrics.Snapshot()
	if s.QueryCount != 0 || s.ErrorsByType["canceled"] != 1 {
		t.Errorf("QueryCount %d, errors %v; want no query and one canceled", s.QueryCount, s.ErrorsByType)
	}
	if st := f.policy.Breaker().State(); st != BreakerClosed {
		t.Errorf("breaker %s", st)
	}
}

func TestPolicyWithoutOptionalDeps(t *testing.T) {
	p, err := NewPolicy("local", DefaultPolicyConfig(), PolicyDeps{Clock: clocktest.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Do(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Errorf("Do = %v", err)
	}
	if p.Provider() != "local" {
		t.Errorf("Provider = %q", p.Provider())
	}
	bad := DefaultPolicyConfig()
	bad.Breaker.FailureThreshold = 0
	if _, err := NewPolicy("x", bad, PolicyDeps{}); err == nil {
		t.Error("NewPolicy accepted an invalid breaker config")
	}
}
