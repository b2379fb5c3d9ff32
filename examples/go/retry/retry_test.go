package retry

import (
	"context"
	"errors"
	"math/rand"
	"testing"
	"time"
)

var errFlaky = errors.New("flaky")

func TestDelayExponential(t *testing.T) {
	t.Parallel()
	p := Policy{Base: 10 * time.Millisecond}
	want := []time.Duration{0, 10, 20, 40, 80}
	for n, w := range want {
		if got := p.Delay(n); got != w*time.Millisecond {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w*time.Millisecond)
		}
	}
}

func TestDelayCapped(t *testing.T) {
	t.Parallel()
	p := Policy{Base: time.Second, Max: 5 * time.Second, Factor: 3}
	for n, w := range map[int]time.Duration{1: time.Second, 2: 3 * time.Second, 3: 5 * time.Second, 10: 5 * time.Second} {
		if got := p.Delay(n); got != w {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w)
		}
	}
}

func TestDelayJitterBounds(t *testing.T) {
	t.Parallel()
	p := Policy{Base: 100 * time.Millisecond, Jitter: 0.5, Rand: rand.New(rand.NewSource(1))}
	for i := 0; i < 1000; i++ {
		d := p.Delay(1)
		if d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("Delay with jitter = %v, out of [50ms, 100ms]", d)
		}
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) should be nil")
	}
	err := Permanent(errFlaky)
	if !IsPermanent(err) || !errors.Is(err, errFlaky) || err.Error() != "flaky" {
		t.Errorf("Permanent wrapping broken: %v", err)
	}
	if IsPermanent(errFlaky) {
		t.Error("plain error reported permanent")
	}
}

func TestDoSucceedsAfterRetries(t *testing.T) {
	t.Parallel()
	n, err := Do(context.Background(), Policy{Attempts: 5, Base: 20 * time.Millisecond}, func(a int) error {
		if a < 4 {
			return errFlaky
		}
		return nil
	})
	// 20 + 40 + 80 ms of backoff.
	if err != nil || n != 4 {
		t.Fatalf("Do = %d, %v", n, err)
	}
}

func TestDoGivesUp(t *testing.T) {
	t.Parallel()
	n, err := Do(context.Background(), Policy{Attempts: 3, Base: 50 * time.Millisecond}, func(int) error {
		return errFlaky
	})
	if !errors.Is(err, errFlaky) || n != 3 {
		t.Fatalf("Do = %d, %v", n, err)
	}
}

func TestDoStopsOnPermanent(t *testing.T) {
	t.Parallel()
	n, err := Do(context.Background(), Policy{Attempts: 10, Base: time.Millisecond}, func(a int) error {
		if a == 2 {
			return Permanent(errFlaky)
		}
		return errFlaky
	})
	if n != 2 || !IsPermanent(err) {
		t.Fatalf("Do = %d, %v", n, err)
	}
}

func TestDoHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	start := time.Now()
	n, err := Do(ctx, Policy{Attempts: 100, Base: 100 * time.Millisecond, Max: 100 * time.Millisecond}, func(int) error {
		return errFlaky
	})
	if !errors.Is(err, context.DeadlineExceeded) || n < 2 {
		t.Fatalf("Do = %d, %v", n, err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestDoZeroAttemptsRunsOnce(t *testing.T) {
	t.Parallel()
	calls := 0
	_, err := Do(context.Background(), Policy{}, func(int) error { calls++; return errFlaky })
	if calls != 1 || err == nil {
		t.Fatalf("calls = %d, err = %v", calls, err)
	}
}
