// Package pipeline runs records through a sequence of stages with a pool of
// workers, preserving input order in the output.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Stage transforms one record.
type Stage func(ctx context.Context, in string) (string, error)

// ErrDropped marks a record a stage chose to drop (a filter).
var ErrDropped = errors.New("pipeline: record dropped")

// Pipeline is an ordered list of stages run by Workers goroutines.
type Pipeline struct {
	Stages  []Stage
	Workers int
}

// Result is the outcome for one input record.
type Result struct {
	Index int
	Out   string
	Err   error
}

// Run processes inputs and returns one Result per input, in input order,
// with dropped records omitted. It stops early when ctx is cancelled.
func (p *Pipeline) Run(ctx context.Context, inputs []string) ([]Result, error) {
	workers := p.Workers
	if workers < 1 {
		workers = 1
	}
	results := make([]Result, len(inputs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = p.one(ctx, i, inputs[i])
			}
		}()
	}
feed:
	for i := range inputs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := results[:0]
	for _, r := range results {
		if errors.Is(r.Err, ErrDropped) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *Pipeline) one(ctx context.Context, i int, rec string) Result {
	cur := rec
	for n, st := range p.Stages {
		if err := ctx.Err(); err != nil {
			return Result{Index: i, Err: err}
		}
		next, err := st(ctx, cur)
		if err != nil {
			if errors.Is(err, ErrDropped) {
				return Result{Index: i, Err: err}
			}
			return Result{Index: i, Err: fmt.Errorf("stage %d: %w", n, err)}
		}
		cur = next
	}
	return Result{Index: i, Out: cur}
}

// Errors returns the failed results.
func Errors(rs []Result) []Result {
	var bad []Result
	for _, r := range rs {
		if r.Err != nil {
			bad = append(bad, r)
		}
	}
	return bad
}
