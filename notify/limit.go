package notify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// limiter keeps every Notifier sharing the Redis under the global rate and each chat
// under one message per ChatInterval. Rate limits are about real time: it uses the wall
// clock, never the injected one.
//
// A message passes in steps: enter takes one of the process's few send slots; the caller
// claims the notification in the outbox; chatToken takes the chat's token; takeGlobal
// waits for a global token, and the message leaves at once. So nothing slow — no
// database, no other Redis call — stands between the global token and the request: what
// reaches Telegram in any second is what the global limit let through, give or take the
// jitter of a local hand-off and an HTTP request. The slots bound how long a chat's token
// and a claim wait for the global token: about slots/GlobalRate per process (40 ms), well
// within the tenth of a second ChatInterval keeps to spare.
type limiter struct {
	rl         *redis_rate.Limiter
	globalKey  string
	global     redis_rate.Limit
	chatPrefix string
	chat       redis_rate.Limit
	group      redis_rate.Limit // besides chat, for group chats (negative ids)
	interval   time.Duration    // between two global tokens
	slots      chan struct{}

	mu      sync.Mutex
	replies []chan error        // conversation replies waiting for a global token: served first
	waiters []chan error        // slot holders waiting for a global token, in order
	pumping bool                // a pump hands out tokens to the waiters
	paused  time.Time           // no sends before (after a 429)
	busy    map[int64]time.Time // chat → refused until
}

func newLimiter(cfg Config) *limiter {
	// The global limit runs Headroom under the rate: GlobalRate tokens per a period
	// slightly longer than a second.
	period := time.Duration(float64(time.Second) / (1 - cfg.Headroom))
	return &limiter{
		rl:         redis_rate.NewLimiter(cfg.Redis),
		globalKey:  cfg.RedisPrefix + "notify:global",
		global:     redis_rate.Limit{Rate: cfg.GlobalRate, Burst: cfg.GlobalBurst, Period: period},
		chatPrefix: cfg.RedisPrefix + "notify:chat:",
		chat:       redis_rate.Limit{Rate: 1, Burst: 1, Period: cfg.ChatInterval},
		group:      redis_rate.Limit{Rate: 1, Burst: 1, Period: cfg.GroupInterval},
		interval:   period / time.Duration(cfg.GlobalRate),
		slots:      make(chan struct{}, max(1, cfg.GlobalRate/25)),
		busy:       map[int64]time.Time{},
	}
}

// pass is a send slot.
type pass struct {
	l    *limiter
	once sync.Once
}

// release gives the slot back; later calls do nothing.
func (p *pass) release() { p.once.Do(func() { <-p.l.slots }) }

// enter waits for the chat to be free by what this process knows, then for a send slot.
// When the chat stays busy past deadline it takes nothing and returns how long to snooze.
func (l *limiter) enter(ctx context.Context, chatID int64, deadline time.Time) (*pass, time.Duration, error) {
	if until := l.busyUntil(chatID); !until.IsZero() {
		if until.After(deadline) {
			return nil, time.Until(until), nil
		}
		if err := sleep(ctx, time.Until(until)); err != nil {
			return nil, 0, err
		}
	}
	select {
	case l.slots <- struct{}{}:
		return &pass{l: l}, 0, nil
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

// chatToken takes the chat's token, or reports that the chat is busy (and remembers until
// when).
func (l *limiter) chatToken(ctx context.Context, chatID int64) (bool, error) {
	wait, err := takeChat(ctx, l.rl, l.chatPrefix, chatID, l.chat, l.group)
	if err != nil || wait == 0 {
		return err == nil, err
	}
	l.setBusy(chatID, time.Now().Add(wait))
	return false, nil
}

// takeChat takes a token of the chat's limit and, for a group chat (a negative id), of the
// group's: 0 when both were given, else how long to wait. The keys are shared by every
// process on the Redis (the notifier's sends and the bot's own messages in the group).
func takeChat(ctx context.Context, rl *redis_rate.Limiter, prefix string, chatID int64, chat, group redis_rate.Limit) (time.Duration, error) {
	id := strconv.FormatInt(chatID, 10)
	if chatID < 0 {
		// The group's limit first: a refusal there must not spend the chat's token.
		res, err := rl.Allow(ctx, prefix+"group:"+id, group)
		if err != nil {
			return 0, fmt.Errorf("rate limit of the group (Redis): %w", err)
		}
		if res.Allowed == 0 {
			return max(res.RetryAfter, time.Millisecond), nil
		}
	}
	res, err := rl.Allow(ctx, prefix+id, chat)
	if err != nil {
		return 0, fmt.Errorf("rate limit of the chat (Redis): %w", err)
	}
	if res.Allowed == 0 {
		return max(res.RetryAfter, time.Millisecond), nil
	}
	return 0, nil
}

// GroupGate keeps the bot's own messages to a group chat (answers to commands there,
// edits of claimed cards) within the same per-chat and per-group limits as notifications,
// through the same Redis keys.
type GroupGate struct {
	rl     *redis_rate.Limiter
	prefix string
	chat   redis_rate.Limit
	group  redis_rate.Limit
}

// NewGroupGate returns a gate on the Redis with the notifiers' key prefix (default
// "orderbot:") and the default intervals (1.1 s a chat, 3.1 s a group).
func NewGroupGate(r redis.UniversalClient, prefix string) *GroupGate {
	if prefix == "" {
		prefix = "orderbot:"
	}
	return &GroupGate{rl: redis_rate.NewLimiter(r), prefix: prefix + "notify:chat:",
		chat:  redis_rate.Limit{Rate: 1, Burst: 1, Period: 1100 * time.Millisecond},
		group: redis_rate.Limit{Rate: 1, Burst: 1, Period: 3100 * time.Millisecond}}
}

// Wait waits until one more message may go to the chat, or ctx ends.
func (g *GroupGate) Wait(ctx context.Context, chatID int64) error {
	for {
		wait, err := takeChat(ctx, g.rl, g.prefix, chatID, g.chat, g.group)
		if err != nil || wait == 0 {
			return err
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// takeGlobal waits for a token of the global limit. The slot holders of this process
// queue here in order and one pump asks Redis for tokens and hands them out, so that Redis
// sees about one request per token, not one per waiting worker at every refusal.
func (l *limiter) takeGlobal(ctx context.Context) error { return l.queueFor(ctx, &l.waiters) }

// takeReply waits for a token of the global limit for a conversation reply, ahead of
// every notification waiting in this process: what a user waits for right now goes
// first; notifications take the tokens replies leave.
func (l *limiter) takeReply(ctx context.Context) error { return l.queueFor(ctx, &l.replies) }

// queueFor waits in queue (l.waiters or l.replies) for a global token from the pump.
func (l *limiter) queueFor(ctx context.Context, queue *[]chan error) error {
	w := make(chan error, 1)
	l.mu.Lock()
	*queue = append(*queue, w)
	if !l.pumping {
		l.pumping = true
		go l.pump()
	}
	l.mu.Unlock()
	select {
	case err := <-w:
		return err
	case <-ctx.Done():
		l.mu.Lock()
		if i := slices.Index(*queue, w); i >= 0 {
			*queue = slices.Delete(*queue, i, i+1)
		}
		l.mu.Unlock()
		return ctx.Err() // a token handed out meanwhile goes unused: a gap, never an excess
	}
}

// waiting is how many wait for a global token; l.mu is held.
func (l *limiter) waiting() int { return len(l.replies) + len(l.waiters) }

// grant hands out k tokens (or err to all), replies first; l.mu is held.
func (l *limiter) grantLocked(k int, err error) {
	if err != nil {
		k = l.waiting()
	}
	r := min(k, len(l.replies))
	for _, w := range l.replies[:r] {
		w <- err
	}
	l.replies = slices.Delete(l.replies, 0, r)
	k = min(k-r, len(l.waiters))
	for _, w := range l.waiters[:k] {
		w <- err
	}
	l.waiters = slices.Delete(l.waiters, 0, k)
}

// pump hands out global tokens while replies and workers wait for them.
func (l *limiter) pump() {
	ctx := context.Background()
	var next time.Time
	for {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		l.mu.Lock()
		wait := time.Until(l.paused)
		if l.waiting() == 0 {
			l.pumping = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		if wait > 0 {
			time.Sleep(wait)
			continue
		}
		// One token a request: redis_rate's AllowAtMost charges a fraction of a token it
		// does not grant.
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		res, err := l.rl.Allow(rctx, l.globalKey, l.global)
		cancel()
		if err != nil {
			err = fmt.Errorf("global rate limit (Redis): %w", err)
			l.mu.Lock()
			l.grantLocked(0, err)
			l.mu.Unlock()
			continue
		}
		if res.Allowed == 0 {
			time.Sleep(max(res.RetryAfter, 100*time.Microsecond))
			continue
		}
		granted, last := 1, res
		l.mu.Lock()
		more := min(res.Remaining, l.waiting()-1)
		l.mu.Unlock()
		if more > 0 {
			// Catching up after a late wake-up: the tokens that piled up, in one request
			// (all or none, so none is charged without being granted).
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if res, err := l.rl.AllowN(rctx, l.globalKey, l.global, more); err == nil && res.Allowed == more {
				granted += more
				last = res
			}
			cancel()
		}
		// The next token is due when the bucket has room for one more: ask then rather
		// than now, to be refused (other processes may take it first: then ask again).
		next = time.Now().Add(last.ResetAfter - time.Duration(l.global.Burst-1)*l.interval)
		l.mu.Lock()
		l.grantLocked(granted, nil)
		l.mu.Unlock()
	}
}

// pause stops this process's sends for d, after Telegram answered 429.
func (l *limiter) pause(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.paused) {
		l.paused = until
	}
}

func (l *limiter) busyUntil(chatID int64) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.busy[chatID]
	if !ok {
		return time.Time{}
	}
	if !until.After(time.Now()) {
		delete(l.busy, chatID)
		return time.Time{}
	}
	return until
}

func (l *limiter) setBusy(chatID int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.busy) > 10_000 {
		now := time.Now()
		for id, t := range l.busy {
			if !t.After(now) {
				delete(l.busy, id)
			}
		}
	}
	l.busy[chatID] = until
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
