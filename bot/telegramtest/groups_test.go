package telegramtest

import (
	"context"
	"errors"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Group chats as Telegram keeps them, seen through the real client: 20 messages a sliding
// minute (the 21st is a 429 with retry_after), the bot removed (403), a group become a
// supergroup (400 with migrate_to_chat_id), presses by members only, and the updates the
// bot gets for each.
func TestGroupChats(t *testing.T) {
	srv := NewServer(t)
	ctx := context.Background()
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := User{ID: 1, FirstName: "Alice"}, User{ID: 2, FirstName: "Bob"}
	const g = -777
	srv.AddGroup(g, "Team", alice)

	var last *models.Message
	for i := range 20 {
		if last, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g, Text: "hello",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Claim", CallbackData: "claim"}}}}}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g, Text: "one too many"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 1 || tooMany.RetryAfter > 60 {
		t.Fatalf("21st message in a minute: %v, want 429 with retry_after", err)
	}
	if n := len(srv.SentTo(g)); n != 20 {
		t.Errorf("recorded %d messages, want 20", n)
	}

	sent := Sent{ChatID: g, MessageID: last.ID}
	if _, err := srv.PressButton(bob, sent, "claim"); err == nil {
		t.Error("a press by someone not in the group was accepted")
	}
	if srv.SendGroupText(bob, g, "/bindgroup") != 0 {
		t.Error("someone not in the group wrote in it")
	}
	srv.JoinGroup(g, bob)
	if _, err := srv.PressButton(bob, sent, "claim"); err != nil {
		t.Errorf("a member's press: %v", err)
	}

	to := srv.MigrateGroup(g)
	if to > -1_000_000_000_000 {
		t.Errorf("supergroup id %d", to)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g, Text: "to the old id"})
	var moved *bot.MigrateError
	if !errors.As(err, &moved) || int64(moved.MigrateToChatID) != to {
		t.Fatalf("send to a migrated group: %v, want migrate_to_chat_id %d", err, to)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: to, Text: "to the supergroup"}); err != nil {
		t.Fatalf("send to the supergroup: %v", err)
	}

	srv.RemoveBot(to, alice)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: to, Text: "after removal"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("send after the bot was removed: %v, want 403", err)
	}

	// The updates: added (my_chat_member), the press, the two service messages of the
	// migration, removed.
	ups := getUpdates(t, srv, 0, 0)
	var added, pressed, from, toMsg, removed bool
	for _, u := range ups {
		switch {
		case u.MyChatMember != nil && u.MyChatMember.NewChatMember.Type == models.ChatMemberTypeMember:
			added = u.MyChatMember.Chat.ID == g && u.MyChatMember.Chat.Type == models.ChatTypeGroup
		case u.MyChatMember != nil && u.MyChatMember.NewChatMember.Type == models.ChatMemberTypeBanned:
			removed = u.MyChatMember.Chat.ID == to && u.MyChatMember.Chat.Type == models.ChatTypeSupergroup
		case u.CallbackQuery != nil:
			pressed = u.CallbackQuery.From.ID == bob.ID && u.CallbackQuery.Message.Message.Chat.ID == g
		case u.Message != nil && u.Message.MigrateToChatID == to:
			from = u.Message.Chat.ID == g
		case u.Message != nil && u.Message.MigrateFromChatID == g:
			toMsg = u.Message.Chat.ID == to
		}
	}
	if !added || !pressed || !from || !toMsg || !removed {
		t.Errorf("updates: added %v pressed %v migrate_to %v migrate_from %v removed %v", added, pressed, from, toMsg, removed)
	}
}

// A photo is sent again by its file id only when the server issued the id (a user's photo
// or an earlier upload); any other id is refused, as Telegram refuses it.
func TestPhotoByFileID(t *testing.T) {
	srv := NewServer(t)
	ctx := context.Background()
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	alice := User{ID: 1, FirstName: "Alice"}
	srv.SendPhoto(alice, "torn-seat", "")
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 2, Photo: &models.InputFileString{Data: "torn-seat"}}); err != nil {
		t.Fatalf("a user's photo sent on by its id: %v", err)
	}
	if got := srv.SentTo(2); len(got) != 1 || got[0].Photo == nil || got[0].Photo.Ref != "torn-seat" {
		t.Errorf("recorded: %+v", got)
	}
	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 2, Photo: &models.InputFileString{Data: "made-up"}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("an unknown file id: %v, want 400", err)
	}
}
