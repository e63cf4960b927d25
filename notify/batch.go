package notify

import (
	"context"
	"sync"
	"time"
)

// group runs the calls of concurrent workers in batches, like a database's group commit:
// the first caller runs its call at once; calls that arrive meanwhile wait and run
// together in the next batch, led by the first of them. Under load, one statement claims
// or records many notifications; alone, a call runs without delay.
type group[T, R any] struct {
	run func(ctx context.Context, items []T) ([]R, error) // one result per item, in order
	max int                                               // items in one batch

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

// do runs item in a batch and returns its result.
func (g *group[T, R]) do(item T) (R, error) {
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
	n := min(len(g.queue), g.max)
	batch := g.queue[:n:n]
	g.queue = append([]*call[T, R](nil), g.queue[n:]...)
	g.mu.Unlock()

	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	res, err := g.run(ctx, items)
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
