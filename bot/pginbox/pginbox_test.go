package pginbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

func upd(id, chat int64) bot.InboxUpdate {
	return bot.InboxUpdate{ID: id, ChatID: chat, Raw: []byte(`{"update_id":1}`)}
}

// Accepting with a lease takes, for the caller, exactly the updates that are their chat's
// only one: not a chat's second update of the batch, not an update behind one already
// waiting, and never an update stored before. Taken updates are not taken again by Next
// or reported by DueChats until they are completed.
func TestAcceptLeasesOnlyAChatsOnlyUpdate(t *testing.T) {
	ctx := context.Background()
	in := pginbox.New(pgstoretest.New(t).DB().DB)
	const lease = time.Minute

	// Chat 7 has an update waiting already.
	if _, err := in.Accept(ctx, []bot.InboxUpdate{upd(1, 7)}, 50, 0); err != nil {
		t.Fatal(err)
	}
	acc, err := in.Accept(ctx, []bot.InboxUpdate{upd(2, 7), upd(3, 8), upd(4, 8), upd(5, 9), upd(3, 8)}, 50, lease)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, u := range acc.Taken {
		got = append(got, u.ID)
	}
	if len(got) != 2 || got[0] != 3 || got[1] != 5 {
		t.Fatalf("taken %v, want [3 5]", got)
	}
	// Accepted again (a batch fetched twice): stored once, taken by nobody.
	acc, err = in.Accept(ctx, []bot.InboxUpdate{upd(3, 8), upd(5, 9)}, 50, lease)
	if err != nil || len(acc.Taken) != 0 {
		t.Fatalf("accepted twice: taken %v, %v", acc.Taken, err)
	}
	due, err := in.DueChats(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 { // chat 7 (updates 1, 2) and chat 8 (update 4 behind the taken 3)
		t.Errorf("due chats %v, want 7 and 8", due)
	}
	// Chat 8's head is leased: nobody else takes it, nor the update behind it.
	if u, ok, _, err := in.Next(ctx, 8, 0, true, lease); err != nil || ok {
		t.Errorf("took %d of chat 8 while its head is leased (%v)", u.ID, err)
	}
	// Its worker completes it and takes the next in the same statement.
	u, ok, _, err := in.Next(ctx, 8, 3, true, lease)
	if err != nil || !ok || u.ID != 4 {
		t.Errorf("after completing 3: took %d, %v, %v; want 4", u.ID, ok, err)
	}
}
