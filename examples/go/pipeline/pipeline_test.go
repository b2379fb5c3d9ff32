package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// slow returns a stage that sleeps d per record before upper-casing it: it
// stands in for network or disk work, and is why this package's tests take
// a few seconds. Durations are fixed so timing-based sharding has something
// stable to learn.
func slow(d time.Duration) Stage {
	return func(ctx context.Context, in string) (string, error) {
		select {
		case <-time.After(d):
			return strings.ToUpper(in), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func suffix(s string) Stage {
	return func(_ context.Context, in string) (string, error) { return in + s, nil }
}

func dropEmpty(_ context.Context, in string) (string, error) {
	if in == "" {
		return "", ErrDropped
	}
	return in, nil
}

func failOn(bad string) Stage {
	return func(_ context.Context, in string) (string, error) {
		if in == bad {
			return "", errors.New("cannot process " + bad)
		}
		return in, nil
	}
}

func outs(rs []Result) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Out)
	}
	return strings.Join(s, ",")
}

func records(n int) []string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = string(rune('a' + i%26))
	}
	return rs
}

func TestRunOrder(t *testing.T) {
	p := &Pipeline{Stages: []Stage{suffix("!"), suffix("?")}, Workers: 3}
	rs, err := p.Run(context.Background(), []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if got := outs(rs); got != "a!?,b!?,c!?" {
		t.Fatalf("outs = %s", got)
	}
}

func TestRunDropsRecords(t *testing.T) {
	p := &Pipeline{Stages: []Stage{dropEmpty, suffix(".")}}
	rs, err := p.Run(context.Background(), []string{"x", "", "y", ""})
	if err != nil {
		t.Fatal(err)
	}
	if got := outs(rs); got != "x.,y." {
		t.Fatalf("outs = %s", got)
	}
}

func TestRunStageError(t *testing.T) {
	p := &Pipeline{Stages: []Stage{suffix("1"), failOn("b1")}, Workers: 2}
	rs, err := p.Run(context.Background(), []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	bad := Errors(rs)
	if len(bad) != 1 || bad[0].Index != 1 || !strings.Contains(bad[0].Err.Error(), "stage 1") {
		t.Fatalf("errors = %+v", bad)
	}
}

// TestSlowSingleWorker: 20 records × 100 ms on one worker ≈ 2 s.
func TestSlowSingleWorker(t *testing.T) {
	p := &Pipeline{Stages: []Stage{slow(100 * time.Millisecond)}, Workers: 1}
	rs, err := p.Run(context.Background(), records(20))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 20 || rs[19].Out != "T" {
		t.Fatalf("got %d results, last %q", len(rs), rs[len(rs)-1].Out)
	}
}

// TestSlowFourWorkers: 24 records × 250 ms on four workers ≈ 1.5 s.
func TestSlowFourWorkers(t *testing.T) {
	p := &Pipeline{Stages: []Stage{slow(250 * time.Millisecond)}, Workers: 4}
	rs, err := p.Run(context.Background(), records(24))
	if err != nil {
		t.Fatal(err)
	}
	if got := outs(rs); !strings.HasPrefix(got, "A,B,C,D") {
		t.Fatalf("outs = %s", got)
	}
}

// TestSlowTwoStages: 5 records × (100+100) ms on one worker ≈ 1 s.
func TestSlowTwoStages(t *testing.T) {
	p := &Pipeline{Stages: []Stage{slow(100 * time.Millisecond), suffix("-"), slow(100 * time.Millisecond)}}
	rs, err := p.Run(context.Background(), []string{"q", "r", "s", "t", "u"})
	if err != nil {
		t.Fatal(err)
	}
	if got := outs(rs); got != "Q-,R-,S-,T-,U-" {
		t.Fatalf("outs = %s", got)
	}
}

// TestCancel cancels a slow run after 500 ms.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	p := &Pipeline{Stages: []Stage{slow(200 * time.Millisecond)}, Workers: 2}
	_, err := p.Run(ctx, records(100))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

// TestSlowBurst: 16 records × 200 ms on eight workers ≈ 0.4 s.
func TestSlowBurst(t *testing.T) {
	p := &Pipeline{Stages: []Stage{slow(200 * time.Millisecond)}, Workers: 8}
	rs, err := p.Run(context.Background(), records(16))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 16 {
		t.Fatalf("got %d results", len(rs))
	}
}

func TestZeroWorkersMeansOne(t *testing.T) {
	p := &Pipeline{Stages: []Stage{suffix("+")}, Workers: 0}
	rs, err := p.Run(context.Background(), []string{"z"})
	if err != nil || outs(rs) != "z+" {
		t.Fatalf("rs = %+v, err = %v", rs, err)
	}
}
