package batch

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Concurrent calls are run in batches no larger than Max, every call gets its own
// result, and a batch's error reaches every call of that batch.
func TestGroupBatchesConcurrentCalls(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	release := make(chan struct{})
	first := make(chan struct{})
	var once sync.Once
	g := Group[int, int]{Max: 10, Run: func(_ context.Context, items []int) ([]int, error) {
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		once.Do(func() { close(first); <-release }) // hold the first batch until the others queue up
		for _, it := range items {
			if it < 0 {
				return nil, errors.New("negative")
			}
		}
		out := make([]int, len(items))
		for i, it := range items {
			out[i] = it * 2
		}
		return out, nil
	}}
	var wg sync.WaitGroup
	results := make([]int, 26)
	errs := make([]error, 26)
	wg.Add(1)
	go func() { defer wg.Done(); results[0], errs[0] = g.Do(0) }()
	<-first
	for i := 1; i < 26; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = g.Do(i) }()
	}
	// Wait until all 25 are queued behind the first batch.
	for {
		g.mu.Lock()
		n := len(g.queue)
		g.mu.Unlock()
		if n == 25 {
			break
		}
	}
	close(release)
	wg.Wait()
	for i := range 26 {
		if errs[i] != nil || results[i] != 2*i {
			t.Errorf("call %d: %d, %v", i, results[i], errs[i])
		}
	}
	if len(sizes) != 4 || sizes[0] != 1 || sizes[1] != 10 || sizes[2] != 10 || sizes[3] != 5 {
		t.Errorf("batch sizes %v, want [1 10 10 5]", sizes)
	}
	if _, err := g.Do(-1); err == nil {
		t.Error("a failing batch reported no error")
	}
}
