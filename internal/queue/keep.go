package queue

import (
	"context"
	"sync"
	"time"
)

// Keeper renews a batch's lease while the batch runs.
type Keeper struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	lost   bool
	err    error
}

// Keep starts renewing the lease of batch id, by lease (0: Config.Lease),
// every third of it, until Stop.
func (q *Queue) Keep(id string, lease time.Duration) *Keeper {
	if lease <= 0 {
		lease = q.cfg.Lease
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Keeper{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(k.done)
		t := time.NewTicker(max(lease/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ok, err := q.Heartbeat(ctx, id, lease)
			if ctx.Err() != nil {
				return
			}
			k.mu.Lock()
			if err != nil {
				k.err = err
			} else {
				k.err = nil
				if !ok {
					k.lost = true
				}
			}
			stop := k.lost
			k.mu.Unlock()
			if stop {
				return
			}
		}
	}()
	return k
}

// Stop stops the renewals and reports whether the lease was found lost,
// and the last renewal's error if it failed.
func (k *Keeper) Stop() (lost bool, err error) {
	k.cancel()
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lost, k.err
}
