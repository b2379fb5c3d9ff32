package queue_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/redistest"
)

// TestEveryUnitIsAcknowledgedOnceUnlessALeaseExpired is the queue's
// property: for random unit sets, worker counts and worker speeds, with
// some workers dying in the middle of a batch (no acknowledgement, no more
// heartbeats), every unit is acknowledged, exactly once unless it was in
// a batch whose lease expired, and then its second run is marked as a
// requeue in the claim that ran it again.
func TestEveryUnitIsAcknowledgedOnceUnlessALeaseExpired(t *testing.T) {
	srv := redistest.Start(t)
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	deaths := 0
	for round := range rounds {
		rng := rand.New(rand.NewPCG(uint64(round), 7))
		n := 1 + rng.IntN(150)
		workers := 1 + rng.IntN(8)
		us := units(n, func(int) float64 { return rng.Float64() * 3 })
		speeds := make([]float64, workers)
		dies := make([]bool, workers)
		for i := range speeds {
			speeds[i] = 0.2 + rng.Float64()*2   // milliseconds of sleep per predicted second
			dies[i] = i > 0 && rng.IntN(4) == 0 // gw0 always survives
		}
		t.Run(fmt.Sprintf("round %d: %d units, %d workers", round, n, workers), func(t *testing.T) {
			key := fmt.Sprintf("prop-%d", round)
			const lease = 150 * time.Millisecond
			var mu sync.Mutex
			lostUnits := map[string]bool{} // in a batch whose lease was lost
			requeued := map[string]int{}   // times claimed again as requeued
			var wg sync.WaitGroup
			for w := range workers {
				q := open(t, srv.URL(), key, fmt.Sprintf("gw%d", w), workers)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := q.Seed(ctx, "fp", us); err != nil {
						t.Error(err)
						return
					}
					for {
						c, err := q.Next(ctx, lease)
						if err != nil {
							t.Error(err)
							return
						}
						if c.Drained {
							return
						}
						if c.Batch == nil {
							time.Sleep(min(c.Wait, 20*time.Millisecond))
							continue
						}
						b := c.Batch
						mu.Lock()
						for _, u := range b.Requeued {
							requeued[u]++
						}
						mu.Unlock()
						if dies[w] {
							mu.Lock()
							for _, u := range b.Units {
								lostUnits[u] = true
							}
							mu.Unlock()
							return // killed mid-batch: no ack, no heartbeat
						}
						k := q.Keep(b.ID, lease)
						time.Sleep(time.Duration(b.Predicted * speeds[w] * float64(time.Millisecond)))
						lost, err := k.Stop()
						if err != nil {
							t.Error(err)
						}
						a, err := q.Ack(ctx, b.ID)
						if err != nil {
							t.Error(err)
							return
						}
						if !a.Held || lost {
							mu.Lock()
							for _, u := range b.Units {
								lostUnits[u] = true
							}
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if len(lostUnits) > 0 {
				deaths++
			}
			acks, err := open(t, srv.URL(), key, "gw0", workers).Acks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range us {
				switch c := acks[u.ID]; {
				case c == 0:
					t.Errorf("unit %s was never acknowledged", u.ID)
				case c > 1 && !lostUnits[u.ID]:
					t.Errorf("unit %s acknowledged %d times without a lost lease", u.ID, c)
				case c > 1 && requeued[u.ID] == 0:
					t.Errorf("unit %s ran again without being marked requeued", u.ID)
				}
				if lostUnits[u.ID] && requeued[u.ID] == 0 && acks[u.ID] == 0 {
					t.Errorf("unit %s of a lost batch was not run again", u.ID)
				}
			}
			if len(acks) != n {
				t.Errorf("%d units acknowledged, %d seeded", len(acks), n)
			}
		})
	}
	if deaths == 0 {
		t.Error("no round lost a lease: the property was not exercised")
	}
}
