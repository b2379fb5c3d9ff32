package queue_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/queue"
	"github.com/xshard/xshard/internal/redistest"
)

// BenchmarkSeed seeds a queue of 100,000 units (one op), the bar being
// one second on loopback.
func BenchmarkSeed(b *testing.B) {
	srv := redistest.Start(b)
	us := make([]queue.Unit, 100_000)
	for i := range us {
		us[i] = queue.Unit{ID: fmt.Sprintf("tests/pkg%03d/test_module_%04d.py::test_case_%06d", i%100, i%1000, i), Seconds: float64(i%97) / 10}
	}
	n := 0
	for b.Loop() {
		q, err := queue.Open(ctx, queue.Config{URL: srv.URL(), Key: fmt.Sprintf("seed-%d", n), Worker: "gw0", Workers: 8})
		if err != nil {
			b.Fatal(err)
		}
		if s, err := q.Seed(ctx, "fp", us); err != nil || !s.Seeder {
			b.Fatal(s, err)
		}
		q.Close()
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1e6, "s/seed")
}

// BenchmarkClaimAck drains a queue of 10,000 units with 8 concurrent
// workers that claim, heartbeat once and acknowledge every batch without
// running anything: the whole cost of the queue (one op), the bar being
// two seconds, or 0.2 ms per unit.
func BenchmarkClaimAck(b *testing.B) {
	srv := redistest.Start(b)
	us := make([]queue.Unit, 10_000)
	for i := range us {
		us[i] = queue.Unit{ID: fmt.Sprintf("pkg%02d.Test%05d", i%50, i), Seconds: 0.01 + float64(i%13)/100}
	}
	n := 0
	var batches int
	for b.Loop() {
		key := fmt.Sprintf("drain-%d", n)
		n++
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := range 8 {
			q, err := queue.Open(ctx, queue.Config{URL: srv.URL(), Key: key, Worker: fmt.Sprintf("gw%d", w), Workers: 8})
			if err != nil {
				b.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer q.Close()
				if _, err := q.Seed(ctx, "fp", us); err != nil {
					b.Error(err)
					return
				}
				for {
					c, err := q.Next(ctx, time.Minute)
					if err != nil {
						b.Error(err)
						return
					}
					if c.Drained {
						return
					}
					if c.Batch == nil {
						time.Sleep(time.Millisecond)
						continue
					}
					if _, err := q.Heartbeat(ctx, c.Batch.ID, time.Minute); err != nil {
						b.Error(err)
					}
					if _, err := q.Ack(ctx, c.Batch.ID); err != nil {
						b.Error(err)
					}
					mu.Lock()
					batches++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/10_000/1000, "ms/unit")
	b.ReportMetric(float64(batches)/float64(b.N), "batches/op")
}
