package clocktest

import (
	"context"
	"slices"
	"testing"
	"time"
)

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestAutoAdvance(t *testing.T) {
	f := New(start)
	ctx := context.Background()
	for _, d := range []time.Duration{time.Second, 0, -time.Second, time.Minute} {
		if err := f.Sleep(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.Now().Sub(start); got != time.Minute+time.Second {
		t.Errorf("elapsed %s, want 1m1s", got)
	}
	if got, want := f.Sleeps(), []time.Duration{time.Second, time.Minute}; !slices.Equal(got, want) {
		t.Errorf("Sleeps = %v, want %v (non-positive sleeps are not recorded)", got, want)
	}
	f.ResetSleeps()
	if len(f.Sleeps()) != 0 {
		t.Error("ResetSleeps kept sleeps")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := f.Sleep(cctx, time.Hour); err != context.Canceled || !f.Now().Equal(start.Add(time.Minute+time.Second)) {
		t.Errorf("Sleep on a cancelled ctx = %v and moved time", err)
	}
}

func TestManual(t *testing.T) {
	f := NewManual(start)
	ctx, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelWait()

	woke := make(chan error, 1)
	go func() { woke <- f.Sleep(context.Background(), time.Minute) }()
	if err := f.BlockUntilSleepers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.Advance(59 * time.Second)
	if f.Sleepers() != 1 {
		t.Fatal("sleeper woke before its deadline")
	}
	f.Advance(time.Second)
	select {
	case err := <-woke:
		if err != nil {
			t.Errorf("Sleep = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("sleeper did not wake at its deadline")
	}

	sctx, cancel := context.WithCancel(context.Background())
	go func() { woke <- f.Sleep(sctx, time.Hour) }()
	if err := f.BlockUntilSleepers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-woke:
		if err != context.Canceled {
			t.Errorf("Sleep = %v, want context.Canceled", err)
		}
	case <-ctx.Done():
		t.Fatal("cancel did not wake the sleeper")
	}
	if f.Sleepers() != 0 {
		t.Errorf("%d sleepers left", f.Sleepers())
	}

	f.Set(start)
	if !f.Now().Equal(start) {
		t.Errorf("Set: now %s", f.Now())
	}
}
