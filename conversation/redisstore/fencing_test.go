package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// A turn that lost its lock saves nothing over the session of the turn that holds the chat
// now, and its context is cancelled with ErrLockLost.
func TestLostTurnCannotSave(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(300*time.Millisecond))
	ctx := testContext(t)
	old := begin(t, s, ctx, 5, "u:1")
	if old.Save == nil || old.Context == nil {
		t.Fatal("a turn has no fenced Save or no Context")
	}
	// The lock expires under the old turn (a pause longer than its TTL) and another
	// instance takes the chat and saves its session.
	if err := client.Del(ctx, lockKey(prefix, 5)).Err(); err != nil {
		t.Fatal(err)
	}
	other := New(secondClient(t), prefix)
	cur := begin(t, other, ctx, 5, "u:2")
	if err := cur.Save(ctx, []byte("new"), time.Hour); err != nil {
		t.Fatalf("the holder's save: %v", err)
	}
	err := old.Save(ctx, []byte("stale"), time.Hour)
	if !errors.Is(err, conversation.ErrLockLost) {
		t.Fatalf("the lost turn's save: %v, want ErrLockLost", err)
	}
	if got, _ := client.Get(ctx, sessionKey(prefix, 5)).Result(); got != "new" {
		t.Fatalf("session = %q, want the holder's %q", got, "new")
	}
	select {
	case <-old.Context.Done():
		if !errors.Is(context.Cause(old.Context), conversation.ErrLockLost) {
			t.Errorf("cause %v, want ErrLockLost", context.Cause(old.Context))
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the lost turn's context was not cancelled")
	}
	_ = old.End(ctx, false)
	if err := cur.End(ctx, true); err != nil {
		t.Fatal(err)
	}
}

// The extender notices a lock taken over and cancels the turn before it saves.
func TestLostLockCancelsTurn(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(150*time.Millisecond))
	ctx := testContext(t)
	turn := begin(t, s, ctx, 6, "u:1")
	defer func() { _ = turn.End(ctx, false) }()
	if err := client.Set(ctx, lockKey(prefix, 6), "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-turn.Context.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the turn's context was not cancelled after its lock was taken over")
	}
	if !errors.Is(context.Cause(turn.Context), conversation.ErrLockLost) {
		t.Errorf("cause %v, want ErrLockLost", context.Cause(turn.Context))
	}
}
