package queue_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"
	"github.com/xshard/xshard/internal/queue"
	"github.com/xshard/xshard/internal/redistest"
)

var ctx = context.Background()

func open(t *testing.T, url, key, worker string, workers int, mod ...func(*queue.Config)) *queue.Queue {
	t.Helper()
	cfg := queue.Config{URL: url, Key: key, Worker: worker, Workers: workers, RetryFor: 500 * time.Millisecond, DialTimeout: time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	q, err := queue.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func units(n int, sec func(i int) float64) []queue.Unit {
	out := make([]queue.Unit, n)
	for i := range out {
		out[i] = queue.Unit{ID: fmt.Sprintf("pkg.Test%03d", i), Seconds: sec(i)}
	}
	return out
}

func seed(t *testing.T, q *queue.Queue, fp string, us []queue.Unit) queue.Seeded {
	t.Helper()
	s, err := q.Seed(ctx, fp, us)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func next(t *testing.T, q *queue.Queue, lease time.Duration) queue.Claim {
	t.Helper()
	c, err := q.Next(ctx, lease)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ack(t *testing.T, q *queue.Queue, b *queue.Batch) queue.Acked {
	t.Helper()
	a, err := q.Ack(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFirstWorkerSeedsAndTheOthersJoin(t *testing.T) {
	srv := redistest.Start(t)
	us := units(50, func(int) float64 { return 1 })
	var wg sync.WaitGroup
	results := make([]queue.Seeded, 8)
	for i := range results {
		q := open(t, srv.URL(), "run-1", fmt.Sprintf("gw%d", i), 8)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := q.Seed(ctx, "fp-1", us)
			if err != nil {
				t.Error(err)
			}
			results[i] = s
		}()
	}
	wg.Wait()
	seeders := 0
	for i, r := range results {
		if r.Seeder {
			seeders++
			if r.By != fmt.Sprintf("gw%d", i) {
				t.Errorf("seeder gw%d reports seeded by %q", i, r.By)
			}
		}
		if r.Units != 50 || r.Fingerprint != "fp-1" {
			t.Errorf("gw%d: %+v, want 50 units of fp-1", i, r)
		}
	}
	if seeders != 1 {
		t.Fatalf("%d workers seeded the queue, want exactly 1", seeders)
	}
	st, err := open(t, srv.URL(), "run-1", "gw0", 8).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 50 || st.Units != 50 {
		t.Errorf("status %+v, want 50 pending of 50", st)
	}
}

func TestAQueueSeededByAnotherPlanIsRefusedNamingBoth(t *testing.T) {
	srv := redistest.Start(t)
	seed(t, open(t, srv.URL(), "run", "gw0", 2), "fp-A", units(3, func(int) float64 { return 1 }))
	_, err := open(t, srv.URL(), "run", "gw1", 2).Seed(ctx, "fp-B", units(4, func(int) float64 { return 1 }))
	var fe *queue.FingerprintError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FingerprintError", err)
	}
	for _, want := range []string{`"fp-A"`, `"fp-B"`, "gw0", srv.Addr()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestRunsSharingARedisDoNotSeeEachOthersUnits(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "repo/1-1", "gw0", 1)
	b := open(t, srv.URL(), "repo/1-2", "gw0", 1)
	seed(t, a, "fp", []queue.Unit{{ID: "A", Seconds: 1}})
	seed(t, b, "fp", []queue.Unit{{ID: "B", Seconds: 1}})
	for q, want := range map[*queue.Queue]string{a: "A", b: "B"} {
		c := next(t, q, 0)
		if c.Batch == nil || !slices.Equal(c.Batch.Units, []string{want}) {
			t.Errorf("%s: claimed %+v, want [%s]", q.Key(), c.Batch, want)
		}
	}
}

func TestBatchesShrinkAsTheQueueDrains(t *testing.T) {
	srv := redistest.Start(t)
	// 100 units of 1 s, longest first as seeded; 4 workers, k = 2:
	// each batch takes remaining / 8 of the predicted time.
	q := open(t, srv.URL(), "run", "gw0", 4)
	us := units(100, func(int) float64 { return 1 })
	seed(t, q, "fp", us)
	var sizes []int
	var got []string
	for {
		c := next(t, q, time.Minute)
		if c.Batch == nil {
			if !c.Drained {
				t.Fatalf("claim %+v: want drained once all is acknowledged", c)
			}
			break
		}
		sizes = append(sizes, len(c.Batch.Units))
		got = append(got, c.Batch.Units...)
		if a := ack(t, q, c.Batch); !a.Held || a.First != len(c.Batch.Units) || a.Again != 0 {
			t.Fatalf("ack %+v", a)
		}
	}
	var want []string
	for _, u := range us {
		want = append(want, u.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units claimed, in order (-seeded +claimed):\n%s", diff)
	}
	// ceil(remaining/8) each time: 13, 11, 10, 8, 7, ...
	wantSizes := []int{}
	for rem := 100; rem > 0; {
		n := (rem + 7) / 8
		wantSizes = append(wantSizes, n)
		rem -= n
	}
	if diff := cmp.Diff(wantSizes, sizes); diff != "" {
		t.Errorf("batch sizes (-guided +got):\n%s", diff)
	}
}

func TestBatchSizeRespectsMaxUnitsAndMinBatch(t *testing.T) {
	srv := redistest.Start(t)
	q := open(t, srv.URL(), "run", "gw0", 1, func(c *queue.Config) { c.MaxUnits = 5 })
	seed(t, q, "fp", units(40, func(int) float64 { return 0.1 }))
	if c := next(t, q, 0); len(c.Batch.Units) != 5 {
		t.Errorf("first batch has %d units, want MaxUnits 5", len(c.Batch.Units))
	}
	r := open(t, srv.URL(), "run2", "gw0", 8, func(c *queue.Config) { c.MinBatch = time.Second })
	seed(t, r, "fp", units(40, func(int) float64 { return 0.1 }))
	c := next(t, r, 0)
	if len(c.Batch.Units) != 10 || c.Batch.Predicted != 1 {
		t.Errorf("first batch %d units, %.1fs predicted; want 10 units reaching MinBatch 1s", len(c.Batch.Units), c.Batch.Predicted)
	}
}

func TestAnExpiredLeaseGoesBackToTheHeadOfTheQueue(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "run", "gw0", 2)
	b := open(t, srv.URL(), "run", "gw1", 2)
	seed(t, a, "fp", units(20, func(i int) float64 { return float64(20 - i) }))
	lost := next(t, a, 150*time.Millisecond).Batch
	time.Sleep(200 * time.Millisecond)
	got := next(t, b, time.Minute).Batch
	if !slices.Equal(got.Units[:len(lost.Units)], lost.Units) || !slices.Equal(got.Requeued, lost.Units) {
		t.Fatalf("gw1 claimed %v (requeued %v), want gw0's lost batch %v first, marked requeued", got.Units, got.Requeued, lost.Units)
	}
	if ok, err := a.Heartbeat(ctx, lost.ID, 0); ok || err != nil {
		t.Errorf("heartbeat of a lost lease = %v, %v; want false", ok, err)
	}
	// gw0 finishes late: its units ran, but gw1 holds them too.
	if ac := ack(t, a, lost); ac.Held || ac.First != len(lost.Units) || ac.TakenBack != 0 {
		t.Errorf("late ack %+v, want not held, %d first acknowledgements", ac, len(lost.Units))
	}
	if ac := ack(t, b, got); !ac.Held || ac.Again != len(lost.Units) {
		t.Errorf("ack of the requeued batch %+v, want held and %d repeated acknowledgements", ac, len(lost.Units))
	}
	st, _ := a.Status(ctx)
	if st.Requeued != len(lost.Units) {
		t.Errorf("status counts %d requeued units, want %d", st.Requeued, len(lost.Units))
	}
}

func TestALateAckTakesBackUnclaimedUnits(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "run", "gw0", 1)
	seed(t, a, "fp", units(30, func(int) float64 { return 1 }))
	lost := next(t, a, 100*time.Millisecond).Batch
	time.Sleep(150 * time.Millisecond)
	// A claim by anyone gives the expired batch back: here gw0's own
	// next claim takes part of it again; the rest stays queued.
	again := next(t, open(t, srv.URL(), "run", "gw1", 8, func(c *queue.Config) { c.MaxUnits = 1 }), time.Minute).Batch
	ac := ack(t, a, lost)
	if ac.Held || ac.TakenBack != len(lost.Units)-1 {
		t.Errorf("late ack %+v: want %d units taken back out of the queue (one was claimed again: %v)", ac, len(lost.Units)-1, again.Units)
	}
	st, _ := a.Status(ctx)
	if want := 30 - len(lost.Units); st.Pending != want {
		t.Errorf("%d pending, want %d", st.Pending, want)
	}
}

func TestAHeartbeatKeepsTheLease(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "run", "gw0", 2)
	b := open(t, srv.URL(), "run", "gw1", 2, func(c *queue.Config) { c.MaxUnits = 100 })
	seed(t, a, "fp", units(4, func(int) float64 { return 1 }))
	mine := next(t, a, 150*time.Millisecond).Batch
	k := a.Keep(mine.ID, 150*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	for {
		c := next(t, b, time.Minute)
		if c.Batch == nil {
			if c.Drained || c.Wait <= 0 {
				t.Errorf("claim while gw0's batch runs = %+v, want a wait", c)
			}
			break
		}
		for _, u := range mine.Units {
			if slices.Contains(c.Batch.Units, u) {
				t.Errorf("gw1 claimed %s while gw0 renewed its lease", u)
			}
		}
		ack(t, b, c.Batch)
	}
	if lost, err := k.Stop(); lost || err != nil {
		t.Errorf("keeper: lost %v, err %v", lost, err)
	}
	if ac := ack(t, a, mine); !ac.Held {
		t.Errorf("ack after renewals %+v, want held", ac)
	}
	if c := next(t, b, time.Minute); !c.Drained {
		t.Errorf("claim after every ack = %+v, want drained", c)
	}
}

func TestAReleasedBatchIsClaimedAtOnce(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "run", "gw0", 2)
	seed(t, a, "fp", units(6, func(int) float64 { return 1 }))
	c := next(t, a, time.Hour).Batch
	if ok, err := a.Release(ctx, c.ID); !ok || err != nil {
		t.Fatalf("release = %v, %v", ok, err)
	}
	got := next(t, open(t, srv.URL(), "run", "gw1", 2), time.Hour).Batch
	if !slices.Equal(got.Requeued, c.Units) {
		t.Errorf("claimed %v after a release, want %v again first", got.Units, c.Units)
	}
}

func TestTheLogListsAWorkersBatchesInOrder(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL(), "run", "gw0", 2)
	seed(t, a, "fp", units(10, func(int) float64 { return 1 }))
	b1 := next(t, a, time.Minute).Batch
	ack(t, a, b1)
	b2 := next(t, a, time.Minute).Batch
	log, err := a.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []queue.Logged{{ID: b1.ID, Units: b1.Units}, {ID: b2.ID, Units: b2.Units, Running: true}}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	if l, _ := open(t, srv.URL(), "run", "gw1", 2).Log(ctx); len(l) != 0 {
		t.Errorf("gw1's log = %v, want empty", l)
	}
}

func TestKeysExpire(t *testing.T) {
	srv := redistest.Start(t)
	q := open(t, srv.URL(), "run", "gw0", 1, func(c *queue.Config) { c.TTL = time.Hour })
	seed(t, q, "fp", units(3, func(int) float64 { return 1 }))
	ack(t, q, next(t, q, 0).Batch)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 6 {
		t.Fatalf("keys %v: want the queue's keys", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, queue.Prefix("run")) {
			t.Errorf("key %q outside the queue's prefix", k)
		}
		ttl := rdb.PTTL(ctx, k).Val()
		if ttl <= 0 || ttl > time.Hour {
			t.Errorf("key %q has TTL %v, want (0, 1h]", k, ttl)
		}
	}
}

func TestAKeyHoldingAnotherTypeIsNamed(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	rdb.Set(ctx, queue.Prefix("run")+"queue", "not a list", 0)
	_, err := open(t, srv.URL(), "run", "gw0", 1).Seed(ctx, "fp", units(2, func(int) float64 { return 1 }))
	var qe *queue.Error
	if !errors.As(err, &qe) || qe.Kind != queue.KindWrongType || !strings.Contains(err.Error(), `"xshard:{run}:queue" holds a string`) {
		t.Errorf("err = %v, want a wrong-type error naming the key", err)
	}
}

func TestConnectionFaultsAreClassified(t *testing.T) {
	plain := redistest.Start(t)
	secret := redistest.StartWith(t, redistest.Options{Password: "s3cret-pw"})
	tlsSrv := redistest.StartWith(t, redistest.Options{TLS: true})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(tlsSrv.CAPEM)
	dead := fmt.Sprintf("redis://127.0.0.1:%d/0", redistest.FreePort(t))
	tests := []struct {
		name, url string
		roots     *x509.CertPool
		kind      queue.Kind
		want      string
	}{
		{"nothing listens", dead, nil, queue.KindUnreachable, "connection refused"},
		{"a wrong password", "redis://:wrong-pw@" + secret.Addr(), nil, queue.KindAuth, "check the password"},
		{"no password where one is needed", "redis://" + secret.Addr(), nil, queue.KindAuth, "NOAUTH"},
		{"rediss to a plain port", "rediss://" + plain.Addr(), nil, queue.KindTLS, "rediss://"},
		{"an untrusted certificate", tlsSrv.URL(), nil, queue.KindTLS, "certificate"},
		{"redis to a TLS port", "redis://" + tlsSrv.Addr(), nil, queue.KindUnreachable, "TLS port"},
		{"not a URL", "http://" + plain.Addr(), nil, queue.KindConfig, "not a Redis URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := queue.Open(ctx, queue.Config{URL: tt.url, Key: "k", Worker: "gw0", RootCAs: tt.roots, DialTimeout: time.Second, RetryFor: 200 * time.Millisecond})
			var qe *queue.Error
			if !errors.As(err, &qe) || qe.Kind != tt.kind {
				t.Fatalf("err = %v, want kind %v", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "wrong-pw") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	t.Run("TLS with the server's CA and the password", func(t *testing.T) {
		q := open(t, tlsSrv.URL(), "k", "gw0", 1, func(c *queue.Config) { c.RootCAs = pool })
		seed(t, q, "fp", units(1, func(int) float64 { return 1 }))
		if c := next(t, q, 0); c.Batch == nil {
			t.Errorf("claim over TLS = %+v", c)
		}
		open(t, "redis://:s3cret-pw@"+secret.Addr(), "k", "gw0", 1)
	})
}

func TestARedisLostMidRunIsReportedAsLost(t *testing.T) {
	srv := redistest.Start(t)
	q := open(t, srv.URL(), "run", "gw0", 1)
	seed(t, q, "fp", units(10, func(int) float64 { return 1 }))
	b := next(t, q, 0).Batch
	srv.Kill()
	start := time.Now()
	_, err := q.Ack(ctx, b.ID)
	var qe *queue.Error
	if !errors.As(err, &qe) || qe.Kind != queue.KindLost {
		t.Fatalf("ack after Redis died: %v, want a lost-connection error", err)
	}
	if !strings.Contains(err.Error(), srv.Addr()) || !strings.Contains(err.Error(), "did not run here") {
		t.Errorf("error %q does not name the server and the consequence", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("giving up took %v, want about RetryFor (500ms)", d)
	}
}

func TestRedactHidesThePassword(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:pw@h:6379/0":     "redis://:xxxxx@h:6379/0",
		"rediss://user:pw@h:6380":  "rediss://user:xxxxx@h:6380",
		"redis://h:6379":           "redis://h:6379",
		"redis://:p%zz@h:1":        "redis://(unparsable URL)",
		"redis://user@h:1/2":       "redis://user@h:1/2",
		"unix:///run/redis.sock":   "unix:///run/redis.sock",
		"rediss://:a%40b@host:123": "rediss://:xxxxx@host:123",
	} {
		if got := queue.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLeaseFor(t *testing.T) {
	if got := queue.LeaseFor(30*time.Second, time.Minute, true); got != 30*time.Second {
		t.Errorf("with heartbeats: %v, want the base lease", got)
	}
	if got := queue.LeaseFor(30*time.Second, time.Minute, false); got != 150*time.Second {
		t.Errorf("without heartbeats: %v, want base + 2 × predicted", got)
	}
}
