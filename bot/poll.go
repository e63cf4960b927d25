package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// window is how many updates may be in flight at once: Telegram returns at most 100 per
// getUpdates, all at or after the offset, and the offset cannot pass an update in flight.
const window = 100

type updateState int

const (
	inFlight updateState = iota
	handled
	failed
)

// poller owns the state of long polling: which updates are in flight, handled or failed,
// and one queue per chat. Only its loop touches states; queues are shared with workers.
type poller struct {
	b       *Bot
	ctx     context.Context // handling context: outlives a shutdown by the grace period
	states  map[int64]updateState
	maxSeen int64
	results chan pollResult
	sem     chan struct{}
	wg      sync.WaitGroup

	mu     sync.Mutex
	queues map[int64][]*models.Update // chat → updates waiting, in order
	active map[int64]bool             // chat → a worker runs it
}

type pollResult struct {
	ids []int64 // the update handled or failed, then for a failure those dropped after it
	err error
}

// Poll serves updates by long polling until ctx ends. Telegram counts an update as
// delivered once getUpdates is called with an offset past it, so the offset never passes
// an update that is not handled yet: it stays at the oldest update in flight or failed.
// Updates of one chat are handled in order by one worker; chats run in parallel, so a slow
// chat holds back nobody else. When an update fails, it and the later ones of its chat are
// fetched and handled again, in order; those already handled (a redelivery) are skipped
// by their id.
func (b *Bot) Poll(ctx context.Context) error {
	b.log.InfoContext(ctx, "polling for updates")
	hctx, cancel := b.graceful(ctx)
	defer cancel()
	p := &poller{b: b, ctx: hctx, states: map[int64]updateState{}, results: make(chan pollResult, window),
		sem: make(chan struct{}, b.cfg.Workers), queues: map[int64][]*models.Update{}, active: map[int64]bool{}}
	defer p.wg.Wait()
	backoff := time.Duration(0)
	for {
		p.collect()
		if backoff > 0 || p.count(inFlight) >= window {
			if !p.pause(ctx, backoff) {
				return nil
			}
			backoff = 0
			continue
		}
		busy := p.count(inFlight) > 0
		timeout := b.cfg.PollTimeout
		if busy {
			timeout = 0 // answers at once; new updates are noticed while others run
		}
		us, err := b.getUpdates(ctx, p.offset(), timeout, func(id int64) bool {
			st, seen := p.states[id]
			return seen && st != failed
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			var ra *retryAfterError
			if errors.As(err, &ra) {
				backoff = ra.d
			} else {
				backoff = 500 * time.Millisecond
			}
			b.log.WarnContext(ctx, "get updates failed", "err", err, "retry_in", backoff)
			continue
		}
		fresh := 0
		for _, u := range us {
			if st, seen := p.states[u.ID]; seen && st != failed {
				continue
			}
			fresh++
			p.states[u.ID] = inFlight
			p.maxSeen = max(p.maxSeen, u.ID)
			p.enqueue(u)
		}
		if fresh == 0 && busy {
			// Nothing new yet: wait for a result, or a moment, before asking again.
			if !p.pause(ctx, 25*time.Millisecond) {
				return nil
			}
		}
	}
}

// offset is the oldest update not handled yet, or the one after the newest seen.
func (p *poller) offset() int64 {
	var low int64
	for id, st := range p.states {
		if st != handled && (low == 0 || id < low) {
			low = id
		}
	}
	if low == 0 {
		low = p.maxSeen + 1
		if p.maxSeen == 0 {
			low = 0
		}
	}
	for id := range p.states {
		if id < low {
			delete(p.states, id) // confirmed by this offset
		}
	}
	return low
}

func (p *poller) count(s updateState) int {
	n := 0
	for _, st := range p.states {
		if st == s {
			n++
		}
	}
	return n
}

// pause waits for d, or for a result when d is zero or a result comes first; false when
// ctx ended.
func (p *poller) pause(ctx context.Context, d time.Duration) bool {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case r := <-p.results:
		p.record(r)
	case <-timer:
	}
	return true
}

// collect records the results that are in.
func (p *poller) collect() {
	for {
		select {
		case r := <-p.results:
			p.record(r)
		default:
			return
		}
	}
}

func (p *poller) record(r pollResult) {
	if r.err == nil {
		p.states[r.ids[0]] = handled
		return
	}
	for _, id := range r.ids {
		p.states[id] = failed
	}
}

func (p *poller) enqueue(u *models.Update) {
	chat := chatOf(u)
	p.mu.Lock()
	p.queues[chat] = append(p.queues[chat], u)
	start := !p.active[chat]
	p.active[chat] = true
	p.mu.Unlock()
	if start {
		p.wg.Add(1)
		go p.work(chat)
	}
}

// work handles a chat's queue in order until it is empty.
func (p *poller) work(chat int64) {
	defer p.wg.Done()
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	for {
		p.mu.Lock()
		q := p.queues[chat]
		if len(q) == 0 {
			delete(p.queues, chat)
			delete(p.active, chat)
			p.mu.Unlock()
			return
		}
		u := q[0]
		p.queues[chat] = q[1:]
		p.mu.Unlock()

		err := p.b.HandleUpdate(p.ctx, u)
		if err == nil {
			p.results <- pollResult{ids: []int64{u.ID}}
			continue
		}
		if p.ctx.Err() == nil {
			p.b.log.ErrorContext(p.ctx, "handle update", "update_id", u.ID, "err", err)
		}
		// The chat's later updates wait for this one to be handled first.
		p.mu.Lock()
		ids := []int64{u.ID}
		for _, later := range p.queues[chat] {
			ids = append(ids, later.ID)
		}
		delete(p.queues, chat)
		delete(p.active, chat)
		p.mu.Unlock()
		p.results <- pollResult{ids: ids, err: err}
		return
	}
}
