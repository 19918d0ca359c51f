// Package clocktest provides a fake clock for tests of code that takes a
// resilience.Clock (or any interface with the same Now and Sleep methods).
//
// Two modes:
//   - New: Sleep advances the fake time by the requested duration and returns
//     at once. Single-goroutine tests of retry and rate limiting run through
//     hours of simulated time in microseconds, and Sleeps records every wait.
//   - NewManual: Sleep blocks until Advance (or Set) moves the fake time past
//     the sleeper's deadline, or its context ends. Use it to observe a
//     goroutine while it waits, e.g. to check that cancellation stops a retry
//     promptly; BlockUntilSleepers tells when the goroutine is waiting.
//
// In New mode concurrent sleepers each advance the shared time, so elapsed
// fake time is the sum of all sleeps; use NewManual when the timing of
// concurrent goroutines matters.
package clocktest

import (
	"context"
	"sync"
	"time"
)

// Fake is a controllable clock. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	manual  bool
	sleeps  []time.Duration
	waiters map[*waiter]struct{}
	changed chan struct{} // closed and replaced whenever waiters change
}

type waiter struct {
	until time.Time
	done  chan struct{}
}

// New returns an auto-advancing fake clock set to start: Sleep(ctx, d) moves
// the time forward by d and returns immediately.
func New(start time.Time) *Fake {
	return &Fake{now: start, waiters: map[*waiter]struct{}{}, changed: make(chan struct{})}
}

// NewManual returns a fake clock set to start whose Sleep blocks until the
// time is advanced past the sleeper's deadline or the sleeper's ctx ends.
func NewManual(start time.Time) *Fake {
	f := New(start)
	f.manual = true
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep waits for d of fake time. It records d (see Sleeps) unless ctx has
// already ended or d <= 0.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	if !f.manual {
		f.now = f.now.Add(d)
		f.mu.Unlock()
		return nil
	}
	w := &waiter{until: f.now.Add(d), done: make(chan struct{})}
	f.waiters[w] = struct{}{}
	f.notifyLocked()
	f.mu.Unlock()

	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		_, still := f.waiters[w]
		delete(f.waiters, w)
		f.notifyLocked()
		f.mu.Unlock()
		if !still { // woken by Advance at the same moment: the sleep completed
			return nil
		}
		return ctx.Err()
	}
}

// Advance moves the fake time forward by d and wakes the sleepers whose
// deadline has passed.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setLocked(f.now.Add(d))
}

// Set moves the fake time to t (which may be in the past) and wakes the
// sleepers whose deadline is not after t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setLocked(t)
}

func (f *Fake) setLocked(t time.Time) {
	f.now = t
	for w := range f.waiters {
		if !w.until.After(t) {
			close(w.done)
			delete(f.waiters, w)
		}
	}
	f.notifyLocked()
}

// Sleeps returns a copy of every duration passed to Sleep so far, in order.
func (f *Fake) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// ResetSleeps forgets the recorded sleeps.
func (f *Fake) ResetSleeps() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = nil
}

// Sleepers returns how many goroutines are blocked in Sleep (manual mode).
func (f *Fake) Sleepers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntilSleepers waits until at least n goroutines are blocked in Sleep
// or ctx ends.
func (f *Fake) BlockUntilSleepers(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.waiters) >= n {
			f.mu.Unlock()
			return nil
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}
