package resilience

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// transientFault returns one of the transient failures a provider call
// meets in practice, chosen by rng.
func transientFault(rng *rand.Rand) error {
	switch rng.IntN(4) {
	case 0:
		return &HTTPError{StatusCode: 429, RetryAfter: time.Second, Body: `{"error":"rate limited"}`}
	case 1:
		return &HTTPError{StatusCode: 503, Body: "overloaded"}
	case 2:
		return connReset()
	default:
		return context.DeadlineExceeded // a per-attempt timeout
	}
}

// TestFaultInjectionRecoveryRate checks the guide's recovery target: with
// every attempt failing transiently with probability q = 0.3 and
// MaxRetries 3, a call fails only if all 4 attempts fail, so the expected
// success rate is 1 - 0.3^4 = 99.19%; the bar is 99%.
//
// The issue asks for 1,000 calls. Over 1,000 calls the sampling standard
// deviation is about 0.28 points, so 99% is only 0.7 sigma below the mean
// and roughly one seed in five would miss it by chance (92 of 500 seeds
// tried did); the seed here is fixed, not chosen. The 100,000-call run
// (sigma 0.03 points) is the seed-independent check.
func TestFaultInjectionRecoveryRate(t *testing.T) {
	for _, calls := range []int{1_000, 100_000} {
		t.Run(fmt.Sprintf("calls=%d", calls), func(t *testing.T) {
			if calls > 1_000 && testing.Short() {
				t.Skip("long run skipped with -short")
			}
			faultInjection(t, calls)
		})
	}
}

func faultInjection(t *testing.T, calls int) {
	const q = 0.3
	rng := rand.New(rand.NewPCG(20251223, 1))
	fc := clocktest.New(t0)
	r := newRetrier(t, DefaultRetryConfig(), fc, nil)

	var ok, attempts int
	faults := map[string]int{}
	for range calls {
		err := r.Do(context.Background(), func(context.Context) error {
			attempts++
			if rng.Float64() < q {
				err := transientFault(rng)
				faults[ErrorType(err)]++
				return err
			}
			return nil
		})
		if err == nil {
			ok++
		} else if !isRetryError(err) {
			t.Fatalf("call failed with %v, want only *RetryError after exhausted attempts", err)
		}
	}
	rate := float64(ok) / float64(calls)
	theory := 1 - math.Pow(q, 4)
	t.Logf("fault injection: %d/%d calls succeeded = %.2f%% (theory %.2f%%), %d attempts, faults %v, simulated time %s",
		ok, calls, 100*rate, 100*theory, attempts, faults, fc.Now().Sub(t0).Round(time.Second))
	if rate < 0.99 {
		t.Errorf("success rate %.2f%% is below 99%%", 100*rate)
	}
}
