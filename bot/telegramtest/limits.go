package telegramtest

import (
	"net/http"
	"regexp"
	"strconv"
	"time"
)

type failure struct {
	code int
	desc string
	n    int
	pass int // calls to let through first
}

// Rejection is an API call the server answered with an error.
type Rejection struct {
	Method      string
	Code        int
	Description string
	At          time.Time
}

// FailNext makes the next n calls of method fail with the given HTTP/error
// code and description, e.g.
//
//	srv.FailNext("sendMessage", 500, "Internal Server Error", 2)
//
// For code 429 the answer carries retry_after, taken from a "retry after N"
// suffix of the description or 1. Failed calls are not recorded as sent.
// A later FailNext for the same method replaces the earlier one; n <= 0
// cancels it.
func (s *Server) FailNext(method string, code int, description string, n int) {
	if description == "" {
		description = http.StatusText(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := s.canonicalName(method)
	if n <= 0 {
		delete(s.failures, name)
		return
	}
	s.failures[name] = &failure{code: code, desc: description, n: n}
}

// storm makes every call fail until it ends.
type storm struct {
	code  int
	desc  string
	until time.Time
}

// Storm makes every Bot API call (getUpdates, sends, edits, answers …) fail with the HTTP
// and error code code for d, as during an outage of Telegram's servers: for example
// srv.Storm(502, 10*time.Second). Failed calls are not recorded as sent. Webhook
// deliveries go on.
func (s *Server) Storm(code int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storm = &storm{code: code, desc: http.StatusText(code), until: time.Now().Add(d)}
}

// FailAfter is FailNext after the next pass calls of method succeeded: for example the
// second message of a reply fails with FailAfter("sendMessage", 1, 502, "", 1).
func (s *Server) FailAfter(method string, pass, code int, description string, n int) {
	s.FailNext(method, code, description, n)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.failures[s.canonicalName(method)]; f != nil {
		f.pass = pass
	}
}

// Block makes every call that targets chatID (sends, edits, deletions and
// chat actions) fail with 403 "Forbidden: bot was blocked by the user", as
// after the user blocked the bot. For group chats (negative ids) the
// description is "Forbidden: bot was kicked from the group chat".
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// SetLatency delays every send-type call (sendMessage, sendDocument,
// sendPhoto, editMessageText, editMessageReplyMarkup, deleteMessage,
// answerCallbackQuery, sendChatAction) by d before it is processed.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Rejections returns the calls targeting chatID that were answered with an
// error (blocked, rate limited, injected failures, validation errors), in
// order.
func (s *Server) Rejections(chatID int64) []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return append([]Rejection(nil), c.rejected...)
	}
	return nil
}

var retryAfterRE = regexp.MustCompile(`retry after (\d+)`)

func (s *Server) injectedFailure(r *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.storm; st != nil {
		if time.Now().Before(st.until) && r.method != "getMe" {
			e := &apiError{code: st.code, desc: st.desc}
			s.noteRejectionLocked(r, e)
			return e
		}
		s.storm = nil
	}
	f := s.failures[r.method]
	if f == nil {
		return nil
	}
	if f.pass > 0 {
		f.pass--
		return nil
	}
	f.n--
	if f.n <= 0 {
		delete(s.failures, r.method)
	}
	e := &apiError{code: f.code, desc: f.desc}
	if f.code == http.StatusTooManyRequests {
		e.retryAfter = 1
		if m := retryAfterRE.FindStringSubmatch(f.desc); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
				e.retryAfter = n
			}
		}
		s.throttled++
	}
	s.noteRejectionLocked(r, e)
	return e
}

func (s *Server) noteRejectionLocked(r *request, e *apiError) {
	id, ok, err := r.int64("chat_id")
	if !ok || err != nil || id == 0 {
		return
	}
	c := s.chatLocked(id)
	c.rejected = append(c.rejected, Rejection{Method: r.method, Code: e.code, Description: e.desc, At: time.Now()})
}

// admitLocked applies Block and, for rate-limited methods, flood control to a
// call targeting chatID.
func (s *Server) admitLocked(chatID int64, rateLimited bool) *apiError {
	if s.blocked[chatID] {
		desc := "Forbidden: bot was blocked by the user"
		if chatID < 0 {
			desc = "Forbidden: bot was kicked from the group chat"
		}
		return &apiError{code: http.StatusForbidden, desc: desc}
	}
	if e := s.groupAdmitLocked(chatID, rateLimited); e != nil {
		return e
	}
	if !rateLimited || (s.cfg.globalLimit <= 0 && s.cfg.chatLimit <= 0) {
		return nil
	}
	now := time.Now()
	var cw *window
	if s.cfg.chatLimit > 0 {
		cw = s.perChat[chatID]
		if cw == nil {
			cw = &window{}
			s.perChat[chatID] = cw
		}
	}
	retry := 0
	if s.cfg.globalLimit > 0 {
		retry = max(retry, s.global.check(now, s.cfg.globalLimit))
	}
	if cw != nil {
		retry = max(retry, cw.check(now, s.cfg.chatLimit))
	}
	if retry > 0 {
		s.throttled++
		return &apiError{
			code:       http.StatusTooManyRequests,
			desc:       "Too Many Requests: retry after " + strconv.Itoa(retry),
			retryAfter: retry,
		}
	}
	if s.cfg.globalLimit > 0 {
		s.global.add(now)
	}
	if cw != nil {
		cw.add(now)
	}
	return nil
}

// window counts events in a sliding one-second window.
type window struct {
	times []time.Time
	head  int
}

// check drops events older than a second and, if limit events remain,
// returns how many whole seconds (at least 1) to wait; otherwise 0.
func (w *window) check(now time.Time, limit int) int {
	cutoff := now.Add(-time.Second)
	for w.head < len(w.times) && !w.times[w.head].After(cutoff) {
		w.head++
	}
	if w.head > 1024 && w.head*2 > len(w.times) {
		w.times = append([]time.Time(nil), w.times[w.head:]...)
		w.head = 0
	}
	if len(w.times)-w.head < limit {
		return 0
	}
	wait := w.times[w.head].Add(time.Second).Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	return max(secs, 1)
}

func (w *window) add(now time.Time) { w.times = append(w.times, now) }
