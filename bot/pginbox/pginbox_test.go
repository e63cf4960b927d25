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

func next(ctx context.Context, in *pginbox.Inbox, chat, done int64, lease time.Duration) (bot.NextResult, error) {
	rs, err := in.Next(ctx, []bot.NextRequest{{Chat: chat, Done: done}}, lease)
	if err != nil {
		return bot.NextResult{}, err
	}
	return rs[0], nil
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
	if _, err := in.Accept(ctx, []bot.InboxUpdate{upd(1, 7)}, 50, 0, nil); err != nil {
		t.Fatal(err)
	}
	acc, err := in.Accept(ctx, []bot.InboxUpdate{upd(2, 7), upd(3, 8), upd(4, 8), upd(5, 9), upd(3, 8)}, 50, lease, nil)
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
	acc, err = in.Accept(ctx, []bot.InboxUpdate{upd(3, 8), upd(5, 9)}, 50, lease, nil)
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
	if r, err := next(ctx, in, 8, 0, lease); err != nil || r.OK {
		t.Errorf("took %d of chat 8 while its head is leased (%v)", r.Update.ID, err)
	}
	// Its worker completes it and takes the next in the same statement.
	r, err := next(ctx, in, 8, 3, lease)
	if err != nil || !r.OK || r.Update.ID != 4 {
		t.Errorf("after completing 3: took %d, %v, %v; want 4", r.Update.ID, r.OK, err)
	}
}

// An update of a chat whose only stored update is one the caller holds (its worker is
// handling it) is leased to the caller at accept; not once the held one was put back for a
// retry (it must run first), nor when the chat has another update waiting.
func TestAcceptLeasesTheNextUpdateOfAHeldChat(t *testing.T) {
	ctx := context.Background()
	in := pginbox.New(pgstoretest.New(t).DB().DB)
	const lease = time.Minute
	taken := func(acc bot.Accepted) []int64 {
		var ids []int64
		for _, u := range acc.Taken {
			ids = append(ids, u.ID)
		}
		return ids
	}
	acc, err := in.Accept(ctx, []bot.InboxUpdate{upd(1, 7), upd(2, 8)}, 50, lease, nil)
	if err != nil || len(acc.Taken) != 2 {
		t.Fatalf("first updates: taken %v, %v", taken(acc), err)
	}
	// The caller handles 1 and 2; chat 7 writes again twice, chat 8 once.
	acc, err = in.Accept(ctx, []bot.InboxUpdate{upd(3, 7), upd(4, 7), upd(5, 8)}, 50, lease, []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	if got := taken(acc); len(got) != 1 || got[0] != 3 {
		t.Fatalf("taken %v, want [3]: chat 7's next behind the held 1; not 4 behind it, not 5 behind 2 (not held)", got)
	}
	// Update 2 is put back for a retry: held or not, chat 8's next waits behind it.
	if err := in.Retry(ctx, 2, 1, 0, time.Now().Add(time.Hour), "boom"); err != nil {
		t.Fatal(err)
	}
	acc, err = in.Accept(ctx, []bot.InboxUpdate{upd(6, 8)}, 50, lease, []int64{2})
	if err != nil || len(acc.Taken) != 0 {
		t.Fatalf("behind a put-back update: taken %v, %v", taken(acc), err)
	}
	// Once 1 and 3 are done, chat 7's 4 is the next one: Next takes it.
	if err := in.Complete(ctx, []int64{1, 3}); err != nil {
		t.Fatal(err)
	}
	if r, err := next(ctx, in, 7, 0, lease); err != nil || !r.OK || r.Update.ID != 4 {
		t.Fatalf("chat 7 next: %d %v %v, want 4", r.Update.ID, r.OK, err)
	}
}

// Next serves many chats in one statement: each completes its last update and takes its
// next one when due and not leased; a chat whose next waits for a retry learns when.
func TestNextServesManyChats(t *testing.T) {
	ctx := context.Background()
	in := pginbox.New(pgstoretest.New(t).DB().DB)
	const lease = time.Minute
	// Chats 1..3 each have two updates; chat 4 one, which is put back for an hour.
	var us []bot.InboxUpdate
	for chat := int64(1); chat <= 3; chat++ {
		us = append(us, upd(chat*10, chat), upd(chat*10+1, chat))
	}
	us = append(us, upd(40, 4))
	if _, err := in.Accept(ctx, us, 50, 0, nil); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if err := in.Retry(ctx, 40, 1, 0, later, "boom"); err != nil {
		t.Fatal(err)
	}
	reqs := []bot.NextRequest{{Chat: 1}, {Chat: 2}, {Chat: 3}, {Chat: 4}, {Chat: 5}}
	rs, err := in.Next(ctx, reqs, lease)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{10, 20, 30} {
		if !rs[i].OK || rs[i].Update.ID != want || rs[i].Update.ChatID != int64(i+1) {
			t.Errorf("chat %d: %+v, want update %d", i+1, rs[i], want)
		}
	}
	if rs[3].OK || !rs[3].Due.Equal(later) {
		t.Errorf("chat 4: %+v, want nothing taken, due %v", rs[3], later)
	}
	if rs[4].OK || !rs[4].Due.IsZero() {
		t.Errorf("chat 5 (nothing stored): %+v", rs[4])
	}
	// Asked again while leased: nothing, and no due time (another worker has them).
	rs, err = in.Next(ctx, reqs[:3], lease)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.OK || !r.Due.IsZero() {
			t.Errorf("chat %d while leased: %+v", i+1, r)
		}
	}
	// Completing each chat's first takes its second, in the same statement.
	rs, err = in.Next(ctx, []bot.NextRequest{{Chat: 3, Done: 30}, {Chat: 1, Done: 10}, {Chat: 2, Done: 20}}, lease)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{31, 11, 21} {
		if !rs[i].OK || rs[i].Update.ID != want {
			t.Errorf("request %d: %+v, want update %d", i, rs[i], want)
		}
	}
}

// Two processes accepting updates of one chat at once (webhook deliveries reaching two
// instances) never both lease one: the second sees what the first stored, so the chat's
// updates are taken one at a time, in order.
func TestConcurrentAcceptsLeaseOneUpdateOfAChat(t *testing.T) {
	ctx := context.Background()
	db := pgstoretest.New(t).DB().DB
	a, b := pginbox.New(db), pginbox.New(db)
	const lease = time.Minute
	for round := int64(0); round < 40; round++ {
		ids := []int64{round*2 + 1, round*2 + 2}
		var taken [2]int
		errs := make(chan error, 2)
		start := make(chan struct{})
		for i, in := range []*pginbox.Inbox{a, b} {
			go func() {
				<-start
				acc, err := in.Accept(ctx, []bot.InboxUpdate{upd(ids[i], 7)}, 50, lease, nil)
				taken[i] = len(acc.Taken)
				errs <- err
			}()
		}
		close(start)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if taken[0]+taken[1] != 1 {
			t.Fatalf("round %d: %d of the chat's 2 updates leased at once, want 1", round, taken[0]+taken[1])
		}
		if err := a.Complete(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
}

// An update is stored byte for byte as it came, whatever its text holds: quotes,
// backslashes, braces and commas of the array literal it travels in, Chinese, emoji.
func TestAcceptStoresTheUpdatesAsTheyCame(t *testing.T) {
	ctx := context.Background()
	in := pginbox.New(pgstoretest.New(t).DB().DB)
	raws := []string{
		`{"update_id":1,"message":{"text":"5把椅子，黑色 \"加急\" C:\\订单\\ {a,b} NULL 🪑"}}`,
		`{"update_id":2,"message":{"text":"\\\\\"\"\\"}}`,
		`{}`,
		`{"update_id":4,"message":{"text":"NULL"}}`,
	}
	var us []bot.InboxUpdate
	for i, r := range raws {
		us = append(us, bot.InboxUpdate{ID: int64(i + 1), ChatID: int64(100 + i), Raw: []byte(r)})
	}
	if _, err := in.Accept(ctx, us, 50, 0, nil); err != nil {
		t.Fatal(err)
	}
	for i, r := range raws {
		got, err := next(ctx, in, int64(100+i), 0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !got.OK || string(got.Update.Raw) != r {
			t.Errorf("update %d: stored %q (ok %v), want %q", i+1, got.Update.Raw, got.OK, r)
		}
	}
}
