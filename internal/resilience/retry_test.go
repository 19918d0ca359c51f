package resilience

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// failing returns a function that fails with errs[i] on call i (nil =
// success) and the last error forever after, counting its calls.
func failing(calls *int, errs ...error) func(context.Context) error {
	return func(context.Context) error {
		i := min(*calls, len(errs)-1)
		*calls++
		return errs[i]
	}
}

func TestRetryDelaysAndExhaustion(t *testing.T) {
	fc := clocktest.New(t0)
	r := newRetrier(t, noJitter(), fc, nil)
	var calls int
	last := &HTTPError{StatusCode: 503}
	err := r.Do(context.Background(), failing(&calls, last))

	var re *RetryError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *RetryError", err)
	}
	if re.Attempts != 4 || calls != 4 {
		t.Errorf("Attempts = %d, calls = %d, want 4 and 4 (1 + MaxRetries 3)", re.Attempts, calls)
	}
	if !errors.Is(err, last) || re.Last != last {
		t.Errorf("RetryError does not unwrap to the last error: %v", re.Last)
	}
	// Backoff sequence of the production guide: 100, 200, 400 ms.
	if got, want := fc.Sleeps(), []time.Duration{ms(100), ms(200), ms(400)}; !slices.Equal(got, want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
	if got := fc.Now().Sub(t0); got != ms(700) {
		t.Errorf("simulated time = %s, want 700ms", got)
	}
}

func TestRetrySucceedsAfterTransientFailures(t *testing.T) {
	fc := clocktest.New(t0)
	r := newRetrier(t, noJitter(), fc, nil)
	var calls int
	err := r.Do(context.Background(), failing(&calls, connReset(), context.DeadlineExceeded, nil))
	if err != nil {
		t.Fatalf("Do = %v, want nil", err)
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	if got, want := fc.Sleeps(), []time.Duration{ms(100), ms(200)}; !slices.Equal(got, want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
}

func TestRetryMaxDelayCapsBackoff(t *testing.T) {
	fc := clocktest.New(t0)
	cfg := noJitter()
	cfg.MaxRetries, cfg.BaseDelay = 6, time.Second
	r := newRetrier(t, cfg, fc, nil)
	var calls int
	_ = r.Do(context.Background(), failing(&calls, &HTTPError{StatusCode: 500}))
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if got := fc.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
}

func TestRetryJitterIsBounded(t *testing.T) {
	fc := clocktest.New(t0)
	cfg := DefaultRetryConfig() // ±10%
	r := newRetrier(t, cfg, fc, nil)
	nominal := []time.Duration{ms(100), ms(200), ms(400)}
	seen := map[time.Duration]bool{}
	for range 200 {
		fc.ResetSleeps()
		var calls int
		_ = r.Do(context.Background(), failing(&calls, &HTTPError{StatusCode: 503}))
		got := fc.Sleeps()
		if len(got) != 3 {
			t.Fatalf("delays = %v, want 3", got)
		}
		for i, d := range got {
			lo := time.Duration(float64(nominal[i]) * (1 - cfg.Jitter))
			hi := time.Duration(float64(nominal[i])*(1+cfg.Jitter)) + 1 // backoff's range is [lo, hi+1ns)
			if d < lo || d > hi {
				t.Fatalf("delay %d = %s, outside [%s, %s]", i, d, lo, hi)
			}
			seen[d] = true
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 600: jitter looks off", len(seen))
	}
}

func TestRetryNonRecoverableFailsAtOnce(t *testing.T) {
	cls := NewClassifier()
	cls.AddNonRecoverable(ByType[*AuthError]())
	for _, err := range []error{
		&HTTPError{StatusCode: 400},
		&HTTPError{StatusCode: 401},
		&HTTPError{StatusCode: 403},
		&HTTPError{StatusCode: 404},
		errors.New("query: empty"),
		&AuthError{},
	} {
		t.Run(err.Error(), func(t *testing.T) {
			fc := clocktest.New(t0)
			r := newRetrier(t, noJitter(), fc, cls)
			var calls int
			got := r.Do(context.Background(), failing(&calls, err))
			if calls != 1 {
				t.Errorf("calls = %d, want exactly 1", calls)
			}
			if got != err {
				t.Errorf("Do = %v, want the error itself", got)
			}
			if len(fc.Sleeps()) != 0 {
				t.Errorf("waited %v before failing", fc.Sleeps())
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		wantSleeps []time.Duration
		wantCalls  int
	}{
		// max(backoff 100ms, 2s) = 2s, then the backoff sequence resumes.
		{"longer than backoff", 2 * time.Second, []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second}, 4},
		// The backoff is already longer than Retry-After.
		{"shorter than backoff", ms(150), []time.Duration{ms(150), ms(200), ms(400)}, 4},
		// Beyond MaxDelay (5s) but within MaxRetryAfter (60s): honoured.
		{"beyond max delay", 30 * time.Second, []time.Duration{30 * time.Second, 30 * time.Second, 30 * time.Second}, 4},
		// Beyond MaxRetryAfter: give up at once rather than retry too early.
		{"beyond max retry after", 2 * time.Minute, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := clocktest.New(t0)
			r := newRetrier(t, noJitter(), fc, nil)
			var calls int
			last := &HTTPError{StatusCode: 429, RetryAfter: tt.retryAfter}
			err := r.Do(context.Background(), failing(&calls, last))
			var re *RetryError
			if !errors.As(err, &re) || re.Attempts != tt.wantCalls {
				t.Fatalf("err = %v, want *RetryError with %d attempts", err, tt.wantCalls)
			}
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if got := fc.Sleeps(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("delays = %v, want %v", got, tt.wantSleeps)
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter not reachable from the error: %v", err)
			}
		})
	}
}

func TestRetryClassifiesRegisteredErrors(t *testing.T) {
	cls := NewClassifier()
	cls.AddRecoverable(ByName("RateLimitError"), ByType[quotaError]())
	cls.AddNonRecoverable(ByType[*AuthError]())

	tests := []struct {
		name      string
		err       error
		wantCalls int
	}{
		{"registered by name", fmt.Errorf("openai: %w", &RateLimitError{Msg: "tpm"}), 4},
		{"registered by type", quotaError{}, 4},
		{"registered non-recoverable", &AuthError{}, 1},
		{"unknown defaults to non-recoverable", errors.New("weird"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRetrier(t, noJitter(), clocktest.New(t0), cls)
			var calls int
			_ = r.Do(context.Background(), failing(&calls, tt.err))
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestRetryStopsWhenCallerCancels(t *testing.T) {
	t.Run("during an attempt", func(t *testing.T) {
		fc := clocktest.New(t0)
		r := newRetrier(t, noJitter(), fc, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var calls int
		err := r.Do(ctx, func(ctx context.Context) error {
			calls++
			if calls == 2 {
				cancel()
				return fmt.Errorf("request: %w", ctx.Err())
			}
			return &HTTPError{StatusCode: 503}
		})
		if !errors.Is(err, context.Canceled) || isRetryError(err) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if calls != 2 {
			t.Errorf("calls = %d, want 2", calls)
		}
	})

	t.Run("caller deadline is not a per-attempt timeout", func(t *testing.T) {
		r := newRetrier(t, noJitter(), clocktest.New(t0), nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var calls int
		err := r.Do(ctx, func(context.Context) error {
			calls++
			cancel() // the caller gives up while the provider call times out
			return context.DeadlineExceeded
		})
		if err != context.Canceled || calls != 1 {
			t.Errorf("err = %v after %d calls, want ctx.Err() after 1", err, calls)
		}
	})

	t.Run("while waiting", func(t *testing.T) {
		fc := clocktest.NewManual(t0)
		r := newRetrier(t, noJitter(), fc, nil)
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			err = r.Do(ctx, failing(&calls, &HTTPError{StatusCode: 503}))
		}()
		blockUntilSleepers(t, fc, 1) // waiting the first 100ms backoff
		cancel()
		waitDone(t, done, "Do after cancel")
		if err != context.Canceled {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if calls != 1 {
			t.Errorf("calls = %d, want 1", calls)
		}
		if !fc.Now().Equal(t0) {
			t.Errorf("fake time moved to %s; cancel should not wait", fc.Now())
		}
	})

	t.Run("already cancelled", func(t *testing.T) {
		r := newRetrier(t, noJitter(), clocktest.New(t0), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var calls int
		if err := r.Do(ctx, failing(&calls, nil)); err != context.Canceled || calls != 0 {
			t.Errorf("err = %v, calls = %d, want context.Canceled and 0", err, calls)
		}
	})
}

// isRetryError reports whether err is a *RetryError.
func isRetryError(err error) bool {
	var re *RetryError
	return errors.As(err, &re)
}

func TestRetryAttemptTimeout(t *testing.T) {
	cfg := noJitter()
	cfg.AttemptTimeout = time.Hour
	r := newRetrier(t, cfg, clocktest.New(t0), nil)
	var calls int
	err := r.Do(context.Background(), func(ctx context.Context) error {
		calls++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("attempt context has no deadline")
		}
		if calls < 3 {
			// What an attempt sees when its own deadline passes: retried.
			return fmt.Errorf("chat: %w", context.DeadlineExceeded)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("err = %v after %d calls, want nil after 3", err, calls)
	}

	r = newRetrier(t, noJitter(), clocktest.New(t0), nil)
	_ = r.Do(context.Background(), func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); ok {
			t.Error("AttemptTimeout 0 still set a deadline")
		}
		return nil
	})
}

func TestRetryGenericValue(t *testing.T) {
	r := newRetrier(t, noJitter(), clocktest.New(t0), nil)
	var calls int
	got, err := Retry(context.Background(), r, func(context.Context) (string, error) {
		calls++
		if calls == 1 {
			return "partial", &HTTPError{StatusCode: 502}
		}
		return "answer", nil
	})
	if err != nil || got != "answer" {
		t.Errorf("Retry = %q, %v; want answer, nil", got, err)
	}
}

func TestRetryConfigValidate(t *testing.T) {
	if err := DefaultRetryConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	bad := map[string]func(*RetryConfig){
		"negative retries":   func(c *RetryConfig) { c.MaxRetries = -1 },
		"zero base":          func(c *RetryConfig) { c.BaseDelay = 0 },
		"max below base":     func(c *RetryConfig) { c.MaxDelay = ms(50) },
		"multiplier below 1": func(c *RetryConfig) { c.Multiplier = 0.5 },
		"jitter 1":           func(c *RetryConfig) { c.Jitter = 1 },
		"negative jitter":    func(c *RetryConfig) { c.Jitter = -0.1 },
		"negative cap":       func(c *RetryConfig) { c.MaxRetryAfter = -1 },
		"negative timeout":   func(c *RetryConfig) { c.AttemptTimeout = -1 },
	}
	for name, mutate := range bad {
		cfg := DefaultRetryConfig()
		mutate(&cfg)
		if _, err := NewRetrier(cfg, nil, nil); err == nil {
			t.Errorf("%s: NewRetrier accepted %+v", name, cfg)
		}
	}
}
