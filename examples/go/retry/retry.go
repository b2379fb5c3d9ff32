// Package retry retries operations with exponential backoff and jitter.
package retry

import (
	"context"
	"errors"
	"math/rand"
	"time"
)

// Policy configures Do.
type Policy struct {
	Attempts int           // total attempts, >= 1
	Base     time.Duration // first delay
	Max      time.Duration // cap on any delay (0: no cap)
	Factor   float64       // growth per attempt (0 means 2)
	Jitter   float64       // 0..1: fraction of each delay randomised
	Rand     *rand.Rand    // source for jitter (nil: no jitter)
}

// permanent wraps errors that must not be retried.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not retryable.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Delay returns the wait before retry number n (n = 1 is the first retry).
func (p Policy) Delay(n int) time.Duration {
	if n < 1 {
		return 0
	}
	factor := p.Factor
	if factor == 0 {
		factor = 2
	}
	d := float64(p.Base)
	for i := 1; i < n; i++ {
		d *= factor
		if p.Max > 0 && d >= float64(p.Max) {
			d = float64(p.Max)
			break
		}
	}
	if p.Max > 0 && d > float64(p.Max) {
		d = float64(p.Max)
	}
	if p.Jitter > 0 && p.Rand != nil {
		j := p.Jitter
		if j > 1 {
			j = 1
		}
		d = d*(1-j) + d*j*p.Rand.Float64()
	}
	return time.Duration(d)
}

// Do calls op until it succeeds, returns a permanent error, the attempts are
// used up, or ctx is done. It returns the number of attempts made and the
// last error.
func Do(ctx context.Context, p Policy, op func(attempt int) error) (int, error) {
	attempts := p.Attempts
	if attempts < 1 {
		attempts = 1
	}
	var err error
	for a := 1; a <= attempts; a++ {
		err = op(a)
		if err == nil {
			return a, nil
		}
		if IsPermanent(err) {
			return a, err
		}
		if a == attempts {
			break
		}
		t := time.NewTimer(p.Delay(a))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return a, ctx.Err()
		}
	}
	return attempts, err
}
