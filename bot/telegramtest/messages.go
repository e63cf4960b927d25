package telegramtest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// formattedText validates text (or a caption) against parse_mode and returns
// the text with markup removed.
func formattedText(text, parseMode string, caption bool) (string, *apiError) {
	plain, err := parseFormatted(text, parseMode)
	if err != nil {
		if errors.Is(err, errUnsupportedParseMode) {
			return "", badRequest("unsupported parse_mode")
		}
		return "", badRequest("can't parse entities: %v", err)
	}
	switch {
	case caption && utf16Len(plain) > maxCaptionLen:
		return "", badRequest("message caption is too long")
	case !caption && utf16Len(plain) > maxTextLen:
		return "", badRequest("message is too long")
	case !caption && strings.TrimSpace(plain) == "":
		return "", badRequest("message text is empty")
	}
	return plain, nil
}

func (s *Server) sendMessage(_ context.Context, r *request) (any, *apiError) {
	chatID, apiErr := r.chatID()
	if apiErr != nil {
		return nil, apiErr
	}
	text, parseMode := r.str("text"), r.str("parse_mode")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	plain, apiErr := formattedText(text, parseMode, false)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, apiErr := parseMarkup(r.str("reply_markup"))
	if apiErr != nil {
		return nil, apiErr
	}
	sent := Sent{
		Method:    r.method,
		ChatID:    chatID,
		Text:      text,
		PlainText: plain,
		ParseMode: parseMode,
	}
	mk.apply(&sent)
	return s.storeNewMessage(r, sent)
}

func (s *Server) sendDocument(_ context.Context, r *request) (any, *apiError) {
	return s.sendFile(r, "document")
}

func (s *Server) sendPhoto(_ context.Context, r *request) (any, *apiError) {
	return s.sendFile(r, "photo")
}

func (s *Server) sendFile(r *request, field string) (any, *apiError) {
	chatID, apiErr := r.chatID()
	if apiErr != nil {
		return nil, apiErr
	}
	f, ok := r.file(field)
	if !ok {
		return nil, badRequest("there is no %s in the request", field)
	}
	if f.Ref == "" {
		if len(f.Data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		if field == "photo" && !strings.HasPrefix(http.DetectContentType(f.Data), "image/") {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
	}
	if f.Ref != "" && !strings.HasPrefix(f.Ref, "http://") && !strings.HasPrefix(f.Ref, "https://") {
		s.mu.Lock()
		_, known := s.files[f.Ref]
		s.mu.Unlock()
		if !known {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	caption, parseMode := r.str("caption"), r.str("parse_mode")
	if caption != "" {
		if _, apiErr := formattedText(caption, parseMode, true); apiErr != nil {
			return nil, apiErr
		}
	}
	mk, apiErr := parseMarkup(r.str("reply_markup"))
	if apiErr != nil {
		return nil, apiErr
	}
	sent := Sent{
		Method:    r.method,
		ChatID:    chatID,
		ParseMode: parseMode,
		Caption:   caption,
	}
	mk.apply(&sent)
	// The file is finished under the lock because ids come from the server.
	return s.storeNewMessage(r, sent, func(m *Sent) {
		file := *f
		if file.Ref != "" {
			if known, ok := s.files[file.Ref]; ok {
				file.Name, file.Data = known.Name, known.Data
			}
			file.FileID = file.Ref
		} else {
			s.nextFileID++
			prefix := "BQACAgIAAxkDAAI"
			if field == "photo" {
				prefix = "AgACAgIAAxkDAAI"
			}
			file.FileID = prefix + strconv.FormatInt(s.nextFileID, 10) + "-" + strconv.FormatInt(m.ChatID, 36)
			s.files[file.FileID] = &file
		}
		if field == "photo" {
			m.Photo = &file
		} else {
			m.Document = &file
		}
	})
}

// storeNewMessage admits, numbers, stores and records a new bot message and
// returns its API representation.
func (s *Server) storeNewMessage(r *request, sent Sent, finish ...func(*Sent)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiErr := s.admitLocked(sent.ChatID, true); apiErr != nil {
		return nil, apiErr
	}
	for _, f := range finish {
		f(&sent)
	}
	c := s.chatLocked(sent.ChatID)
	c.lastMsgID++
	now := time.Now()
	sent.MessageID = c.lastMsgID
	sent.Params = r.values
	sent.At = now
	stored := &storedMessage{Sent: sent, date: now.Unix()}
	c.messages[sent.MessageID] = stored
	s.recordLocked(sent)
	return s.apiMessageLocked(stored), nil
}

// editTargetLocked finds the message an edit refers to.
func (s *Server) editTargetLocked(chatID int64, msgID int) (*storedMessage, *apiError) {
	c := s.chats[chatID]
	if c == nil {
		return nil, badRequest("message to edit not found")
	}
	m := c.messages[msgID]
	switch {
	case m != nil && !m.deleted:
		return m, nil
	case m == nil && msgID > 0 && msgID <= c.lastMsgID:
		// A message the user sent.
		return nil, badRequest("message can't be edited")
	default:
		return nil, badRequest("message to edit not found")
	}
}

func editIDs(r *request) (int64, int, *apiError) {
	if r.str("inline_message_id") != "" {
		return 0, 0, badRequest("MESSAGE_ID_INVALID")
	}
	chatID, apiErr := r.chatID()
	if apiErr != nil {
		return 0, 0, apiErr
	}
	msgID, apiErr := r.messageID()
	if apiErr != nil {
		return 0, 0, apiErr
	}
	return chatID, msgID, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(_ context.Context, r *request) (any, *apiError) {
	chatID, msgID, apiErr := editIDs(r)
	if apiErr != nil {
		return nil, apiErr
	}
	text, parseMode := r.str("text"), r.str("parse_mode")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	plain, apiErr := formattedText(text, parseMode, false)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, newMarkup, apiErr := editMarkup(r)
	if apiErr != nil {
		return nil, apiErr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	target, apiErr := s.editTargetLocked(chatID, msgID)
	if apiErr != nil {
		return nil, apiErr
	}
	if target.Document != nil || target.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	if target.Text == text && target.ParseMode == parseMode && canonicalMarkup(target.ReplyMarkup) == newMarkup {
		return nil, badRequest(notModified)
	}
	if apiErr := s.admitLocked(chatID, true); apiErr != nil {
		return nil, apiErr
	}
	state := target.Sent
	state.Text, state.PlainText, state.ParseMode = text, plain, parseMode
	mk.apply(&state)
	return s.applyEditLocked(r, target, state), nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, r *request) (any, *apiError) {
	chatID, msgID, apiErr := editIDs(r)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, newMarkup, apiErr := editMarkup(r)
	if apiErr != nil {
		return nil, apiErr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	target, apiErr := s.editTargetLocked(chatID, msgID)
	if apiErr != nil {
		return nil, apiErr
	}
	if canonicalMarkup(target.ReplyMarkup) == newMarkup {
		return nil, badRequest(notModified)
	}
	if apiErr := s.admitLocked(chatID, true); apiErr != nil {
		return nil, apiErr
	}
	state := target.Sent
	mk.apply(&state)
	return s.applyEditLocked(r, target, state), nil
}

// editMarkup reads the reply_markup of an edit: an inline keyboard or none, with its
// canonical form ("" for none) to compare with the message's.
func editMarkup(r *request) (*markup, string, *apiError) {
	mk, apiErr := parseMarkup(r.str("reply_markup"))
	if apiErr != nil {
		return nil, "", apiErr
	}
	if mk == nil {
		return nil, "", nil
	}
	if !mk.isInline() {
		return nil, "", badRequest("inline keyboard expected")
	}
	return mk, canonicalMarkup(mk.raw), nil
}

// applyEditLocked stores the new state of an edited message, records the
// edit and returns the edited message.
func (s *Server) applyEditLocked(r *request, target *storedMessage, state Sent) apiMessage {
	now := time.Now()
	target.Sent = state
	target.editDate = now.Unix()

	rec := state
	rec.Method = r.method
	rec.Params = r.values
	rec.At = now
	s.recordLocked(rec)
	return s.apiMessageLocked(target)
}

func (s *Server) deleteMessage(_ context.Context, r *request) (any, *apiError) {
	chatID, apiErr := r.chatID()
	if apiErr != nil {
		return nil, apiErr
	}
	msgID, apiErr := r.messageID()
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiErr := s.admitLocked(chatID, false); apiErr != nil {
		return nil, apiErr
	}
	c := s.chats[chatID]
	if c == nil || msgID <= 0 || msgID > c.lastMsgID {
		return nil, badRequest("message to delete not found")
	}
	m := c.messages[msgID]
	if m == nil {
		// A message from the user: bots may delete those in private chats.
		c.messages[msgID] = &storedMessage{Sent: Sent{ChatID: chatID, MessageID: msgID}, deleted: true}
		return true, nil
	}
	if m.deleted {
		return nil, badRequest("message to delete not found")
	}
	m.deleted = true
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true,
	"choose_sticker": true, "find_location": true, "record_video_note": true,
	"upload_video_note": true,
}

func (s *Server) sendChatAction(_ context.Context, r *request) (any, *apiError) {
	chatID, apiErr := r.chatID()
	if apiErr != nil {
		return nil, apiErr
	}
	if !chatActions[r.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiErr := s.admitLocked(chatID, false); apiErr != nil {
		return nil, apiErr
	}
	return true, nil
}

// callbackState tracks a callback query issued to the bot.
type callbackState struct {
	chatID   int64
	answered int
	updateID int64
	answer   Answer // the first answer
}

func (s *Server) answerCallbackQuery(_ context.Context, r *request) (any, *apiError) {
	id := r.str("callback_query_id")
	text := r.str("text")
	if utf16Len(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[id]
	if id == "" || cb == nil {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if cb.answered == 0 {
		cb.answer = Answer{Text: text, ShowAlert: r.bool("show_alert")}
	}
	cb.answered++
	s.answered = append(s.answered, id)
	s.all = append(s.all, Sent{
		Method:          r.method,
		ChatID:          cb.chatID,
		Text:            text,
		PlainText:       text,
		CallbackQueryID: id,
		Params:          r.values,
		At:              time.Now(),
	})
	return true, nil
}
