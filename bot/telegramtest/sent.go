package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// Button is an inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// KeyboardButton is a reply keyboard button.
type KeyboardButton struct {
	Text            string
	RequestContact  bool
	RequestLocation bool
}

// Sent is one message-producing call the bot made (or, in Message, the
// current state of a message). For edits the fields describe the whole
// message after the edit, so an editMessageReplyMarkup record still carries
// the message text. Treat values as read-only: slices and maps are shared
// with the server's history.
type Sent struct {
	// Method is the API method: sendMessage, sendDocument, sendPhoto,
	// editMessageText, editMessageReplyMarkup or, in AllSent only,
	// answerCallbackQuery. For Message it is the method that created the
	// message.
	Method    string
	ChatID    int64
	MessageID int
	// Text is the text exactly as sent, including parse_mode markup.
	// PlainText is the text with markup removed, as users see it.
	Text      string
	PlainText string
	ParseMode string
	// ReplyMarkup is the reply_markup parameter as sent (nil if absent).
	ReplyMarkup    json.RawMessage
	InlineKeyboard [][]Button
	ReplyKeyboard  [][]KeyboardButton
	RemoveKeyboard bool
	ForceReply     bool
	Document       *File
	Photo          *File
	Caption        string
	// CallbackQueryID is set for answerCallbackQuery records; Text then holds
	// the notification text and ChatID the chat of the pressed message.
	CallbackQueryID string
	// Params holds every request parameter as a string (JSON text for
	// non-string values).
	Params map[string]string
	At     time.Time
}

// Button returns the inline button with the given callback data.
func (m Sent) Button(callbackData string) (Button, bool) {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == callbackData {
				return b, true
			}
		}
	}
	return Button{}, false
}

// ButtonByText returns the first inline button whose text contains substr.
func (m Sent) ButtonByText(substr string) (Button, bool) {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.Contains(b.Text, substr) {
				return b, true
			}
		}
	}
	return Button{}, false
}

// String renders the message compactly for failure output.
func (m Sent) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s chat=%d msg=%d", m.Method, m.ChatID, m.MessageID)
	if m.CallbackQueryID != "" {
		fmt.Fprintf(&b, " callback=%s", m.CallbackQueryID)
	}
	if m.Text != "" {
		fmt.Fprintf(&b, " text=%q", m.Text)
	}
	if m.ParseMode != "" {
		fmt.Fprintf(&b, " parse_mode=%s", m.ParseMode)
	}
	if m.Caption != "" {
		fmt.Fprintf(&b, " caption=%q", m.Caption)
	}
	if m.Document != nil {
		fmt.Fprintf(&b, " document=%q (%d bytes%s)", m.Document.Name, len(m.Document.Data), refSuffix(m.Document))
	}
	if m.Photo != nil {
		fmt.Fprintf(&b, " photo=%q (%d bytes%s)", m.Photo.Name, len(m.Photo.Data), refSuffix(m.Photo))
	}
	for _, row := range m.InlineKeyboard {
		b.WriteString(" [")
		for i, btn := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			fmt.Fprintf(&b, "%q", btn.Text)
			if btn.CallbackData != "" {
				fmt.Fprintf(&b, "->%s", btn.CallbackData)
			} else if btn.URL != "" {
				fmt.Fprintf(&b, "->%s", btn.URL)
			}
		}
		b.WriteString("]")
	}
	if len(m.ReplyKeyboard) > 0 {
		b.WriteString(" keyboard:")
		for _, row := range m.ReplyKeyboard {
			b.WriteString(" [")
			for i, btn := range row {
				if i > 0 {
					b.WriteString(" | ")
				}
				fmt.Fprintf(&b, "%q", btn.Text)
			}
			b.WriteString("]")
		}
	}
	if m.RemoveKeyboard {
		b.WriteString(" remove_keyboard")
	}
	return b.String()
}

func refSuffix(f *File) string {
	if f.Ref != "" {
		return ", ref " + f.Ref
	}
	return ""
}

type sentEntry struct {
	sent     Sent
	consumed bool
}

// storedMessage is the current state of a message the bot sent.
type storedMessage struct {
	Sent
	date     int64
	editDate int64
	deleted  bool
}

type chatState struct {
	id        int64
	lastMsgID int
	entries   []sentEntry
	// firstFree is the index of the first entry not yet consumed.
	firstFree int
	messages  map[int]*storedMessage
	rejected  []Rejection
	// waitCh is closed and cleared when a call is recorded: it wakes the chat's waiters.
	waitCh chan struct{}
}

func (s *Server) chatLocked(id int64) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{id: id, messages: make(map[int]*storedMessage)}
		s.chats[id] = c
	}
	return c
}

// recordLocked appends a message-producing call to the chat's stream.
func (s *Server) recordLocked(m Sent) {
	c := s.chatLocked(m.ChatID)
	c.entries = append(c.entries, sentEntry{sent: m})
	s.all = append(s.all, m)
	if c.waitCh != nil {
		close(c.waitCh)
		c.waitCh = nil
	}
}

// waitChLocked returns a channel closed when the next call to the chat is recorded.
func (c *chatState) waitChLocked() chan struct{} {
	if c.waitCh == nil {
		c.waitCh = make(chan struct{})
	}
	return c.waitCh
}

// SentTo returns every message-producing call to chatID (sendMessage,
// sendDocument, sendPhoto, editMessageText, editMessageReplyMarkup) in order,
// consumed or not.
func (s *Server) SentTo(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Sent, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.sent
	}
	return out
}

// AllSent returns every message-producing call to any chat in order, plus
// answerCallbackQuery calls (Method "answerCallbackQuery").
func (s *Server) AllSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.all...)
}

// Message returns the current state of a message the bot sent, after all
// edits. It reports false for unknown and deleted messages.
func (s *Server) Message(chatID int64, messageID int) (Sent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		if m := c.messages[messageID]; m != nil && !m.deleted {
			return m.Sent, true
		}
	}
	return Sent{}, false
}

// WaitSent waits for the oldest not yet consumed call to chatID that matches
// pred (nil matches everything), marks it consumed and returns it. Calls that
// do not match stay available to later waits. pred is called without the
// server lock held and must not block.
func (s *Server) WaitSent(ctx context.Context, chatID int64, pred func(Sent) bool) (Sent, error) {
	type candidate struct {
		idx  int
		sent Sent
	}
	next := 0
	var cands []candidate
	for {
		s.mu.Lock()
		c := s.chatLocked(chatID)
		cands = cands[:0]
		next = max(next, c.firstFree)
		for i := next; i < len(c.entries); i++ {
			if !c.entries[i].consumed {
				cands = append(cands, candidate{i, c.entries[i].sent})
			}
		}
		next = len(c.entries)
		wait := c.waitChLocked()
		s.mu.Unlock()

		for _, cd := range cands {
			if pred != nil && !pred(cd.sent) {
				continue
			}
			s.mu.Lock()
			if !c.entries[cd.idx].consumed {
				c.entries[cd.idx].consumed = true
				for c.firstFree < len(c.entries) && c.entries[c.firstFree].consumed {
					c.firstFree++
				}
				s.mu.Unlock()
				return cd.sent, nil
			}
			s.mu.Unlock()
		}

		select {
		case <-wait:
		case <-ctx.Done():
			return Sent{}, ctx.Err()
		case <-s.closed:
			return Sent{}, ErrClosed
		}
	}
}

// Expect waits up to timeout for the next unconsumed call to chatID and
// fails the test, listing everything sent to the chat, if none arrives.
func (s *Server) Expect(tb testing.TB, chatID int64, timeout time.Duration) Sent {
	tb.Helper()
	return s.expect(tb, chatID, timeout, "any message", nil)
}

// ExpectText waits up to timeout for the oldest unconsumed call to chatID
// whose text or caption (raw or with markup removed) contains substr. Calls
// skipped over stay unconsumed. On timeout it fails the test, listing
// everything sent to the chat.
func (s *Server) ExpectText(tb testing.TB, chatID int64, substr string, timeout time.Duration) Sent {
	tb.Helper()
	return s.expect(tb, chatID, timeout, fmt.Sprintf("a message containing %q", substr), func(m Sent) bool {
		return strings.Contains(m.Text, substr) || strings.Contains(m.PlainText, substr) ||
			strings.Contains(m.Caption, substr)
	})
}

func (s *Server) expect(tb testing.TB, chatID int64, timeout time.Duration, what string, pred func(Sent) bool) Sent {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	m, err := s.WaitSent(ctx, chatID, pred)
	if err != nil {
		tb.Fatalf("telegramtest: waiting for %s to chat %d: %v\n%s", what, chatID, err, s.dumpChat(chatID))
	}
	return m
}

// dumpChat describes everything sent to and rejected for a chat.
func (s *Server) dumpChat(chatID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	c := s.chats[chatID]
	if c == nil || (len(c.entries) == 0 && len(c.rejected) == 0) {
		fmt.Fprintf(&b, "nothing was sent to chat %d", chatID)
	} else {
		fmt.Fprintf(&b, "sent to chat %d (%d):", chatID, len(c.entries))
		for i, e := range c.entries {
			state := "new     "
			if e.consumed {
				state = "consumed"
			}
			fmt.Fprintf(&b, "\n  %3d %s %s", i+1, state, e.sent)
		}
		if len(c.rejected) > 0 {
			fmt.Fprintf(&b, "\nrejected calls for chat %d (%d):", chatID, len(c.rejected))
			for _, r := range c.rejected {
				fmt.Fprintf(&b, "\n  %s: %d %s", r.Method, r.Code, r.Description)
			}
		}
	}
	fmt.Fprintf(&b, "\npending updates: %d", s.pending)
	return b.String()
}

// markup is a parsed reply_markup parameter.
type markup struct {
	raw        json.RawMessage
	inline     [][]Button
	reply      [][]KeyboardButton
	remove     bool
	forceReply bool
}

func (m *markup) isInline() bool { return m != nil && m.inline != nil }

var inlineActionKeys = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"callback_game", "pay", "copy_text",
}

// parseMarkup parses and validates a reply_markup parameter ("" = none).
func parseMarkup(raw string) (*markup, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	invalid := badRequest("can't parse reply keyboard markup JSON object")
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, invalid
	}
	m := &markup{raw: json.RawMessage(raw)}

	switch {
	case obj["inline_keyboard"] != nil:
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
			return nil, invalid
		}
		m.inline = make([][]Button, 0, len(rows))
		for _, row := range rows {
			out := make([]Button, 0, len(row))
			for _, btn := range row {
				var b Button
				for _, f := range [...]struct {
					key string
					dst *string
				}{{"text", &b.Text}, {"callback_data", &b.CallbackData}, {"url", &b.URL}} {
					if v, ok := btn[f.key]; ok && json.Unmarshal(v, f.dst) != nil {
						return nil, invalid
					}
				}
				if b.Text == "" {
					return nil, badRequest("text buttons are unallowed in the inline keyboard")
				}
				if !hasInlineAction(btn) {
					return nil, badRequest("text buttons are unallowed in the inline keyboard")
				}
				if _, ok := btn["callback_data"]; ok && (b.CallbackData == "" || len(b.CallbackData) > 64) {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				out = append(out, b)
			}
			m.inline = append(m.inline, out)
		}
	case obj["keyboard"] != nil:
		var rows [][]json.RawMessage
		if err := json.Unmarshal(obj["keyboard"], &rows); err != nil {
			return nil, invalid
		}
		m.reply = make([][]KeyboardButton, 0, len(rows))
		for _, row := range rows {
			out := make([]KeyboardButton, 0, len(row))
			for _, btn := range row {
				var kb KeyboardButton
				var text string
				if json.Unmarshal(btn, &text) == nil {
					kb.Text = text
				} else {
					var b struct {
						Text            string `json:"text"`
						RequestContact  bool   `json:"request_contact"`
						RequestLocation bool   `json:"request_location"`
					}
					if err := json.Unmarshal(btn, &b); err != nil {
						return nil, invalid
					}
					kb = KeyboardButton(b)
				}
				if kb.Text == "" {
					return nil, badRequest("keyboard button text is empty")
				}
				out = append(out, kb)
			}
			m.reply = append(m.reply, out)
		}
	case obj["remove_keyboard"] != nil:
		m.remove = string(obj["remove_keyboard"]) == "true"
		if !m.remove {
			return nil, invalid
		}
	case obj["force_reply"] != nil:
		m.forceReply = string(obj["force_reply"]) == "true"
		if !m.forceReply {
			return nil, invalid
		}
	default:
		return nil, invalid
	}
	return m, nil
}

func hasInlineAction(btn map[string]json.RawMessage) bool {
	for _, k := range inlineActionKeys {
		v, ok := btn[k]
		if !ok {
			continue
		}
		switch k {
		case "pay":
			if string(v) == "true" {
				return true
			}
		case "copy_text":
			var ct struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(v, &ct) == nil && ct.Text != "" {
				return true
			}
		default:
			if string(v) != "null" {
				return true
			}
		}
	}
	return false
}

// apply copies the parsed markup into a Sent.
func (m *markup) apply(dst *Sent) {
	dst.ReplyMarkup, dst.InlineKeyboard, dst.ReplyKeyboard = nil, nil, nil
	dst.RemoveKeyboard, dst.ForceReply = false, false
	if m == nil {
		return
	}
	dst.ReplyMarkup = m.raw
	dst.InlineKeyboard = m.inline
	dst.ReplyKeyboard = m.reply
	dst.RemoveKeyboard = m.remove
	dst.ForceReply = m.forceReply
}

func canonicalMarkup(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var generic any
	if json.Unmarshal(raw, &generic) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(generic)
	return string(b)
}

// chatModelLocked describes a chat the way Telegram does in messages.
func (s *Server) chatModelLocked(id int64) models.Chat {
	switch {
	case id > 0:
		ch := models.Chat{ID: id, Type: models.ChatTypePrivate}
		if u, ok := s.users[id]; ok {
			ch.FirstName, ch.LastName, ch.Username = u.FirstName, u.LastName, u.Username
		}
		return ch
	case id < -1_000_000_000_000:
		return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: fmt.Sprintf("Group %d", -id)}
	default:
		return models.Chat{ID: id, Type: models.ChatTypeGroup, Title: fmt.Sprintf("Group %d", -id)}
	}
}

// apiMessage is the Message object returned for the bot's own messages.
type apiMessage struct {
	MessageID   int                `json:"message_id"`
	From        *models.User       `json:"from,omitempty"`
	Chat        models.Chat        `json:"chat"`
	Date        int64              `json:"date"`
	EditDate    int64              `json:"edit_date,omitempty"`
	Text        string             `json:"text,omitempty"`
	Document    *models.Document   `json:"document,omitempty"`
	Photo       []models.PhotoSize `json:"photo,omitempty"`
	Caption     string             `json:"caption,omitempty"`
	ReplyMarkup json.RawMessage    `json:"reply_markup,omitempty"`
}

func (s *Server) apiMessageLocked(m *storedMessage) apiMessage {
	bot := s.botUser
	out := apiMessage{
		MessageID: m.MessageID,
		From:      &bot,
		Chat:      s.chatModelLocked(m.ChatID),
		Date:      m.date,
		EditDate:  m.editDate,
		Text:      m.PlainText,
		Caption:   m.plainCaption(),
	}
	if m.InlineKeyboard != nil {
		out.ReplyMarkup = m.ReplyMarkup
	}
	if d := m.Document; d != nil {
		out.Document = &models.Document{
			FileID:       d.FileID,
			FileUniqueID: uniqueID(d.FileID),
			FileName:     d.Name,
			FileSize:     int64(len(d.Data)),
		}
	}
	if p := m.Photo; p != nil {
		out.Photo = []models.PhotoSize{{
			FileID:       p.FileID,
			FileUniqueID: uniqueID(p.FileID),
			Width:        320,
			Height:       320,
			FileSize:     len(p.Data),
		}}
	}
	return out
}

// modelMessageLocked converts a stored message for use inside an update.
func (s *Server) modelMessageLocked(m *storedMessage) *models.Message {
	am := s.apiMessageLocked(m)
	b, _ := json.Marshal(am)
	var out models.Message
	_ = json.Unmarshal(b, &out)
	return &out
}

func (m *storedMessage) plainCaption() string {
	if m.Caption == "" {
		return ""
	}
	if p, err := parseFormatted(m.Caption, m.ParseMode); err == nil {
		return p
	}
	return m.Caption
}

func uniqueID(fileID string) string {
	if len(fileID) > 16 {
		return fileID[len(fileID)-16:]
	}
	return "u" + fileID
}
