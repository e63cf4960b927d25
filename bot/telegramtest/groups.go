package telegramtest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// Group chats.
//
// A group made with [Server.AddGroup] has members and the bot in it, as Telegram keeps
// them: only members can write in it or press the buttons of its messages; once the bot
// is removed ([Server.RemoveBot]) every call to the group fails with 403 "Forbidden: bot
// was kicked from the group chat"; once the group became a supergroup
// ([Server.MigrateGroup]) a call to its old id fails with 400 "Bad Request: group chat was
// upgraded to a supergroup chat" carrying parameters.migrate_to_chat_id.
//
// Every group chat (a negative chat id, made with AddGroup or not) takes at most 20
// messages per sliding minute, as Telegram allows: sends and edits over it are answered
// 429 with retry_after and not recorded. [WithGroupLimit] changes the number.

type groupState struct {
	title      string
	members    map[int64]bool
	bot        bool
	migratedTo int64
}

// WithGroupLimit sets how many messages (sends and edits) the bot may make in one group
// chat per sliding minute (default 20, Telegram's limit); zero or negative disables it.
func WithGroupLimit(perMinute int) Option {
	return func(c *config) { c.groupLimit = perMinute }
}

// minuteWindow counts events in a sliding minute.
type minuteWindow struct{ times []time.Time }

// check drops events older than a minute and, if limit events remain, returns how many
// whole seconds (at least 1) to wait; otherwise 0.
func (w *minuteWindow) check(now time.Time, limit int) int {
	cutoff := now.Add(-time.Minute)
	i := 0
	for i < len(w.times) && !w.times[i].After(cutoff) {
		i++
	}
	w.times = w.times[i:]
	if len(w.times) < limit {
		return 0
	}
	wait := w.times[0].Add(time.Minute).Sub(now)
	return max(int((wait+time.Second-1)/time.Second), 1)
}

// groupAdmitLocked applies the group's state and its per-minute limit to a call targeting
// chatID; nil for private chats.
func (s *Server) groupAdmitLocked(chatID int64, rateLimited bool) *apiError {
	if chatID >= 0 {
		return nil
	}
	if g := s.groups[chatID]; g != nil {
		switch {
		case g.migratedTo != 0:
			return &apiError{code: http.StatusBadRequest, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: g.migratedTo}
		case !g.bot:
			return &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was kicked from the group chat"}
		}
	}
	if !rateLimited || s.cfg.groupLimit <= 0 {
		return nil
	}
	w := s.perGroup[chatID]
	if w == nil {
		w = &minuteWindow{}
		s.perGroup[chatID] = w
	}
	now := time.Now()
	if retry := w.check(now, s.cfg.groupLimit); retry > 0 {
		s.throttled++
		return &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after " + strconv.Itoa(retry), retryAfter: retry}
	}
	w.times = append(w.times, now)
	return nil
}

// AddGroup makes a group chat (id negative; below -1000000000000 a supergroup) with the
// members, and adds the bot to it, as members[0] would: the bot gets a my_chat_member
// update. It returns that update's id.
func (s *Server) AddGroup(id int64, title string, members ...User) int64 {
	if id >= 0 {
		panic("telegramtest: a group chat's id is negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &groupState{title: title, members: map[int64]bool{}, bot: true}
	for _, m := range members {
		g.members[m.ID] = true
		s.users[m.ID] = m
	}
	s.groups[id] = g
	var by User
	if len(members) > 0 {
		by = members[0]
	}
	return s.enqueueLocked(models.Update{MyChatMember: s.botMemberLocked(id, by, models.ChatMemberTypeLeft, models.ChatMemberTypeMember)})
}

// JoinGroup adds u to the group's members.
func (s *Server) JoinGroup(id int64, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[id]; g != nil {
		g.members[u.ID] = true
		s.users[u.ID] = u
	}
}

// RemoveBot removes the bot from the group, as by: the bot gets a my_chat_member update
// (kicked), and every later call to the group fails with 403.
func (s *Server) RemoveBot(id int64, by User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[id]; g != nil {
		g.bot = false
	}
	return s.enqueueLocked(models.Update{MyChatMember: s.botMemberLocked(id, by, models.ChatMemberTypeMember, models.ChatMemberTypeBanned)})
}

// MigrateGroup turns the group into a supergroup with a new id (returned), as Telegram
// does when a group grows or an admin changes a setting: the bot gets a service message
// in the old chat with migrate_to_chat_id and one in the new chat with
// migrate_from_chat_id; calls to the old id fail with 400 and the new id.
func (s *Server) MigrateGroup(id int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[id]
	if g == nil {
		panic("telegramtest: MigrateGroup of an unknown group")
	}
	to := -1_000_000_000_000 + id // -100… like Telegram's supergroup ids
	members := map[int64]bool{}
	for m := range g.members {
		members[m] = true
	}
	s.groups[to] = &groupState{title: g.title, members: members, bot: g.bot}
	g.migratedTo = to
	var from *models.User
	for m := range g.members {
		u := s.users[m]
		from = u.model()
		break
	}
	old := &models.Message{From: from, Chat: s.chatModelLocked(id), Date: int(time.Now().Unix()), MigrateToChatID: to}
	s.enqueueLocked(models.Update{Message: s.numberLocked(old)})
	nw := &models.Message{From: from, Chat: s.chatModelLocked(to), Date: int(time.Now().Unix()), MigrateFromChatID: id}
	s.enqueueLocked(models.Update{Message: s.numberLocked(nw)})
	return to
}

// SendGroupText makes u write text in the group chat; a command ("/bindgroup" or
// "/bindgroup@bot") gets its bot_command entity. It returns the update id, or 0 when u is
// not a member of the group (Telegram would not let them write).
func (s *Server) SendGroupText(u User, id int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[id]; g != nil && !g.members[u.ID] {
		return 0
	}
	s.users[u.ID] = u
	msg := s.numberLocked(&models.Message{From: u.model(), Chat: s.chatModelLocked(id), Date: int(time.Now().Unix()), Text: text})
	if strings.HasPrefix(text, "/") {
		cmd := text
		if i := strings.IndexAny(text, " \t\n"); i >= 0 {
			cmd = text[:i]
		}
		msg.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Length: utf16Len(cmd)}}
	}
	return s.enqueueLocked(models.Update{Message: msg})
}

func (s *Server) numberLocked(m *models.Message) *models.Message {
	c := s.chatLocked(m.Chat.ID)
	c.lastMsgID++
	m.ID = c.lastMsgID
	return m
}

func (s *Server) botMemberLocked(id int64, by User, from, to models.ChatMemberType) *models.ChatMemberUpdated {
	bot := s.botUser
	member := func(t models.ChatMemberType) models.ChatMember {
		switch t {
		case models.ChatMemberTypeLeft:
			return models.ChatMember{Type: t, Left: &models.ChatMemberLeft{User: &bot}}
		case models.ChatMemberTypeBanned:
			return models.ChatMember{Type: t, Banned: &models.ChatMemberBanned{User: &bot}}
		}
		return models.ChatMember{Type: t, Member: &models.ChatMemberMember{User: &bot}}
	}
	return &models.ChatMemberUpdated{Chat: s.chatModelLocked(id), From: *by.model(), Date: int(time.Now().Unix()),
		OldChatMember: member(from), NewChatMember: member(to)}
}

// Answer is the bot's answer to a button press.
type Answer struct {
	Text      string
	ShowAlert bool
}

// WaitAnswer waits for the bot to answer the button press of the update updateID (as
// PressButton returned it) and returns the answer.
func (s *Server) WaitAnswer(ctx context.Context, updateID int64) (Answer, error) {
	for {
		s.mu.Lock()
		for _, cb := range s.callbacks {
			if cb.updateID == updateID && cb.answered > 0 {
				a := cb.answer
				s.mu.Unlock()
				return a, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return Answer{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
