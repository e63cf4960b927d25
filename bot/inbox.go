package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/orderbot/orderbot/i18n"
	"github.com/orderbot/orderbot/internal/batch"
)

// InboxUpdate is an update as the inbox keeps it.
type InboxUpdate struct {
	ID          int64
	ChatID      int64 // 0 for an update of no chat
	Raw         []byte
	ReceivedAt  time.Time
	Attempts    int // failed attempts so far
	RepliesSent int // messages of its replies delivered by earlier attempts
	LastError   string
}

// Accepted is what Inbox.Accept did with a batch.
type Accepted struct {
	// Dropped counts, per chat, the updates not kept because the chat's backlog was full.
	Dropped map[int64]int
	// SlowDown lists the chats to tell once to slow down.
	SlowDown []int64
	// Taken lists the updates leased to the caller as they were stored: each is its
	// chat's next one (nothing else of the chat waits but updates the caller holds).
	Taken []InboxUpdate
}

// Inbox keeps accepted updates durably until they are handled; *pginbox.Inbox implements
// it on PostgreSQL. Every method is safe for concurrent use by several processes.
type Inbox interface {
	// Accept stores the updates (an update already stored is kept as it is). A chat whose
	// backlog would exceed maxBacklog keeps only the first updates up to it; the rest are
	// dropped and reported. With lease > 0, an update stored as its chat's next one (the
	// first of its chat in us, and nothing of the chat stored but updates in held whose
	// lease still runs: those the caller is handling) is leased to the caller for that
	// long and returned in Taken. Accepts of one chat are serialised: of two processes
	// accepting updates of one chat at once, the second sees what the first stored.
	Accept(ctx context.Context, us []InboxUpdate, maxBacklog int, lease time.Duration, held []int64) (Accepted, error)
	// Next, for each request (one per chat), deletes the update Done of the chat (0: none)
	// and takes the chat's oldest update for lease, when it is due and no one else has it.
	// It returns one result per request, in order.
	Next(ctx context.Context, reqs []NextRequest, lease time.Duration) ([]NextResult, error)
	// Retry puts a taken update back, to be taken again at notBefore.
	Retry(ctx context.Context, id int64, attempts, repliesSent int, notBefore time.Time, lastErr string) error
	// DeadLetter moves a taken update to the dead letters.
	DeadLetter(ctx context.Context, id int64, attempts int, reason string) error
	// HoldPolling waits until this process holds the polling lock (one instance polls
	// Telegram at a time) or ctx ends. lost is closed when the lock is lost (its database
	// connection broke); release gives it up.
	HoldPolling(ctx context.Context) (lost <-chan struct{}, release func(), err error)
	// Complete deletes handled updates.
	Complete(ctx context.Context, ids []int64) error
	// DueChats returns chats with an update due and not taken (retries come due, leases of
	// a stopped process expire, an operator requeued a dead letter).
	DueChats(ctx context.Context, limit int) ([]int64, error)
}

// NextRequest asks Inbox.Next for a chat's next update, completing the chat's last one.
type NextRequest struct {
	Chat int64
	Done int64 // the chat's update handled (deleted), 0 for none
}

// NextResult is the update Inbox.Next took for a chat, if any (OK). When there was none to
// take, Due is when the chat's oldest waiting one is due (zero when none waits, or another
// worker has it).
type NextResult struct {
	Update InboxUpdate
	OK     bool
	Due    time.Time
}

// Customers is told which customers cannot be reached; *pgstore.Store implements it.
type Customers interface {
	// MarkUnreachable records that the customer with the chat blocked the bot; false when
	// the chat is not a customer's.
	MarkUnreachable(ctx context.Context, chatID int64) (bool, error)
}

// dispatcher runs one worker per chat with updates in the inbox: a worker takes its chat's
// updates in order and stops when the chat has none due. Workers of other processes take
// other chats (a chat's oldest update is leased to one worker at a time).
type dispatcher struct {
	b *Bot

	mu      sync.Mutex
	running bool
	stop    context.Context // no update is begun after it ends
	hctx    context.Context // handling: outlives stop by the shutdown grace
	active  map[int64]*chatWork
	sem     chan struct{}
	wg      sync.WaitGroup
	timers  map[int64]*time.Timer

	// sole is set while this process is the only one accepting updates (polling: Telegram
	// has one getUpdates consumer per bot): every new update of a chat then reaches the
	// chat's worker through hand or signal, so a worker that was told of nothing more
	// completes its update without looking for another.
	sole      bool
	completes batch.Group[int64, struct{}]
	nexts     batch.Group[NextRequest, NextResult] // workers' Next calls, many in one statement
	// While an accept that leases is running (leasing, from held to accepted), putBack
	// lists the chats whose worker put an update back: an update leased at accept behind
	// one of theirs must not run before it.
	leasing bool
	putBack map[int64]bool
}

type chatWork struct {
	again bool
	cur   int64         // the update being handled, leased to this process (0: none)
	taken []InboxUpdate // leased to this process when accepted: handled without taking
}

// Work runs the inbox's workers until ctx ends: updates accepted by this process start
// their chat's worker at once; every SweepInterval the inbox is asked for chats with
// updates due (retries, updates of a stopped process, requeued dead letters). When ctx
// ends, updates in progress get the shutdown grace to finish; the rest wait in the inbox.
func (b *Bot) Work(ctx context.Context) error {
	if b.inbox == nil {
		return errors.New("bot: no inbox to serve updates from")
	}
	d := b.disp
	hctx, cancel := b.graceful(ctx)
	defer cancel()
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("bot: Work is running already")
	}
	d.running, d.stop, d.hctx = true, ctx, hctx
	d.mu.Unlock()
	defer func() {
		// Not running first, under the lock: an accept after this puts its updates back
		// instead of starting a worker (a WaitGroup's Add must not race its Wait).
		d.mu.Lock()
		d.running = false
		d.mu.Unlock()
		d.wg.Wait()
		d.mu.Lock()
		for _, t := range d.timers {
			t.Stop()
		}
		clear(d.timers)
		d.mu.Unlock()
	}()
	t := time.NewTicker(b.cfg.SweepInterval)
	defer t.Stop()
	for {
		d.sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (d *dispatcher) sweep(ctx context.Context) {
	chats, err := d.b.inbox.DueChats(ctx, 1000)
	if err != nil {
		if ctx.Err() == nil {
			d.b.log.WarnContext(ctx, "inbox: due chats", "err", err)
		}
		return
	}
	d.signal(chats...)
}

// signal starts the workers of the chats, or tells running ones to look again.
func (d *dispatcher) signal(chats ...int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.running || d.stop.Err() != nil {
		return
	}
	for _, chat := range chats {
		if w, ok := d.active[chat]; ok {
			w.again = true
			continue
		}
		d.active[chat] = &chatWork{}
		d.wg.Add(1)
		go d.work(chat)
	}
}

// held returns the updates this process's workers are handling, for Accept to lease a
// chat's next update to the worker that holds the chat (one statement less per update of
// a chat that keeps writing). A worker with an update queued already holds its chat
// longer, so its chat's next update waits in the inbox. It starts a record of put-back
// chats for hand, kept until accepted is called: the caller (the polling loop) accepts one
// batch at a time.
func (d *dispatcher) held() []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leasing = true
	ids := make([]int64, 0, len(d.active))
	for _, w := range d.active {
		if w.cur != 0 && len(w.taken) == 0 {
			ids = append(ids, w.cur)
		}
	}
	clear(d.putBack)
	return ids
}

// accepted ends the record that held started.
func (d *dispatcher) accepted() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leasing = false
	clear(d.putBack)
}

// hand starts the workers of the chats of updates leased to this process when they were
// accepted, or queues each for its chat's running worker. A dispatcher that is not working
// puts them back, due at once, for whichever worker comes next; so does a chat whose
// worker put an update back since held was asked (the update taken behind it must wait
// for it).
func (d *dispatcher) hand(us []InboxUpdate) {
	var back []InboxUpdate
	reason := "not handled: an earlier update of the chat waits for a retry"
	d.mu.Lock()
	stopped := !d.running || d.stop.Err() != nil
	if stopped {
		reason = "not handled: not working"
	}
	if stopped {
		back = us
	} else {
		for _, u := range us {
			if d.putBack[u.ChatID] {
				back = append(back, u)
				continue
			}
			if w, ok := d.active[u.ChatID]; ok {
				w.taken = append(w.taken, u)
				continue
			}
			d.active[u.ChatID] = &chatWork{taken: []InboxUpdate{u}}
			d.wg.Add(1)
			go d.work(u.ChatID)
		}
	}
	d.mu.Unlock()
	if len(back) == 0 {
		return
	}
	// Put them back, due at once (when stopping, or before Work started, there is no
	// handling context; a put-back chat's worker takes them after the update it put back).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range back {
		if err := d.b.inbox.Retry(ctx, u.ID, u.Attempts, u.RepliesSent, time.Now(), reason); err != nil {
			d.b.log.ErrorContext(ctx, "inbox: put an update back", "update_id", u.ID, "err", err)
		}
	}
}

// quiet reports whether this process is the only acceptor and has not been told of
// another update of chat since its worker last looked.
func (d *dispatcher) quiet(chat int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	w := d.active[chat]
	return d.sole && !w.again && len(w.taken) == 0
}

// complete deletes a handled update, in a statement shared with other workers. The inbox
// is asked again until it answers, for up to 10 s: an update left there stays leased to
// this process and holds back its chat's later updates until the lease runs out.
func (d *dispatcher) complete(id int64) error {
	deadline := time.Now().Add(10 * time.Second)
	wait := 50 * time.Millisecond
	for {
		_, err := d.completes.Do(id)
		if err == nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		d.b.log.WarnContext(d.hctx, "inbox: complete update, trying again", "update_id", id, "err", err)
		time.Sleep(wait)
		wait = min(2*wait, time.Second)
	}
}

// next completes the chat's update done and takes its next one, in a statement shared with
// the other chats' workers asking at the same time.
func (d *dispatcher) next(chat, done int64) (InboxUpdate, bool, time.Time, error) {
	r, err := d.nexts.Do(NextRequest{Chat: chat, Done: done})
	return r.Update, r.OK, r.Due, err
}

// later signals chat at t.
func (d *dispatcher) later(chat int64, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.running {
		return
	}
	if t, ok := d.timers[chat]; ok {
		t.Stop()
	}
	d.timers[chat] = time.AfterFunc(time.Until(at)+5*time.Millisecond, func() {
		d.mu.Lock()
		delete(d.timers, chat)
		d.mu.Unlock()
		d.signal(chat)
	})
}

// work handles the chat's due updates in order.
func (d *dispatcher) work(chat int64) {
	defer d.wg.Done()
	b := d.b
	select {
	case d.sem <- struct{}{}:
	case <-d.stop.Done():
		d.mu.Lock()
		delete(d.active, chat)
		d.mu.Unlock()
		return
	}
	defer func() { <-d.sem }()
	var done int64
	for {
		take := d.stop.Err() == nil
		var (
			u   InboxUpdate
			ok  bool
			due time.Time
			err error
		)
		d.mu.Lock()
		if w := d.active[chat]; len(w.taken) > 0 {
			u, ok = w.taken[0], true
			w.taken = w.taken[1:]
		}
		d.mu.Unlock()
		switch {
		case ok && !take:
			// Stopping: put back what was leased to this process, for the next one.
			d.mu.Lock()
			back := append([]InboxUpdate{u}, d.active[chat].taken...)
			d.active[chat].taken = nil
			d.mu.Unlock()
			for _, u := range back {
				d.retry(u, time.Now(), errors.New("not handled: shutting down"))
			}
			ok = false
			fallthrough
		case ok && done != 0, !ok && done != 0 && !take:
			// Complete the last one (with those of other chats: one statement for many);
			// this one is ours already, or none is taken when stopping.
			if done != 0 {
				if err = d.complete(done); err != nil && d.hctx.Err() == nil {
					b.log.WarnContext(d.hctx, "inbox: complete update", "chat", chat, "err", err)
				}
			}
			err = nil
		case !ok && done != 0 && d.quiet(chat):
			// Nothing more was accepted for the chat: complete the update with those of
			// other chats (one statement for many), then look again.
			if err = d.complete(done); err != nil {
				u, ok, due, err = d.next(chat, done)
			}
		case !ok && take:
			u, ok, due, err = d.next(chat, done)
		}
		done = 0
		if err != nil {
			if d.hctx.Err() == nil {
				b.log.WarnContext(d.hctx, "inbox: next update", "chat", chat, "err", err)
			}
			ok, due = false, time.Now().Add(time.Second)
		}
		if !ok {
			d.mu.Lock()
			w := d.active[chat]
			if take && (w.again || len(w.taken) > 0) && err == nil {
				w.again = false
				d.mu.Unlock()
				continue
			}
			delete(d.active, chat)
			d.mu.Unlock()
			if take && !due.IsZero() {
				d.later(chat, due)
			}
			return
		}
		d.mu.Lock()
		d.active[chat].cur = u.ID
		d.mu.Unlock()
		switch d.handle(u) {
		case handled:
			done = u.ID
		case putBack:
			d.putBackTaken(chat)
		}
		d.mu.Lock()
		d.active[chat].cur = 0
		d.mu.Unlock()
		// Take turns: a chat that keeps sending goes to the back of the queue for a worker
		// slot after each update, so that waiting chats are not starved (a channel's
		// waiting senders are served in order).
		<-d.sem
		select {
		case d.sem <- struct{}{}:
		case <-d.stop.Done():
			d.sem <- struct{}{} // finish: complete done below, take nothing more
		}
	}
}

// putBackTaken puts back the updates leased to this process behind one of chat that was
// put back, and has hand put back those still on their way: none may run before it.
func (d *dispatcher) putBackTaken(chat int64) {
	d.mu.Lock()
	if d.leasing {
		d.putBack[chat] = true
	}
	w := d.active[chat]
	back := w.taken
	w.taken = nil
	d.mu.Unlock()
	for _, u := range back {
		d.retry(u, time.Now(), errors.New("not handled: an earlier update of the chat waits for a retry"))
	}
}

// outcome is what became of an update a worker handled.
type outcome int

const (
	handled outcome = iota // done: to be deleted
	gone                   // moved to the dead letters
	putBack                // put back in the inbox for a later attempt
)

// handle handles one update taken from the inbox. An update that failed is put back for a
// retry or moved to the dead letters here.
func (d *dispatcher) handle(it InboxUpdate) outcome {
	b := d.b
	var u models.Update
	if err := json.Unmarshal(it.Raw, &u); err != nil {
		d.deadLetter(it, &permanentError{fmt.Errorf("undecodable update: %w", err)}, nil)
		return gone
	}
	ctx, cancel := context.WithTimeout(d.hctx, b.cfg.HandleTimeout)
	sent, err := b.process(ctx, &u, it.RepliesSent)
	cancel()
	if err == nil {
		return handled
	}
	it.RepliesSent += sent
	if d.stop.Err() != nil && d.hctx.Err() != nil {
		// Cut off by the shutdown: not the update's fault. Another process, or this one
		// after its restart, takes it again.
		d.retry(it, time.Now(), err)
		return putBack
	}
	if isPermanent(err) {
		d.deadLetter(it, err, &u)
		return gone
	}
	it.Attempts++
	age := time.Since(it.ReceivedAt)
	if it.Attempts >= b.cfg.MaxAttempts || age >= b.cfg.MaxAge {
		d.deadLetter(it, fmt.Errorf("gave up after %d attempts over %s: %w", it.Attempts, age.Round(time.Second), err), &u)
		return gone
	}
	wait := backoff(b.cfg.RetryBase, b.cfg.RetryMax, it.Attempts)
	var ra *tgbot.TooManyRequestsError
	if errors.As(err, &ra) {
		wait = max(wait, time.Duration(ra.RetryAfter)*time.Second)
	}
	b.metrics.Retries.Inc()
	b.log.WarnContext(ctx, "update failed, retrying", "update_id", it.ID, "chat", it.ChatID,
		"attempt", it.Attempts, "retry_in", wait, "err", err)
	d.retry(it, time.Now().Add(wait), err)
	d.later(it.ChatID, time.Now().Add(wait))
	return putBack
}

// retry puts a taken update back in the inbox, to be taken again at at. The inbox is asked
// again until it answers, for up to 10 s: after PostgreSQL restarted, each pooled
// connection fails once before it is replaced, and an update not put back stays leased to
// this process until its lease runs out.
func (d *dispatcher) retry(it InboxUpdate, at time.Time, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.hctx), 10*time.Second)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		err := d.b.inbox.Retry(ctx, it.ID, it.Attempts, it.RepliesSent, at, cause.Error())
		if err == nil {
			return
		}
		if sleepCtx(ctx, wait) != nil {
			// The lease expires and the update is taken again then.
			d.b.log.ErrorContext(ctx, "inbox: put an update back", "update_id", it.ID, "err", err)
			return
		}
		d.b.log.WarnContext(ctx, "inbox: put an update back, trying again", "update_id", it.ID, "err", err)
		wait = min(2*wait, time.Second)
	}
}

// deadLetter gives up on an update: it is kept for an operator; its user is told, when a
// message can still reach them, and a user who blocked the bot is marked unreachable.
func (d *dispatcher) deadLetter(it InboxUpdate, cause error, u *models.Update) {
	b := d.b
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.hctx), 10*time.Second)
	defer cancel()
	b.log.ErrorContext(ctx, "update dead-lettered", "update_id", it.ID, "chat", it.ChatID,
		"attempts", it.Attempts+1, "err", cause)
	if err := b.inbox.DeadLetter(ctx, it.ID, it.Attempts+1, cause.Error()); err != nil {
		b.log.ErrorContext(ctx, "inbox: dead letter", "update_id", it.ID, "err", err)
		return
	}
	reason := "failed"
	switch {
	case errors.Is(cause, tgbot.ErrorForbidden):
		reason = "blocked"
		if b.customers != nil && it.ChatID > 0 {
			if _, err := b.customers.MarkUnreachable(ctx, it.ChatID); err != nil {
				b.log.WarnContext(ctx, "mark customer unreachable", "chat", it.ChatID, "err", err)
			}
		}
	case u != nil && it.ChatID != 0:
		lang := i18n.EN
		if cu, _, ok := convert(u); ok {
			lang = i18n.Lang(cu.User.LanguageCode)
		}
		if err := b.send(ctx, &tgbot.SendMessageParams{ChatID: it.ChatID, Text: i18n.T(lang, "updates.apology")}); err != nil {
			b.log.WarnContext(ctx, "apology not sent", "chat", it.ChatID, "err", err)
		}
	}
	b.metrics.DeadLetters.WithLabelValues(reason).Inc()
}

// backoff is the wait before retry number attempt: base doubled each time up to most,
// with jitter (between half and all of it), so that retries of many chats spread out.
func backoff(base, most time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < most; i++ {
		d *= 2
	}
	d = min(d, most)
	return d/2 + rand.N(d/2+1)
}

// process handles one update: role, dialog, replies (skipping the first skip messages,
// delivered by an earlier attempt), and in polling mode the answer to a button's
// callback query. It reports how many messages it delivered. A panic is an error.
func (b *Bot) process(ctx context.Context, u *models.Update, skip int) (sent int, err error) {
	out := &sink{b: b, skip: skip}
	defer func() {
		if r := recover(); r != nil {
			b.log.ErrorContext(ctx, "handling an update panicked", "update_id", u.ID, "panic", r,
				"stack", string(debug.Stack()))
			sent, err = out.sent, &permanentError{fmt.Errorf("panic: %v", r)}
		}
	}()
	err = b.handleUpdate(ctx, u, b.cfg.WebhookURL == "", out)
	return out.sent, err
}

// permanentError is a failure that recurs however often the update is handled again.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
