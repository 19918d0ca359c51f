package resilience

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
	"github.com/sony/gobreaker/v2"
)

func newBreaker(t *testing.T, clock Clock) *Breaker {
	t.Helper()
	b, err := NewBreaker("openai", DefaultBreakerConfig(), clock, nil)
	if err != nil {
		t.Fatalf("NewBreaker: %v", err)
	}
	return b
}

// call runs one request through b that returns err, and reports whether the
// request function ran.
func call(b *Breaker, err error) (ran bool, got error) {
	got = b.Execute(context.Background(), func(context.Context) error {
		ran = true
		return err
	})
	return ran, got
}

var errUnavailable = &HTTPError{StatusCode: 503}

func TestBreakerLifecycle(t *testing.T) {
	fc := clocktest.New(t0)
	b := newBreaker(t, fc)

	// Opens after exactly 5 consecutive failures.
	for i := 1; i <= 5; i++ {
		if s := b.State(); s != BreakerClosed {
			t.Fatalf("before failure %d: state %s, want closed", i, s)
		}
		if ran, err := call(b, errUnavailable); !ran || err != errUnavailable {
			t.Fatalf("failure %d: ran=%v err=%v, want the provider's error", i, ran, err)
		}
	}
	if s := b.State(); s != BreakerOpen {
		t.Fatalf("after 5 failures: state %s, want open", s)
	}

	// Fails fast while open: the function is not called.
	fc.Advance(30 * time.Second)
	ran, err := call(b, nil)
	var boe *BreakerOpenError
	if ran || !errors.As(err, &boe) {
		t.Fatalf("open: ran=%v err=%v, want *BreakerOpenError without calling", ran, err)
	}
	if boe.Provider != "openai" || !boe.Until.Equal(t0.Add(time.Minute)) || !errors.Is(err, gobreaker.ErrOpenState) {
		t.Errorf("BreakerOpenError = %+v, want provider openai, until t0+60s, wrapping ErrOpenState", boe)
	}
	if want := "openai: circuit breaker open until 2025-01-01T00:01:00Z: circuit breaker is open"; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}

	// Still open 1ns before 60s; half-open at 60s of fake time.
	fc.Set(t0.Add(time.Minute - 1))
	if s := b.State(); s != BreakerOpen {
		t.Fatalf("at 60s-1ns: state %s, want open", s)
	}
	if ran, _ := call(b, nil); ran {
		t.Fatal("request ran 1ns before the open period ended")
	}
	fc.Set(t0.Add(time.Minute))
	if s := b.State(); s != BreakerHalfOpen {
		t.Fatalf("at 60s: state %s, want half-open", s)
	}

	// A success in half-open closes it.
	if ran, err := call(b, nil); !ran || err != nil {
		t.Fatalf("trial: ran=%v err=%v", ran, err)
	}
	if s := b.State(); s != BreakerClosed {
		t.Fatalf("after a successful trial: state %s, want closed", s)
	}
	// Closed again means the count starts over: 4 failures do not open it.
	for range 4 {
		call(b, errUnavailable)
	}
	if s := b.State(); s != BreakerClosed {
		t.Errorf("4 failures after closing: state %s, want closed", s)
	}
}

func TestBreakerReopensOnHalfOpenFailure(t *testing.T) {
	fc := clocktest.New(t0)
	b := newBreaker(t, fc)
	for range 5 {
		call(b, errUnavailable)
	}
	fc.Advance(time.Minute)
	if s := b.State(); s != BreakerHalfOpen {
		t.Fatalf("state %s, want half-open", s)
	}
	if ran, err := call(b, errUnavailable); !ran || err != errUnavailable {
		t.Fatalf("trial: ran=%v err=%v", ran, err)
	}
	if s := b.State(); s != BreakerOpen {
		t.Fatalf("after a failed trial: state %s, want open", s)
	}
	ran, err := call(b, nil)
	var boe *BreakerOpenError
	if ran || !errors.As(err, &boe) || !boe.Until.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("re-opened: ran=%v err=%v, want fail fast until t0+120s", ran, err)
	}
	fc.Advance(time.Minute)
	if s := b.State(); s != BreakerHalfOpen {
		t.Errorf("60s after re-opening: state %s, want half-open", s)
	}
}

func TestBreakerCountsOnlyProviderFailures(t *testing.T) {
	tests := []struct {
		name string
		errs []error
		want BreakerState
	}{
		{"client errors never open it", []error{
			&HTTPError{StatusCode: 400}, &HTTPError{StatusCode: 401}, &HTTPError{StatusCode: 403},
			&HTTPError{StatusCode: 404}, &HTTPError{StatusCode: 401}, &HTTPError{StatusCode: 401},
		}, BreakerClosed},
		{"a client error shows the provider answered", []error{
			errUnavailable, errUnavailable, errUnavailable, errUnavailable,
			&HTTPError{StatusCode: 400},
			errUnavailable, errUnavailable, errUnavailable, errUnavailable,
		}, BreakerClosed},
		{"a success resets the count", []error{
			errUnavailable, errUnavailable, errUnavailable, errUnavailable, nil,
			errUnavailable, errUnavailable, errUnavailable, errUnavailable,
		}, BreakerClosed},
		{"cancellation counts as nothing", []error{
			errUnavailable, errUnavailable, errUnavailable, errUnavailable,
			context.Canceled,
			errUnavailable,
		}, BreakerOpen},
		{"own rate limit counts as nothing", []error{
			errUnavailable, errUnavailable, errUnavailable, errUnavailable,
			&RateLimitExceededError{},
			errUnavailable,
		}, BreakerOpen},
		{"mixed transient errors", []error{
			connReset(), context.DeadlineExceeded, &HTTPError{StatusCode: 429}, &HTTPError{StatusCode: 502}, timeoutErr{},
		}, BreakerOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBreaker(t, clocktest.New(t0))
			for _, err := range tt.errs {
				call(b, err)
			}
			if s := b.State(); s != tt.want {
				t.Errorf("state %s, want %s", s, tt.want)
			}
		})
	}
}

func TestBreakerHalfOpenAdmitsOneTrial(t *testing.T) {
	fc := clocktest.New(t0)
	b := newBreaker(t, fc)
	for range 5 {
		call(b, errUnavailable)
	}
	fc.Advance(time.Minute)

	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	var trialErr error
	go func() {
		defer close(done)
		trialErr = b.Execute(context.Background(), func(context.Context) error {
			close(started)
			<-release
			return nil
		})
	}()
	waitDone(t, started, "trial request start")

	ran, err := call(b, nil)
	var boe *BreakerOpenError
	if ran || !errors.As(err, &boe) || !errors.Is(err, gobreaker.ErrTooManyRequests) {
		t.Errorf("second request while the trial runs: ran=%v err=%v, want *BreakerOpenError wrapping ErrTooManyRequests", ran, err)
	}
	close(release)
	waitDone(t, done, "trial request")
	if trialErr != nil || b.State() != BreakerClosed {
		t.Errorf("trial err %v, state %s; want nil and closed", trialErr, b.State())
	}
}

func TestBreakerPanicCountsAsFailure(t *testing.T) {
	b := newBreaker(t, clocktest.New(t0))
	for range 5 {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic was swallowed")
				}
			}()
			_ = b.Execute(context.Background(), func(context.Context) error { panic("provider client bug") })
		}()
	}
	if s := b.State(); s != BreakerOpen {
		t.Errorf("state %s after 5 panics, want open", s)
	}
}

func TestBreakerConfigValidate(t *testing.T) {
	for _, cfg := range []BreakerConfig{{FailureThreshold: 0, OpenTimeout: time.Second}, {FailureThreshold: 5}} {
		if _, err := NewBreaker("p", cfg, nil, nil); err == nil {
			t.Errorf("NewBreaker accepted %+v", cfg)
		}
	}
	for s, want := range map[BreakerState]string{BreakerClosed: "closed", BreakerHalfOpen: "half-open", BreakerOpen: "open", 9: "BreakerState(9)"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(s), s, want)
		}
	}
}

// A breaker's state survives the process: five failed calls in five
// processes open it, and the sixth process fails fast until the open
// period ends; a success then closes it for good.
func TestBreakerPersists(t *testing.T) {
	store := FileBreakerStore{Dir: t.TempDir()}
	clock := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fail := func(context.Context) error { return &HTTPError{StatusCode: 503} }
	ok := func(context.Context) error { return nil }
	process := func() *Breaker {
		b, err := NewBreaker("openai", DefaultBreakerConfig(), clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Persist(store, ""); err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i := 1; i <= 5; i++ {
		b := process()
		if s := b.State(); s != BreakerClosed {
			t.Fatalf("process %d starts %s, want closed", i, s)
		}
		if err := b.Execute(context.Background(), fail); err == nil {
			t.Fatal("want the failure")
		}
	}
	b := process()
	if s := b.State(); s != BreakerOpen {
		t.Fatalf("after 5 failed processes the breaker is %s, want open", s)
	}
	called := false
	var boe *BreakerOpenError
	if err := b.Execute(context.Background(), func(context.Context) error { called = true; return nil }); !errors.As(err, &boe) || called {
		t.Fatalf("open breaker: err %v, called %v; want fail fast", err, called)
	}
	clock.Advance(61 * time.Second)
	b = process()
	if s := b.State(); s != BreakerHalfOpen {
		t.Fatalf("after the open period the breaker is %s, want half-open", s)
	}
	if err := b.Execute(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	if s := process().State(); s != BreakerClosed {
		t.Errorf("after a successful trial the next process sees %s, want closed", s)
	}
}

// A success over a clean shared state writes nothing (each aur process
// that embeds its question would otherwise lock, write and rename the
// file); a success after a failure still resets the count for every
// process.
func TestBreakerCleanSuccessNotWritten(t *testing.T) {
	store := FileBreakerStore{Dir: t.TempDir()}
	clock := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	process := func() *Breaker {
		b, err := NewBreaker("openai", DefaultBreakerConfig(), clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Persist(store, ""); err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := func(context.Context) error { return nil }
	if err := process().Execute(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(store.path("openai")); !os.IsNotExist(err) {
		t.Fatalf("a success over a clean state wrote the state file (%v)", err)
	}
	if err := process().Execute(context.Background(), func(context.Context) error { return errUnavailable }); err == nil {
		t.Fatal("want the failure")
	}
	if s, _ := store.Load("openai"); s.ConsecutiveFailures != 1 {
		t.Fatalf("after a failure: %+v", s)
	}
	if err := process().Execute(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	if s, _ := store.Load("openai"); s.ConsecutiveFailures != 0 {
		t.Fatalf("a success after a failure did not reset the shared count: %+v", s)
	}
}

// Processes that fail at the same time all count: each outcome is added
// to the shared state under a lock (read-modify-write), so none is lost.
// Each goroutine here has its own Breaker, as each aur process does, and
// its own lock file descriptor, which flock treats like another process.
func TestBreakerStoreConcurrentFailuresAllCount(t *testing.T) {
	store := FileBreakerStore{Dir: t.TempDir()}
	clock := clocktest.New(t0)
	cfg := DefaultBreakerConfig()
	cfg.FailureThreshold = 1000 // stays closed: every call reaches the provider
	const n = 32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		b, err := NewBreaker("openai", cfg, clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Persist(store, "openai@http://127.0.0.1:1/v1"); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			call(b, errUnavailable)
		}()
	}
	close(start)
	wg.Wait()
	s, err := store.Load("openai@http://127.0.0.1:1/v1")
	if err != nil {
		t.Fatal(err)
	}
	if s.ConsecutiveFailures != n {
		t.Errorf("after %d concurrent failures the state says %d", n, s.ConsecutiveFailures)
	}
}

// With the default threshold, concurrent failing processes open the
// breaker for everyone, and one that starts afterwards fails fast.
func TestBreakerStoreConcurrentFailuresOpen(t *testing.T) {
	store := FileBreakerStore{Dir: t.TempDir()}
	clock := clocktest.New(t0)
	const key = "openai@http://127.0.0.1:1/v1"
	process := func() *Breaker {
		b, err := NewBreaker("openai", DefaultBreakerConfig(), clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Persist(store, key); err != nil {
			t.Fatal(err)
		}
		return b
	}
	var wg sync.WaitGroup
	for range 8 {
		b := process()
		wg.Add(1)
		go func() {
			defer wg.Done()
			call(b, errUnavailable)
		}()
	}
	wg.Wait()
	s, err := store.Load(key)
	if err != nil {
		t.Fatal(err)
	}
	// Each call either failed (and counted) or found the breaker open.
	if s.ConsecutiveFailures < 5 || !s.OpenUntil.Equal(t0.Add(time.Minute)) {
		t.Errorf("state %+v, want at least 5 failures and open until t0+60s", s)
	}
	if ran, err := call(process(), nil); ran || err == nil {
		t.Errorf("a later process: ran %v, err %v; want fail fast", ran, err)
	}
	// A running process sees the breaker another opened.
	b := process()
	if _, err := store.Update(key, func(s *BreakerSnapshot) { *s = BreakerSnapshot{} }); err != nil {
		t.Fatal(err)
	}
	if ran, _ := call(b, nil); !ran {
		t.Error("closed by another process: the call did not run")
	}
}

// State is kept per key: one endpoint's outage does not open another's
// breaker, and keys with URLs make safe, distinct file names.
func TestBreakerStoreKeys(t *testing.T) {
	store := FileBreakerStore{Dir: t.TempDir()}
	keys := []string{"openai", "openai@http://localhost:11434/v1", "openai@https://api.openai.com/v1", "anthropic@https://api.anthropic.com"}
	paths := map[string]bool{}
	for i, k := range keys {
		p := store.path(k)
		if paths[p] || filepath.Dir(p) != store.Dir || strings.ContainsAny(filepath.Base(p), ":/?") {
			t.Errorf("key %q: path %q", k, p)
		}
		paths[p] = true
		for range i + 1 {
			if _, err := store.Update(k, func(s *BreakerSnapshot) { s.ConsecutiveFailures++ }); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, k := range keys {
		s, err := store.Load(k)
		if err != nil || s.ConsecutiveFailures != i+1 || s.Key != k {
			t.Errorf("Load(%q) = %+v, %v; want %d failures", k, s, err, i+1)
		}
	}
	if got := filepath.Base(store.path("openai")); got != "breaker-openai.json" {
		t.Errorf("bare key file %q", got)
	}
	for p := range paths {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: %v, mode %v; want private", p, err, fi.Mode())
		}
	}
}
