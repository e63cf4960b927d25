package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/telegramtest"
	"github.com/orderbot/orderbot/conversation"
)

// stepOrder lists the dialog's steps in order, for printing.
var stepOrder = []string{"/neworder", "SKU", "option", "quantity", "Continue", "name", "contact", "Use these",
	"location", "date", "payment", "Skip", "Confirm"}

// apiMethods are the Bot API methods whose calls are counted.
var apiMethods = []string{"getUpdates", "sendMessage", "answerCallbackQuery", "editMessageText", "editMessageReplyMarkup"}

type apiCall struct {
	method string
	n      int
}

func apiCalls(srv *telegramtest.Server) []apiCall {
	out := make([]apiCall, len(apiMethods))
	for i, m := range apiMethods {
		out[i] = apiCall{m, srv.Calls(m)}
	}
	return out
}

// replyTimeout bounds the wait for one reply; a customer that waits longer fails the run.
const replyTimeout = 30 * time.Second

// updatesPerOrder is how many updates a repeat order takes (a first one takes one more).
const updatesPerOrder = 11

// products are what the customers order, in turn: a SKU with one option and a button of it.
var products = []struct{ sku, option string }{
	{"CHAIR-100", "grey"},
	{"PHONE-X1", "green"},
	{"PHONE-X1P", "silver"},
	{"CHAIR-300", "brown"},
}

// orderRun describes one run of the order dialog.
type orderRun struct {
	firstUser int64 // Telegram id of the first customer; the others follow
	customers int
	orders    int // per customer
	loc       *time.Location
	// rate, when positive, makes the run open loop: the customers together offer rate
	// updates/s on fixed schedules. Zero: closed loop, as fast as the replies come.
	rate float64
	// lockstep starts the open-loop customers within one slot rather than spread over the
	// slots of one order.
	lockstep bool
}

// runOrders lets the customers place their orders through the bot of e and measures the run.
func runOrders(ctx context.Context, e *env, r orderRun) (phase, error) {
	srv := e.srv
	date := time.Now().In(r.loc).AddDate(0, 0, 30).Format("2006-01-02")
	var interval time.Duration
	if r.rate > 0 {
		interval = time.Duration(float64(r.customers) / r.rate * float64(time.Second))
	}
	return measure(ctx, srv, e.dbName, r.customers, func(ctx context.Context, i int, start time.Time) (*customer, error) {
		c := newCustomer(srv, r.firstUser+int64(i))
		c.clock = e.clock
		if interval > 0 {
			// The customers' first updates are spread evenly over the slots of one order, so
			// that at any moment as many customers are at each step of the dialog: the mix of
			// steps offered is the same at every moment as over the whole run.
			c.interval = interval
			spread := interval * updatesPerOrder
			if r.lockstep {
				spread = interval
			}
			c.next = start.Add(time.Duration(i) * spread / time.Duration(r.customers))
		}
		for n := range r.orders {
			p := products[(i+n)%len(products)]
			if err := c.placeOrder(ctx, p.sku, p.option, date); err != nil {
				return c, fmt.Errorf("customer %d, order %d: %w", c.u.ID, n+1, err)
			}
		}
		return c, nil
	})
}

// runEchoCeiling measures the bare echo bot with the same number of customers, each
// sending perCustomer updates and waiting for every answer. With shaped, the customers and
// the bot make the Bot API calls of an order dialog (see setupEcho): every other update is
// a button press, and one in five asks for a message more.
func runEchoCeiling(ctx context.Context, o options, mode string, perCustomer int, shaped bool) (phase, error) {
	e, err := setupEcho(ctx, o.log, mode, shaped)
	if err != nil {
		return phase{}, err
	}
	defer e.close()
	return measure(ctx, e.srv, "", o.customers, func(ctx context.Context, i int, _ time.Time) (*customer, error) {
		c := newCustomer(e.srv, 300_000_001+int64(i))
		for n := range perCustomer {
			extra := ""
			if shaped && n%5 == 4 {
				extra = "+"
			}
			var err error
			if shaped && n%2 == 1 {
				err = c.press(ctx, "next"+extra, "pressed next"+extra)
			} else {
				text := "ping " + strconv.Itoa(n) + extra
				err = c.send(ctx, text, text)
			}
			if err != nil {
				return c, fmt.Errorf("customer %d, update %d: %w", c.u.ID, n+1, err)
			}
		}
		return c, nil
	})
}

// measure runs n customers at once, each with fn, and gathers their figures and the Bot
// API calls srv received meanwhile. The first failure cancels the others.
func measure(ctx context.Context, srv *telegramtest.Server, dbName string, n int, fn func(ctx context.Context, i int, start time.Time) (*customer, error)) (phase, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		firstErr  error
		customers []*customer
		calls0    = apiCalls(srv)
	)
	m := startMeter(dbName)
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			c, err := fn(ctx, i, start)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
			if c != nil {
				customers = append(customers, c)
			}
		})
	}
	wg.Wait()
	p := m.stop()
	p.customers = n
	// An open-loop run counts the replies of its steady state: the updates sent while every
	// customer was sending (after the last one's first update, before the first one's last).
	from, to := time.Time{}, time.Time{}
	openLoop := false
	for _, c := range customers {
		p.updates += c.updates
		p.late += c.late
		if c.interval == 0 || len(c.samples) == 0 {
			continue
		}
		openLoop = true
		first, last := c.samples[0].sent, c.samples[len(c.samples)-1].sent
		if from.IsZero() || first.After(from) {
			from = first
		}
		if to.IsZero() || last.Before(to) {
			to = last
		}
	}
	var lat []time.Duration
	byStep := map[string]*samples{}
	for _, c := range customers {
		for _, x := range c.samples {
			if openLoop && (x.sent.Before(from) || x.sent.After(to)) {
				continue
			}
			lat = append(lat, x.reply)
			ss := byStep[x.step]
			if ss == nil {
				ss = &samples{}
				byStep[x.step] = ss
			}
			ss.reply = append(ss.reply, x.reply)
			if x.split {
				ss.queued = append(ss.queued, x.queued)
				ss.engine = append(ss.engine, x.engine)
			}
		}
	}
	if openLoop && to.After(from) {
		p.steady = len(lat)
		p.steadyFrom, p.steadyTo = from.Sub(start), to.Sub(start)
	}
	p.latency = summarize(lat)
	var all samples
	for _, name := range stepOrder {
		if ss := byStep[name]; ss != nil {
			p.steps = append(p.steps, ss.summary(name))
			all.add(ss)
		}
	}
	if len(all.queued) > 0 {
		p.split = all.summary("")
	}
	calls := apiCalls(srv)
	for i := range calls {
		calls[i].n -= calls0[i].n
	}
	p.calls = calls
	if firstErr != nil && errors.Is(firstErr, context.Canceled) && ctx.Err() != nil {
		firstErr = fmt.Errorf("interrupted: %w", firstErr)
	}
	return p, firstErr
}

// samples are the latencies of one dialog step: enqueued → reply, and where known its
// split at the moment the engine started on the update.
type samples struct {
	reply, queued, engine []time.Duration
}

func (s *samples) add(o *samples) {
	s.reply = append(s.reply, o.reply...)
	s.queued = append(s.queued, o.queued...)
	s.engine = append(s.engine, o.engine...)
}

func (s *samples) summary(name string) stepLatency {
	return stepLatency{name: name, reply: summarize(s.reply), queued: summarize(s.queued), engine: summarize(s.engine)}
}

// handlerClock wraps the conversation engine given to the bot and notes when it started
// on each chat's latest update. Everything before is the bot's intake (the fake server's
// queue, getUpdates or webhook delivery, decoding, the role lookup); everything after, up
// to the reply, is the engine: chat lock, session, dialog step with its database calls,
// and sending the replies.
type handlerClock struct {
	h     bot.Handler
	mu    sync.Mutex
	start map[int64]time.Time
}

func newHandlerClock(h bot.Handler) *handlerClock {
	return &handlerClock{h: h, start: map[int64]time.Time{}}
}

func (hc *handlerClock) Handle(ctx context.Context, u conversation.Update, out conversation.Sink) error {
	hc.mu.Lock()
	hc.start[u.User.ChatID] = time.Now()
	hc.mu.Unlock()
	return hc.h.Handle(ctx, u, out)
}

func (hc *handlerClock) started(chatID int64) (time.Time, bool) {
	if hc == nil {
		return time.Time{}, false
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	t, ok := hc.start[chatID]
	return t, ok
}

// sample is the reply latency of one update: enqueued → reply recorded, and where known
// its split at the moment the engine started on the update.
type sample struct {
	step                  string
	sent                  time.Time
	reply, queued, engine time.Duration
	split                 bool
}

// customer is one simulated Telegram user in their private chat with the bot.
type customer struct {
	srv  *telegramtest.Server
	u    telegramtest.User
	last telegramtest.Sent // the last reply waited for

	samples []sample // one per update
	updates int
	step    string        // the dialog step of the update in flight
	clock   *handlerClock // when the engine started on this chat's updates; nil: unknown

	// Open loop: the update after this one is due at next, then every interval.
	interval time.Duration
	next     time.Time
	late     int
}

func newCustomer(srv *telegramtest.Server, id int64) *customer {
	return &customer{srv: srv, u: telegramtest.User{ID: id, FirstName: "Wei", LastName: "Zhang", LanguageCode: "en"}}
}

// placeOrder walks the order dialog from /neworder to the confirmation, like a customer.
func (c *customer) placeOrder(ctx context.Context, sku, option, date string) error {
	steps := []struct {
		name string
		run  func() error
	}{
		{"/neworder", func() error { return c.send(ctx, "/neworder", "Which product") }},
		{"SKU", func() error { return c.send(ctx, sku, "Choose the colour") }},
		{"option", func() error { return c.press(ctx, option, "How many") }},
		{"quantity", func() error { return c.send(ctx, "2", "Your order so far") }},
		{"Continue", func() error { return c.press(ctx, "Continue", "What name", "Contact for this order") }},
		{"name", func() error {
			if strings.Contains(c.last.Text, "Contact for this order") {
				// A returning customer: the contact of the last order is offered.
				c.step = "Use these"
				return c.press(ctx, "Use these", "Delivery address")
			}
			if err := c.press(ctx, "Wei Zhang", "Your phone number"); err != nil {
				return err
			}
			c.step = "contact"
			return c.do(ctx, func() error { c.srv.SendContact(c.u, "+86 138 0013 8000", "Wei"); return nil }, "Delivery address")
		}},
		{"location", func() error {
			return c.do(ctx, func() error { c.srv.SendLocation(c.u, 31.2304, 121.4737); return nil }, "Delivery date?")
		}},
		{"date", func() error { return c.send(ctx, date, "How will you pay") }},
		{"payment", func() error { return c.press(ctx, "Alipay", "Any notes") }},
		{"Skip", func() error { return c.press(ctx, "Skip", "Please check your order") }},
		{"Confirm", func() error { return c.press(ctx, "Confirm", "is confirmed") }},
	}
	for _, st := range steps {
		c.step = st.name
		if err := st.run(); err != nil {
			return fmt.Errorf("step %s: %w", c.step, err)
		}
	}
	return nil
}

// send types text and waits for a reply containing one of want.
func (c *customer) send(ctx context.Context, text string, want ...string) error {
	return c.do(ctx, func() error { c.srv.SendText(c.u, text); return nil }, want...)
}

// press presses the button labelled label on the last reply and waits for a reply
// containing one of want.
func (c *customer) press(ctx context.Context, label string, want ...string) error {
	b, ok := c.last.ButtonByText(label)
	if !ok {
		return fmt.Errorf("no button %q on %q", label, c.last.Text)
	}
	msg := c.last
	return c.do(ctx, func() error {
		_, err := c.srv.PressButton(c.u, msg, b.CallbackData)
		return err
	}, want...)
}

// do waits for the customer's slot (open loop), enqueues one update with enqueue and
// waits for its reply.
func (c *customer) do(ctx context.Context, enqueue func() error, want ...string) error {
	if c.interval > 0 {
		if d := time.Until(c.next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		} else if d < -time.Millisecond {
			c.late++
		}
		c.next = c.next.Add(c.interval)
	}
	sent := time.Now()
	if err := enqueue(); err != nil {
		return err
	}
	c.updates++
	return c.expect(ctx, sent, want...)
}

// expect consumes the chat's messages up to the first that contains one of want, and
// records the latency of that reply.
func (c *customer) expect(ctx context.Context, sent time.Time, want ...string) error {
	ctx, cancel := context.WithTimeout(ctx, replyTimeout)
	defer cancel()
	var seen []string
	for {
		m, err := c.srv.WaitSent(ctx, c.u.ID, nil)
		if err != nil {
			return fmt.Errorf("waiting for %q: %w; got %q", want, err, seen)
		}
		for _, w := range want {
			if strings.Contains(m.Text, w) {
				c.last = m
				x := sample{step: c.step, sent: sent, reply: m.At.Sub(sent)}
				// The engine started on this update after it was sent and before its
				// reply: split the latency there.
				if start, ok := c.clock.started(c.u.ID); ok && !start.Before(sent) && !start.After(m.At) {
					x.queued, x.engine, x.split = start.Sub(sent), m.At.Sub(start), true
				}
				c.samples = append(c.samples, x)
				return nil
			}
		}
		seen = append(seen, m.Text)
	}
}
