package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// TestFaultInjection sends 1,000 queries through the resilient provider
// while the fake server fails 30% of requests with a transient fault (429
// with Retry-After, 503, connection reset, timeout; a fixed seed). With
// MaxRetries 3 a query fails only if all 4 attempts fail: 0.3^4 = 0.81%, so
// the expected success rate is 99.19% and the bar is 99% (over 1,000
// queries one standard deviation is 0.28 points; the seed is fixed, not
// chosen). Backoff, Retry-After and rate-limit waits run on the fake clock;
// only the Timeout faults cost real time (30 ms each).
//
// The breaker is the default one: it counts failed calls (after retries),
// so it would open only after five consecutive calls each lost all four
// attempts, about 3e-11 at this fault rate; no call may meet it.
func TestFaultInjection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		api    string
		stream bool
	}{{ProviderOpenAI, false}, {ProviderAnthropic, true}} {
		t.Run(fmt.Sprintf("%s/stream=%v", tc.api, tc.stream), func(t *testing.T) {
			t.Parallel()
			opts := testOptions(clocktest.New(t0), nil)
			res := faultInjection(t, tc.api, tc.stream, opts, 0)
			if res.rate < 0.99 {
				t.Errorf("success rate %.2f%% is below 99%%", 100*res.rate)
			}
			if res.breakerFailures > 0 {
				t.Errorf("%d calls met an open breaker", res.breakerFailures)
			}
		})
	}
}

type injectionResult struct {
	rate            float64
	breakerFailures int
}

func faultInjection(t *testing.T, api string, stream bool, opts Options, pace time.Duration) injectionResult {
	t.Helper()
	const (
		queries = 1000
		q       = 0.3
	)
	srv := llmtest.New(t, llmtest.Options{FaultRate: q, Seed: 20251223, APIKey: testKey})
	opts.Metrics = resilience.NewCollector(0)
	fc := opts.Clock.(*clocktest.Fake)
	p := newResilient(t, api, srv, opts)

	var ok, retryGaveUp, breakerOpen int
	for i := range queries {
		var tokens []string
		var onToken func(string)
		if stream {
			onToken = collect(&tokens)
		}
		c, err := ask(context.Background(), p, fmt.Sprintf("question %d", i), onToken)
		var (
			ue *UnavailableError
			re *resilience.RetryError
		)
		switch {
		case err == nil:
			if c.Text != llmtest.DefaultAnswer || (stream && strings.Join(tokens, "") != c.Text) {
				t.Fatalf("query %d: text %q, tokens %q", i, c.Text, tokens)
			}
			ok++
		case errors.As(err, &ue):
			breakerOpen++
		case errors.As(err, &re):
			retryGaveUp++
		default:
			t.Fatalf("query %d failed with %v (%T), want only exhausted retries or an open breaker", i, err, err)
		}
		fc.Advance(pace)
	}
	rate := float64(ok) / queries
	snap := opts.Metrics.Snapshot()
	t.Logf("%s stream=%v breaker=%d: %d/%d queries succeeded = %.2f%% (theory without breaker %.2f%%); "+
		"%d gave up after retries, %d met an open breaker; %d requests, faults %v; errors by type %v; simulated time %s",
		api, stream, p.threshold, ok, queries, 100*rate, 100*(1-math.Pow(q, 4)), retryGaveUp, breakerOpen,
		srv.Count(), srv.Faults(), snap.ErrorsByType, fc.Now().Sub(t0).Round(time.Second))
	if snap.QueryCount != queries || snap.SuccessCount != int64(ok) {
		t.Errorf("metrics counted %d queries, %d successes; want %d, %d", snap.QueryCount, snap.SuccessCount, queries, ok)
	}
	return injectionResult{rate: rate, breakerFailures: breakerOpen}
}

func TestUnauthorizedFailsOnce(t *testing.T) {
	for _, api := range apis {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", api, stream), func(t *testing.T) {
				srv := llmtest.New(t, llmtest.Options{APIKey: "sk-the-right-key-000000000000", EchoKey: true})
				p := newResilient(t, api, srv, testOptions(clocktest.New(t0), srv.Client()))
				var onToken func(string)
				if stream {
					onToken = func(string) {}
				}
				_, err := ask(context.Background(), p, "q", onToken)
				if err == nil {
					t.Fatal("want an error")
				}
				if n := srv.Count(); n != 1 {
					t.Errorf("server saw %d requests, want exactly 1 (401 is not retried)", n)
				}
				var he *resilience.HTTPError
				if !errors.As(err, &he) || he.StatusCode != 401 {
					t.Errorf("err = %v, want an HTTP 401 inside", err)
				}
				keyEnv := map[string]string{ProviderOpenAI: EnvOpenAIKey, ProviderAnthropic: EnvAnthropicKey}[api]
				msg := err.Error()
				if !strings.Contains(msg, "401") || !strings.Contains(msg, keyEnv) || !strings.HasPrefix(msg, "ask "+api) {
					t.Errorf("error %q should name the provider, the status and %s", msg, keyEnv)
				}
				if strings.Contains(msg, testKey) || strings.Contains(he.Body, testKey) {
					t.Errorf("error leaks the key: %q", msg)
				}
				if !strings.Contains(he.Body, "[redacted]") {
					t.Errorf("body %q: the echoed key should show as [redacted]", he.Body)
				}
				t.Logf("401 error: %v", err)
			})
		}
	}
}

func TestBreakerOpensAndFailsFast(t *testing.T) {
	srv := llmtest.New(t, llmtest.Options{})
	srv.SetFault(llmtest.Unavailable) // the provider is down
	fc := clocktest.New(t0)
	p := newResilient(t, ProviderOpenAI, srv, testOptions(fc, srv.Client()))
	ctx := context.Background()

	// Calls 1-5: each makes 4 attempts (1 + 3 retries), all 503; the
	// breaker counts failed calls, and the 5th opens it.
	var err error
	for i := 1; i <= 5; i++ {
		_, err = ask(ctx, p, "q", nil)
		var re *resilience.RetryError
		if !errors.As(err, &re) || re.Attempts != 4 || srv.Count() != 4*i {
			t.Fatalf("call %d: err %v, server saw %d; want 4 attempts each", i, err, srv.Count())
		}
	}
	// Call 6 fails fast, without a request.
	_, err = ask(ctx, p, "q6", nil)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("call 6: err %v, want *UnavailableError", err)
	}
	if n := srv.Count(); n != 20 {
		t.Errorf("server saw %d requests, want 20: an open breaker must not reach the server", n)
	}
	// The wait as a duration, not a time of day.
	wantMsg := fmt.Sprintf("circuit breaker open for openai: 5 consecutive failures; retrying in %ds",
		ue.Until.Sub(fc.Now()).Round(time.Second)/time.Second)
	if err.Error() != wantMsg || ue.Wait != ue.Until.Sub(fc.Now()) {
		t.Errorf("error %q (wait %s), want %q", err, ue.Wait, wantMsg)
	}
	if !ue.Until.After(fc.Now()) || ue.Until.Sub(fc.Now()) > 60*time.Second {
		t.Errorf("Until %s is not within 60 s after now %s", ue.Until, fc.Now())
	}
	if s := p.Policy().Breaker().State(); s != resilience.BreakerOpen {
		t.Errorf("breaker state %s", s)
	}
	t.Logf("open breaker error: %v", err)

	// The provider recovers; after the open period one trial request goes
	// through and closes the breaker.
	srv.SetFault(llmtest.None)
	fc.Advance(61 * time.Second)
	if _, err := ask(ctx, p, "q4", nil); err != nil {
		t.Fatalf("after the open period: %v", err)
	}
	if n := srv.Count(); n != 21 {
		t.Errorf("server saw %d requests, want 21", n)
	}
	if s := p.Policy().Breaker().State(); s != resilience.BreakerClosed {
		t.Errorf("breaker state %s, want closed", s)
	}
}

func TestStreamRetrySemantics(t *testing.T) {
	t.Run("broken before the first token: retried, nothing repeated", func(t *testing.T) {
		for _, api := range apis {
			srv := llmtest.New(t, llmtest.Options{Schedule: []llmtest.Fault{llmtest.Reset, llmtest.Timeout, llmtest.None}})
			p := newResilient(t, api, srv, testOptions(clocktest.New(t0), srv.Client()))
			var tokens []string
			c, err := ask(context.Background(), p, "q", collect(&tokens))
			if err != nil {
				t.Fatalf("%s: %v", api, err)
			}
			if got := strings.Join(tokens, ""); got != llmtest.DefaultAnswer || c.Text != got || srv.Count() != 3 {
				t.Errorf("%s: tokens %q, text %q, %d requests; want the answer once after 3 requests", api, got, c.Text, srv.Count())
			}
		}
	})
	t.Run("broken after tokens: not retried", func(t *testing.T) {
		for _, api := range apis {
			srv := llmtest.New(t, llmtest.Options{Schedule: []llmtest.Fault{llmtest.StreamCut}})
			p := newResilient(t, api, srv, testOptions(clocktest.New(t0), srv.Client()))
			var tokens []string
			_, err := ask(context.Background(), p, "q", collect(&tokens))
			var sie *StreamInterruptedError
			if !errors.As(err, &sie) {
				t.Fatalf("%s: err %v, want *StreamInterruptedError", api, err)
			}
			if srv.Count() != 1 || sie.Tokens != len(tokens) || len(tokens) == 0 ||
				!strings.HasPrefix(llmtest.DefaultAnswer, strings.Join(tokens, "")) {
				t.Errorf("%s: %d requests, %d tokens shown %q (error says %d)", api, srv.Count(), len(tokens), tokens, sie.Tokens)
			}
			if !strings.Contains(err.Error(), "not retried") {
				t.Errorf("error %q should say why it was not retried", err)
			}
			t.Logf("%s: %v", api, err)
			if _, err := ask(context.Background(), p, "q", nil); err != nil {
				t.Errorf("%s: the next call fails too: %v", api, err)
			}
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	srv := llmtest.New(t, llmtest.Options{Schedule: []llmtest.Fault{llmtest.RateLimited}, RetryAfter: "7"})
	fc := clocktest.New(t0)
	p := newResilient(t, ProviderAnthropic, srv, testOptions(fc, srv.Client()))
	if _, err := ask(context.Background(), p, "q", nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(fc.Sleeps(), 7*time.Second) {
		t.Errorf("sleeps %v: want a 7 s wait for Retry-After: 7", fc.Sleeps())
	}
}

func TestCanceledIsNotRetried(t *testing.T) {
	srv := llmtest.New(t, llmtest.Options{})
	srv.SetFault(llmtest.Timeout)
	opts := testOptions(clocktest.New(t0), srv.Client())
	opts.Timeout = time.Minute
	p := newResilient(t, ProviderOpenAI, srv, opts)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Count() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := ask(ctx, p, "q", nil)
	if !errors.Is(err, context.Canceled) || srv.Count() != 1 {
		t.Errorf("err %v after %d requests; want context.Canceled after 1", err, srv.Count())
	}
}

func TestFmtWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                       "0.0s",
		0:                                  "0.0s",
		1234 * time.Millisecond:            "1.2s",
		9949 * time.Millisecond:            "9.9s",
		10 * time.Second:                   "10s",
		59900 * time.Millisecond:           "60s",
		60 * time.Second:                   "60s",
		119 * time.Second:                  "119s",
		5*time.Minute + 30*time.Second:     "5m30s",
		2*time.Hour + 400*time.Millisecond: "2h0m0s",
	} {
		if got := fmtWait(d); got != want {
			t.Errorf("fmtWait(%v) = %q, want %q", d, got, want)
		}
	}
}
