// Package batch runs the calls of concurrent callers in batches, like a database's group
// commit.
package batch

import (
	"context"
	"sync"
	"time"
)

// Group runs the calls of concurrent callers in batches, like a database's group commit:
// the first caller runs its call at once; calls that arrive meanwhile wait and run
// together in the next batch, led by the first of them. Under load, one statement does the
// work of many calls; alone, a call runs without delay. The zero Group is not usable: set
// Run and Max.
type Group[T, R any] struct {
	Run func(ctx context.Context, items []T) ([]R, error) // one result per item, in order
	Max int                                               // items in one batch

	mu    sync.Mutex
	busy  bool
	queue []*call[T, R]
}

type call[T, R any] struct {
	item T
	res  R
	err  error
	lead bool          // this caller runs the next batch
	done chan struct{} // closed when res and err are set, or lead is
}

// batchTimeout bounds one batch. A batch runs to the end even when the caller that leads
// it is cancelled: the others wait for it, and a claim made must reach its worker.
const batchTimeout = 10 * time.Second

// Do runs item in a batch and returns its result.
func (g *Group[T, R]) Do(item T) (R, error) {
	c := &call[T, R]{item: item, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.busy {
		g.mu.Unlock()
		<-c.done
		if !c.lead {
			return c.res, c.err
		}
		g.mu.Lock()
	}
	// Lead: run the queue (this call first), then hand the lead to the next waiter.
	g.busy = true
	n := min(len(g.queue), g.Max)
	batch := g.queue[:n:n]
	g.queue = append([]*call[T, R](nil), g.queue[n:]...)
	g.mu.Unlock()

	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	res, err := g.Run(ctx, items)
	cancel()
	for i, b := range batch {
		if err != nil {
			b.err = err
		} else {
			b.res = res[i]
		}
		if b != c {
			close(b.done)
		}
	}

	g.mu.Lock()
	if len(g.queue) == 0 {
		g.busy = false
	} else {
		next := g.queue[0]
		next.lead = true
		close(next.done)
	}
	g.mu.Unlock()
	return c.res, c.err
}
