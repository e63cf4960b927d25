package bot

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/notify"
)

// Telegram's limits on files, checked before a request rather than learnt from a 400.
const (
	maxCaption  = 1024     // caption, in UTF-16 code units
	maxPhoto    = 10 << 20 // a photo upload
	maxDocument = 50 << 20 // a document upload
)

// upload is a file to send: a reply's or a notice's.
type upload struct {
	chatID  int64
	photo   bool
	name    string
	data    []byte
	fileID  string // a Telegram file id sent instead of data
	caption string
	markup  models.ReplyMarkup
}

// sendReplyFile sends a reply that carries a file, waiting out 429 answers.
func (b *Bot) sendReplyFile(ctx context.Context, r conversation.Reply) error {
	u := upload{chatID: r.ChatID, photo: r.File.Kind == conversation.FilePhoto, name: r.File.Name, data: r.File.Data, caption: r.Text}
	if kb := inlineKeyboard(r.Buttons); kb != nil {
		u.markup = kb
	}
	if utf16Len(u.caption) > maxCaption {
		if err := b.send(ctx, &tgbot.SendMessageParams{ChatID: r.ChatID, Text: u.caption}); err != nil {
			return err
		}
		u.caption = ""
	}
	return b.retry(ctx, u.method(), func() error {
		_, err := b.upload(ctx, u)
		return err
	})
}

// sendNoticeFile sends a notification that carries a file, once (notify retries).
func (b *Bot) sendNoticeFile(ctx context.Context, chatID int64, m notify.Message) (int, error) {
	u := upload{chatID: chatID, photo: m.File.Photo, name: m.File.Name, data: m.File.Data, fileID: m.File.ID, caption: m.Text}
	if kb := inlineKeyboard(m.Buttons); kb != nil {
		u.markup = kb
	}
	if utf16Len(u.caption) > maxCaption {
		_, err := b.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: u.caption})
		if to, ok, merr := b.followMigration(ctx, chatID, err); merr != nil {
			return 0, b.noticeError("sendMessage", merr)
		} else if ok {
			u.chatID = to
			_, err = b.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: to, Text: u.caption})
		}
		if err != nil {
			return 0, b.noticeError("sendMessage", err)
		}
		u.caption = ""
	}
	id, err := b.upload(ctx, u)
	if to, ok, merr := b.followMigration(ctx, u.chatID, err); merr != nil {
		return 0, b.noticeError(u.method(), merr)
	} else if ok {
		u.chatID = to
		id, err = b.upload(ctx, u)
	}
	if err != nil {
		return 0, b.noticeError(u.method(), err)
	}
	b.metrics.Sends.WithLabelValues("ok").Inc()
	return id, nil
}

func (u upload) method() string {
	if u.photo {
		return "sendPhoto"
	}
	return "sendDocument"
}

// upload makes the sendPhoto or sendDocument call. A file larger than Telegram takes is
// refused here, as Telegram would refuse it.
func (b *Bot) upload(ctx context.Context, u upload) (int, error) {
	limit := maxDocument
	if u.photo {
		limit = maxPhoto
	}
	if len(u.data) > limit {
		return 0, fmt.Errorf("%w, %s: %s is %d bytes, more than the %d Telegram accepts", tgbot.ErrorBadRequest, u.method(), u.name, len(u.data), limit)
	}
	var file models.InputFile = &models.InputFileUpload{Filename: u.name, Data: bytes.NewReader(u.data)}
	if u.fileID != "" {
		file = &models.InputFileString{Data: u.fileID}
	}
	var (
		msg *models.Message
		err error
	)
	if u.photo {
		msg, err = b.api.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: u.chatID, Photo: file, Caption: u.caption, ReplyMarkup: u.markup})
	} else {
		msg, err = b.api.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: u.chatID, Document: file, Caption: u.caption, ReplyMarkup: u.markup})
	}
	if err != nil {
		return 0, err
	}
	return msg.ID, nil
}

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
