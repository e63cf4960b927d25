package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// queued is an update waiting to be fetched or delivered.
type queued struct {
	id   int64
	chat int64 // the chat of the update; 0 when none
	raw  json.RawMessage
	// failures counts failed webhook deliveries.
	failures int
	// inflight: a webhook delivery is in progress.
	inflight bool
	// done: confirmed by getUpdates, delivered to the webhook or dropped.
	done bool
	// redelivery entries live in Server.redeliveries; returned records that
	// getUpdates handed the entry out, so an offset past it confirms it.
	redelivery bool
	returned   bool
}

type webhookState struct {
	url         string
	secret      string
	maxConn     int
	allowed     []string
	gen         uint64
	lastErrDate int64
	lastErrMsg  string
}

const (
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictPolling = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// SendText makes u send text to the bot in their private chat and returns
// the update id. Text starting with "/" gets a bot_command entity covering
// the command, as Telegram adds.
func (s *Server) SendText(u User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.userMessageLocked(u)
	msg.Text = text
	if strings.HasPrefix(text, "/") {
		cmd := text
		if i := strings.IndexAny(text, " \t\n"); i >= 0 {
			cmd = text[:i]
		}
		msg.Entities = []models.MessageEntity{{
			Type:   models.MessageEntityTypeBotCommand,
			Offset: 0,
			Length: utf16Len(cmd),
		}}
	}
	return s.enqueueLocked(models.Update{Message: msg})
}

// SendCommand sends "/cmd arg1 arg2..." as u. A leading "/" in cmd is
// optional.
func (s *Server) SendCommand(u User, cmd string, args ...string) int64 {
	text := "/" + strings.TrimPrefix(cmd, "/")
	if len(args) > 0 {
		text += " " + strings.Join(args, " ")
	}
	return s.SendText(u, text)
}

// SendContact makes u share a contact (normally their own, via a
// request_contact button); the contact's user_id is u.ID.
func (s *Server) SendContact(u User, phone, firstName string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.userMessageLocked(u)
	msg.Contact = &models.Contact{PhoneNumber: phone, FirstName: firstName, UserID: u.ID}
	return s.enqueueLocked(models.Update{Message: msg})
}

// SendLocation makes u share a location.
func (s *Server) SendLocation(u User, lat, lon float64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.userMessageLocked(u)
	msg.Location = &models.Location{Latitude: lat, Longitude: lon}
	return s.enqueueLocked(models.Update{Message: msg})
}

// PressButton makes u press the inline button with callback data data on the
// bot message msg and returns the update id of the resulting callback_query.
// The button is looked up in the message's current state (after edits), so
// pressing a button that an edit removed, or pressing on a deleted message,
// returns an error and enqueues nothing.
func (s *Server) PressButton(u User, msg Sent, data string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *storedMessage
	if c := s.chats[msg.ChatID]; c != nil {
		m = c.messages[msg.MessageID]
	}
	if m == nil || m.deleted {
		return 0, fmt.Errorf("telegramtest: press %q: chat %d has no message %d from the bot", data, msg.ChatID, msg.MessageID)
	}
	if _, ok := m.Sent.Button(data); !ok {
		return 0, fmt.Errorf("telegramtest: press %q: message %d in chat %d has no such button; current state: %s",
			data, msg.MessageID, msg.ChatID, m.Sent)
	}
	s.users[u.ID] = u
	s.nextCallbackID++
	id := strconv.FormatInt(s.botUser.ID, 10) + strconv.FormatInt(1_000_000_000+s.nextCallbackID, 10)
	s.callbacks[id] = &callbackState{chatID: msg.ChatID}
	cq := &models.CallbackQuery{
		ID:   id,
		From: *u.model(),
		Message: models.MaybeInaccessibleMessage{
			Type:    models.MaybeInaccessibleMessageTypeMessage,
			Message: s.modelMessageLocked(m),
		},
		ChatInstance: strconv.FormatInt(msg.ChatID^0x5bd1e995, 10),
		Data:         data,
	}
	return s.enqueueLocked(models.Update{CallbackQuery: cq}), nil
}

// Press is PressButton that fails the test on error.
func (s *Server) Press(tb testing.TB, u User, msg Sent, data string) int64 {
	tb.Helper()
	id, err := s.PressButton(u, msg, data)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// Enqueue queues a raw update and returns its id. A zero update_id is
// replaced by the next id; explicit ids are kept and later automatic ids
// continue above them. A message with a zero message_id or date gets one
// assigned from its chat. Callback query ids in the update are accepted by
// answerCallbackQuery.
func (s *Server) Enqueue(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Message != nil {
		m := *u.Message
		if m.From != nil && m.From.ID > 0 {
			if _, known := s.users[m.From.ID]; !known {
				s.users[m.From.ID] = User{ID: m.From.ID, FirstName: m.From.FirstName, LastName: m.From.LastName, Username: m.From.Username, LanguageCode: m.From.LanguageCode}
			}
		}
		if m.Chat.ID != 0 {
			c := s.chatLocked(m.Chat.ID)
			if m.ID == 0 {
				c.lastMsgID++
				m.ID = c.lastMsgID
			} else {
				c.lastMsgID = max(c.lastMsgID, m.ID)
			}
		}
		if m.Date == 0 {
			m.Date = int(time.Now().Unix())
		}
		u.Message = &m
	}
	if cq := u.CallbackQuery; cq != nil && cq.ID != "" {
		if _, ok := s.callbacks[cq.ID]; !ok {
			var chatID int64
			if cq.Message.Message != nil {
				chatID = cq.Message.Message.Chat.ID
			} else if cq.Message.InaccessibleMessage != nil {
				chatID = cq.Message.InaccessibleMessage.Chat.ID
			}
			s.callbacks[cq.ID] = &callbackState{chatID: chatID}
		}
	}
	return s.enqueueLocked(u)
}

// Redeliver queues an update that was already handed out once more, with
// the same update_id, as Telegram does when it did not see the update
// acknowledged. getUpdates returns it regardless of the offset until an
// offset past it confirms it after it was returned; a webhook receives it
// again.
func (s *Server) Redeliver(updateID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.history[updateID]
	if !ok {
		return fmt.Errorf("telegramtest: redeliver: no update with id %d was ever queued", updateID)
	}
	s.redeliveries = append(s.redeliveries, &queued{id: updateID, chat: chatOfRaw(raw), raw: raw, redelivery: true})
	s.pending++
	s.notifyUpdatesLocked()
	return nil
}

// PollConflicts counts the getUpdates calls ended by a newer one (409 Conflict: two
// instances polling at once).
func (s *Server) PollConflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pollConflicts
}

// Pending reports how many queued updates have not been confirmed by
// getUpdates or delivered to the webhook yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// WaitIdle waits until no updates are pending.
func (s *Server) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.pending == 0 {
			s.mu.Unlock()
			return nil
		}
		wait := s.updatesWaitChLocked()
		s.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
}

// Webhook reports the webhook set with setWebhook.
func (s *Server) Webhook() (url, secret string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret, s.webhook.url != ""
}

func (s *Server) userMessageLocked(u User) *models.Message {
	s.users[u.ID] = u
	c := s.chatLocked(u.ID)
	c.lastMsgID++
	return &models.Message{
		ID:   c.lastMsgID,
		From: u.model(),
		Chat: s.chatModelLocked(u.ID),
		Date: int(time.Now().Unix()),
	}
}

func (s *Server) enqueueLocked(u models.Update) int64 {
	if u.ID == 0 {
		u.ID = s.nextUpdateID
	}
	if u.ID >= s.nextUpdateID {
		s.nextUpdateID = u.ID + 1
	}
	raw, err := json.Marshal(&u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: can't encode update %d: %v", u.ID, err))
	}
	e := &queued{id: u.ID, chat: chatOfRaw(raw), raw: raw}
	s.history[u.ID] = raw
	if n := len(s.queue); n == s.qhead || s.queue[n-1].id < e.id {
		s.queue = append(s.queue, e)
	} else {
		live := s.queue[s.qhead:]
		i := s.qhead + sort.Search(len(live), func(i int) bool { return live[i].id > e.id })
		s.queue = append(s.queue, nil)
		copy(s.queue[i+1:], s.queue[i:])
		s.queue[i] = e
	}
	s.pending++
	s.notifyUpdatesLocked()
	return u.ID
}

// chatOfRaw returns the chat of an update: a message's chat, or the chat of the message
// under a pressed button (its sender's when the message is not there).
func chatOfRaw(raw json.RawMessage) int64 {
	var u struct {
		Message *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
		CallbackQuery *struct {
			From    struct{ ID int64 } `json:"from"`
			Message *struct {
				Chat struct{ ID int64 } `json:"chat"`
			} `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return 0
	}
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat.ID != 0:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	}
	return 0
}

// WebhookGaveUp returns the ids of the updates the server dropped after delivering them
// to the webhook failed too often (see WithWebhookAttempts), in order.
func (s *Server) WebhookGaveUp() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.gaveUp...)
}

func (s *Server) notifyUpdatesLocked() {
	if s.updatesCh != nil {
		close(s.updatesCh)
		s.updatesCh = nil
	}
}

func (s *Server) updatesWaitChLocked() chan struct{} {
	if s.updatesCh == nil {
		s.updatesCh = make(chan struct{})
	}
	return s.updatesCh
}

func (s *Server) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// finishLocked marks an entry confirmed/delivered/dropped.
func (s *Server) finishLocked(e *queued) {
	if e.done {
		return
	}
	e.done = true
	e.inflight = false
	s.pending--
	if e.redelivery {
		for i, r := range s.redeliveries {
			if r == e {
				s.redeliveries = append(s.redeliveries[:i], s.redeliveries[i+1:]...)
				break
			}
		}
	}
	s.notifyUpdatesLocked()
}

// advanceLocked moves the queue head past finished entries and reclaims
// memory now and then.
func (s *Server) advanceLocked() {
	for s.qhead < len(s.queue) && s.queue[s.qhead].done {
		s.queue[s.qhead] = nil
		s.qhead++
	}
	if s.qhead > 1024 && s.qhead*2 > len(s.queue) {
		n := copy(s.queue, s.queue[s.qhead:])
		clear(s.queue[n:])
		s.queue = s.queue[:n]
		s.qhead = 0
	}
}

func (s *Server) dropAllLocked() {
	for _, e := range s.queue[s.qhead:] {
		s.finishLocked(e)
	}
	for len(s.redeliveries) > 0 {
		s.finishLocked(s.redeliveries[0])
	}
	s.advanceLocked()
}

// confirmLocked applies a getUpdates offset.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset == 0:
		return
	case offset < 0:
		// Keep only the last -offset updates.
		keep := -offset
		i := len(s.queue)
		for i > s.qhead && keep > 0 {
			i--
			if !s.queue[i].done {
				keep--
			}
		}
		for _, e := range s.queue[s.qhead:i] {
			s.finishLocked(e)
		}
		for len(s.redeliveries) > 0 {
			s.finishLocked(s.redeliveries[0])
		}
	default:
		for _, e := range s.queue[s.qhead:] {
			if e.id >= offset {
				break
			}
			s.finishLocked(e)
		}
		for i := 0; i < len(s.redeliveries); {
			if r := s.redeliveries[i]; r.returned && r.id < offset {
				s.finishLocked(r)
				continue
			}
			i++
		}
	}
	s.advanceLocked()
}

// collectLocked picks up to limit updates for getUpdates: redeliveries
// first, then the queue in id order.
func (s *Server) collectLocked(limit int) []*queued {
	var out []*queued
	for _, r := range s.redeliveries {
		if len(out) == limit {
			return out
		}
		if !r.inflight {
			r.returned = true
			out = append(out, r)
		}
	}
	for i := s.qhead; i < len(s.queue) && len(out) < limit; i++ {
		if e := s.queue[i]; !e.done && !e.inflight {
			out = append(out, e)
		}
	}
	return out
}

func encodeBatch(batch []*queued) json.RawMessage {
	n := 2
	for _, e := range batch {
		n += len(e.raw) + 1
	}
	buf := make([]byte, 0, n)
	buf = append(buf, '[')
	for i, e := range batch {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, e.raw...)
	}
	return append(buf, ']')
}

func (s *Server) getUpdates(ctx context.Context, r *request) (any, *apiError) {
	offset, _, err := r.int64("offset")
	if err != nil {
		return nil, badRequest("invalid offset specified")
	}
	limit := 100
	if l, ok, err := r.int64("limit"); ok && err == nil {
		limit = int(min(max(l, 1), 100))
	}
	timeout, _, _ := r.int64("timeout")

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: conflictWebhook}
	}
	s.pollGen++
	gen := s.pollGen
	s.notifyUpdatesLocked()
	s.confirmLocked(offset)

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	for {
		if s.webhook.url != "" {
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: conflictWebhook}
		}
		if s.pollGen != gen {
			s.pollConflicts++
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: conflictPolling}
		}
		batch := s.collectLocked(limit)
		if len(batch) > 0 || deadline == nil || s.isClosed() {
			res := encodeBatch(batch)
			s.mu.Unlock()
			return res, nil
		}
		wait := s.updatesWaitChLocked()
		s.mu.Unlock()
		select {
		case <-wait:
		case <-deadline:
			deadline = nil
		case <-ctx.Done():
			return json.RawMessage("[]"), nil
		case <-s.closed:
		}
		s.mu.Lock()
	}
}

var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(_ context.Context, r *request) (any, *apiError) {
	raw := r.str("url")
	if raw == "" {
		return s.deleteWebhook(context.Background(), r)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := r.str("secret_token")
	if secret != "" && !secretTokenRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := 40
	if n, ok, err := r.int64("max_connections"); ok && err == nil && n > 0 {
		maxConn = int(min(n, 100))
	}
	var allowed []string
	if a := r.str("allowed_updates"); a != "" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if r.bool("drop_pending_updates") {
		s.dropAllLocked()
	}
	changed := s.webhook.url != raw || s.webhook.secret != secret
	s.webhook.url, s.webhook.secret = raw, secret
	s.webhook.maxConn, s.webhook.allowed = maxConn, allowed
	if changed {
		s.webhook.gen++
		s.webhook.lastErrDate, s.webhook.lastErrMsg = 0, ""
		if !s.isClosed() {
			n := maxConn
			if s.cfg.webhookConcurrency > 0 {
				n = s.cfg.webhookConcurrency
			}
			s.workers.Add(n)
			for range n {
				go s.webhookWorker(s.webhook.gen)
			}
		}
	}
	s.notifyUpdatesLocked()
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.bool("drop_pending_updates") {
		s.dropAllLocked()
	}
	if s.webhook.url != "" {
		s.webhook = webhookState{gen: s.webhook.gen + 1}
	}
	s.notifyUpdatesLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := models.WebhookInfo{
		URL:                s.webhook.url,
		PendingUpdateCount: s.pending,
	}
	if s.webhook.url != "" {
		info.MaxConnections = s.webhook.maxConn
		info.AllowedUpdates = s.webhook.allowed
		info.LastErrorDate = int(s.webhook.lastErrDate)
		info.LastErrorMessage = s.webhook.lastErrMsg
	}
	return info, nil
}

// nextForWebhookLocked claims the next update to deliver: the oldest of a chat that has
// none in flight, so that a chat's updates go one at a time and in order.
func (s *Server) nextForWebhookLocked() *queued {
	busy := map[int64]bool{}
	for _, r := range s.redeliveries {
		if r.inflight && r.chat != 0 {
			busy[r.chat] = true
		}
	}
	for _, e := range s.queue[s.qhead:] {
		if e.inflight && !e.done && e.chat != 0 {
			busy[e.chat] = true
		}
	}
	for _, r := range s.redeliveries {
		if !r.inflight && !busy[r.chat] {
			r.inflight = true
			return r
		}
		if r.chat != 0 {
			busy[r.chat] = true
		}
	}
	for _, e := range s.queue[s.qhead:] {
		if e.done {
			continue
		}
		if !e.inflight && !busy[e.chat] {
			e.inflight = true
			return e
		}
		if e.chat != 0 {
			busy[e.chat] = true
		}
	}
	return nil
}

// webhookWorker delivers updates while the webhook generation gen is
// current, retrying each update until the webhook answers 2xx or it failed
// webhookAttempts times, when the update is dropped.
func (s *Server) webhookWorker(gen uint64) {
	defer s.workers.Done()
	for {
		s.mu.Lock()
		if s.webhook.gen != gen || s.isClosed() {
			s.mu.Unlock()
			return
		}
		e := s.nextForWebhookLocked()
		if e == nil {
			wait := s.updatesWaitChLocked()
			s.mu.Unlock()
			select {
			case <-wait:
			case <-s.closed:
			}
			continue
		}
		target, secret := s.webhook.url, s.webhook.secret
		s.mu.Unlock()

		for {
			err := s.deliver(target, secret, e.raw)
			s.mu.Lock()
			if err == nil || e.done {
				s.finishLocked(e)
				s.advanceLocked()
				s.mu.Unlock()
				break
			}
			s.webhook.lastErrDate = time.Now().Unix()
			s.webhook.lastErrMsg = err.Error()
			if e.failures++; e.failures >= s.cfg.webhookAttempts {
				s.gaveUp = append(s.gaveUp, e.id)
				s.finishLocked(e)
				s.advanceLocked()
				s.mu.Unlock()
				break
			}
			if s.webhook.gen != gen || s.isClosed() {
				e.inflight = false
				s.notifyUpdatesLocked()
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			if s.cfg.webhookBackoff > 0 {
				t := time.NewTimer(s.cfg.webhookBackoff)
				select {
				case <-t.C:
				case <-s.closed:
					t.Stop()
				}
			}
		}
	}
}

func (s *Server) deliver(target, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hookHTTP.Do(req)
	if err != nil {
		return fmt.Errorf("Connection failed: %v", err)
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	s.callFromWebhookAnswer(answer)
	return nil
}

// callFromWebhookAnswer runs the Bot API method a webhook answered with, as Telegram does:
// an answer like {"method":"answerCallbackQuery","callback_query_id":"…"} is a call of
// that method, whose result (or error) the bot never learns. Anything else is ignored.
func (s *Server) callFromWebhookAnswer(answer []byte) {
	answer = bytes.TrimSpace(answer)
	if len(answer) == 0 || answer[0] != '{' {
		return
	}
	r := &request{values: make(map[string]string)}
	if r.addJSON(answer) != nil {
		return
	}
	spec, known := s.methods[strings.ToLower(r.str("method"))]
	if !known {
		return
	}
	delete(r.values, "method")
	r.method = spec.name
	s.mu.Lock()
	s.calls[spec.name]++
	s.mu.Unlock()
	_, _ = s.invoke(s.ctx, spec, r) // the bot learns nothing of it
}
