package redisstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// setup returns a Store on the test Redis under a prefix of the test's own, and its client.
func setup(tb testing.TB, opts ...Option) (*Store, *redis.Client, string) {
	tb.Helper()
	client, prefix := testenv.Redis(tb)
	return New(client, prefix, opts...), client, prefix
}

// secondClient returns another client of the test Redis, as a second process would have.
func secondClient(tb testing.TB) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(os.Getenv("ORDERBOT_TEST_REDIS_URL"))
	if err != nil {
		tb.Fatalf("ORDERBOT_TEST_REDIS_URL: %v", err)
	}
	opt.PoolSize = 64
	c := redis.NewClient(opt)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// begin begins a turn of chat for the update key, failing the test on an error.
func begin(tb testing.TB, s *Store, ctx context.Context, chat int64, key string) conversation.Turn {
	tb.Helper()
	t, err := s.Begin(ctx, chat, key)
	if err != nil {
		tb.Fatalf("Begin(%d, %q): %v", chat, key, err)
	}
	return t
}

// session returns what a turn of chat finds of its session, and ends the turn.
func session(tb testing.TB, s *Store, ctx context.Context, chat int64) ([]byte, bool) {
	tb.Helper()
	t := begin(tb, s, ctx, chat, "")
	if err := t.End(ctx, false); err != nil {
		tb.Fatalf("End: %v", err)
	}
	return t.Session, t.Expired
}

func TestKeyLayout(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{sessionKey("orderbot:", 42), "orderbot:session:{42}"},
		{sessionMarkerKey("orderbot:", 42), "orderbot:session:{42}:seen"},
		{lockKey("orderbot:", 42), "orderbot:lock:{42}"},
		{lockKey("orderbot:", -1001234567890), "orderbot:lock:{-1001234567890}"},
		{doneKey("orderbot:", 42, "u:123"), "orderbot:done:{42}:u:123"},
		{doneKey("orderbot:", 42, "cb:abc"), "orderbot:done:{42}:cb:abc"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestMarkerTTL(t *testing.T) {
	t.Parallel()
	tests := []struct{ ttl, want time.Duration }{
		{300 * time.Millisecond, 9 * time.Second},
		{time.Hour, 30 * time.Hour},
		{24 * time.Hour, 30 * 24 * time.Hour},
		{3 * 24 * time.Hour, 90 * 24 * time.Hour},
		{30 * 24 * time.Hour, 90 * 24 * time.Hour},
		{100 * 24 * time.Hour, 101 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := markerTTL(tt.ttl); got != tt.want {
			t.Errorf("markerTTL(%v) = %v, want %v", tt.ttl, got, tt.want)
		}
	}
}

func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx := testContext(t)

	if data, expired := session(t, s, ctx, 1); data != nil || expired {
		t.Fatalf("session of a new chat = %q, %v; want nil, false", data, expired)
	}
	want := []byte(`{"state":"cart","lines":[1,2]}` + "\x00\xff")
	if err := s.SaveSession(ctx, 1, want, time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if data, expired := session(t, s, ctx, 1); !bytes.Equal(data, want) || expired {
		t.Fatalf("session = %q, %v; want %q, false", data, expired, want)
	}
	if pttl := client.PTTL(ctx, sessionKey(prefix, 1)).Val(); pttl <= 59*time.Minute || pttl > time.Hour {
		t.Errorf("session PTTL = %v, want about 1h", pttl)
	}
	if pttl := client.PTTL(ctx, sessionMarkerKey(prefix, 1)).Val(); pttl <= 29*time.Hour || pttl > 30*time.Hour {
		t.Errorf("marker PTTL = %v, want about 30h", pttl)
	}

	// Another chat is not affected; overwriting replaces.
	if data, _ := session(t, s, ctx, 2); data != nil {
		t.Errorf("session of chat 2 = %q, want nil", data)
	}
	if err := s.SaveSession(ctx, 1, []byte("v2"), time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if data, _ := session(t, s, ctx, 1); string(data) != "v2" {
		t.Errorf("session after overwrite = %q, want v2", data)
	}

	// An empty session is a session.
	if err := s.SaveSession(ctx, 3, []byte{}, time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if data, expired := session(t, s, ctx, 3); data == nil || len(data) != 0 || expired {
		t.Errorf("an empty session = %#v, %v; want []byte{}, false", data, expired)
	}
}

func TestSessionExpiresReportedOnce(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := testContext(t)

	saved := time.Now()
	if err := s.SaveSession(ctx, 7, []byte("hello"), 300*time.Millisecond); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	data, expired := session(t, s, ctx, 7)
	if time.Since(saved) < 250*time.Millisecond { // else a busy machine made the check moot
		if string(data) != "hello" || expired {
			t.Fatalf("session before expiry = %q, %v", data, expired)
		}
	}
	time.Sleep(600 * time.Millisecond)

	if data, expired := session(t, s, ctx, 7); data != nil || !expired {
		t.Fatalf("session after expiry = %q, %v; want nil, true", data, expired)
	}
	if data, expired := session(t, s, ctx, 7); data != nil || expired {
		t.Fatalf("second look after expiry = %q, %v; want nil, false", data, expired)
	}

	// A new session after the expiry is reported as expired again when it times out.
	if err := s.SaveSession(ctx, 7, []byte("again"), 200*time.Millisecond); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	if _, expired := session(t, s, ctx, 7); !expired {
		t.Errorf("second session's expiry not reported")
	}
}

func TestSessionExpiryReportedToOneOfConcurrentTurns(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := testContext(t)

	if err := s.SaveSession(ctx, 8, []byte("x"), 100*time.Millisecond); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		reports int
	)
	for range 10 {
		wg.Go(func() {
			if _, expired := session(t, s, ctx, 8); expired {
				mu.Lock()
				reports++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if reports != 1 {
		t.Errorf("expiry reported %d times, want 1", reports)
	}
}

func TestSaveSessionRejectsNonPositiveTTL(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := s.SaveSession(testContext(t), 1, []byte("x"), ttl); err == nil {
			t.Errorf("SaveSession with ttl %v: no error", ttl)
		}
	}
}

// count increments a plain int from workers goroutines, perWorker times each, guarded only by
// the turns of one chat; stores are used round robin.
func count(t *testing.T, stores []*Store, workers, perWorker int) int {
	t.Helper()
	ctx := testContext(t)
	counter := 0
	var wg sync.WaitGroup
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for range perWorker {
				turn, err := s.Begin(ctx, 100, "")
				if err != nil {
					t.Errorf("Begin: %v", err)
					return
				}
				v := counter
				time.Sleep(0) // let another goroutine run inside the critical section if it could
				counter = v + 1
				_ = turn.End(ctx, false)
			}
		})
	}
	wg.Wait()
	return counter
}

func TestLockExcludes(t *testing.T) {
	t.Parallel()
	t.Run("goroutines", func(t *testing.T) {
		t.Parallel()
		s, _, _ := setup(t)
		if got := count(t, []*Store{s}, 20, 50); got != 1000 {
			t.Errorf("counter = %d, want 1000", got)
		}
	})
	t.Run("processes", func(t *testing.T) {
		t.Parallel()
		s1, _, prefix := setup(t)
		s2 := New(secondClient(t), prefix)
		if got := count(t, []*Store{s1, s2}, 20, 50); got != 1000 {
			t.Errorf("counter = %d, want 1000", got)
		}
	})
}

func TestLockDifferentChatsIndependent(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := testContext(t)

	t1 := begin(t, s, ctx, 1, "")
	defer t1.End(ctx, false)
	// Chat 1's lock lives 30s: a turn of chat 2 within 5s shows it did not wait for it.
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t2, err := s.Begin(ctx2, 2, "")
	if err != nil {
		t.Fatalf("Begin(2) while 1 is held: %v", err)
	}
	_ = t2.End(ctx, false)
}

func TestLockTakesOverCrashedHolder(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx := testContext(t)

	// A holder that crashed: its lock is in Redis and nobody extends it.
	key := lockKey(prefix, 5)
	start := time.Now()
	if err := client.Set(ctx, key, "crashed-holder", 200*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	turn := begin(t, s, ctx, 5, "")
	defer turn.End(ctx, false)
	d := time.Since(start)
	if d < 190*time.Millisecond || d > 5*time.Second {
		t.Errorf("Begin took %v, want it to wait for the crashed holder's 200ms", d)
	}
	if v := client.Get(ctx, key).Val(); v == "" || v == "crashed-holder" {
		t.Errorf("lock key = %q after take-over", v)
	}
}

func TestLockHonoursContext(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := testContext(t)

	turn := begin(t, s, ctx, 3, "")
	defer turn.End(ctx, false)

	waitCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Begin(waitCtx, 3, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Begin while held = %v, want DeadlineExceeded", err)
	} else if !strings.Contains(err.Error(), "redisstore: lock chat 3") {
		t.Errorf("error %q lacks context", err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 3*time.Second {
		t.Errorf("Begin returned after %v, want about 100ms", d)
	}

	cancelled, cancel2 := context.WithCancel(ctx)
	cancel2()
	if _, err := s.Begin(cancelled, 4, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Begin with a cancelled context = %v, want Canceled", err)
	}
}

func TestEndUsesItsOwnContextAndIsIdempotent(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx, cancel := context.WithCancel(testContext(t))

	turn := begin(t, s, ctx, 6, "u:1")
	cancel() // the request is over before the handler ends the turn
	if err := turn.End(ctx, true); err != nil {
		t.Errorf("End with a cancelled context: %v", err)
	}
	if err := turn.End(ctx, false); err != nil {
		t.Errorf("second End: %v", err)
	}
	bg := context.Background()
	if n := client.Exists(bg, lockKey(prefix, 6)).Val(); n != 0 {
		t.Errorf("lock key still there after End with a cancelled context")
	}
	if n := client.Exists(bg, doneKey(prefix, 6, "u:1")).Val(); n != 1 {
		t.Errorf("update not marked handled by End with a cancelled context")
	}
}

func TestEndAfterExpiryKeepsNextHolder(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(300*time.Millisecond))
	other := New(secondClient(t), prefix)
	ctx := testContext(t)
	key := lockKey(prefix, 11)

	a := begin(t, s, ctx, 11, "")
	// A stalls past its TTL (as if its process were frozen): the key expires.
	if err := client.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	b := begin(t, other, ctx, 11, "")
	tokenB := client.Get(ctx, key).Val()

	// A's extender finds the lock taken and does not extend B's; A's End leaves it alone.
	time.Sleep(150 * time.Millisecond)
	_ = a.End(ctx, false)
	_ = a.End(ctx, false)
	if v := client.Get(ctx, key).Val(); v != tokenB {
		t.Fatalf("lock key = %q after A's End, want B's token %q", v, tokenB)
	}
	_ = b.End(ctx, false)
	if n := client.Exists(ctx, key).Val(); n != 0 {
		t.Errorf("lock key still there after B's End")
	}
}

func TestLockExtendedWhileHeld(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(600*time.Millisecond))
	ctx := testContext(t)
	key := lockKey(prefix, 12)

	turn := begin(t, s, ctx, 12, "")
	token := client.Get(ctx, key).Val()
	time.Sleep(1500 * time.Millisecond) // more than two TTLs

	if v := client.Get(ctx, key).Val(); v != token {
		t.Fatalf("lock key = %q after 1.5s, want the holder's token %q", v, token)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	if _, err := s.Begin(waitCtx, 12, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Begin while the first is extended = %v, want DeadlineExceeded", err)
	}

	_ = turn.End(ctx, false)
	if n := client.Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("lock key still there after End")
	}
	// Once ended, it is no longer extended: a stray key would not come back.
	_ = begin(t, s, ctx, 12, "").End(ctx, false)
}

func TestHandled(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithDoneTTL(time.Hour))
	ctx := testContext(t)

	turn := begin(t, s, ctx, 1, "u:123")
	if turn.Handled {
		t.Fatal("a new update is handled")
	}
	if err := turn.End(ctx, true); err != nil {
		t.Fatalf("End: %v", err)
	}
	handled := func(chat int64, key string) bool {
		t.Helper()
		turn := begin(t, s, ctx, chat, key)
		_ = turn.End(ctx, false)
		return turn.Handled
	}
	if !handled(1, "u:123") {
		t.Fatal("the update is not handled after End(true)")
	}
	if handled(1, "u:124") || handled(1, "cb:u:123") || handled(2, "u:123") {
		t.Error("another update, or another chat, counts as handled")
	}
	if turn := begin(t, s, ctx, 1, "u:125"); turn.End(ctx, false) != nil || handled(1, "u:125") {
		t.Error("End(false) marked the update handled")
	}
	if pttl := client.PTTL(ctx, doneKey(prefix, 1, "u:123")).Val(); pttl <= 59*time.Minute || pttl > time.Hour {
		t.Errorf("done PTTL = %v, want about 1h", pttl)
	}
}

func TestHandledDefaultTTL(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx := testContext(t)
	if err := begin(t, s, ctx, 1, "cb:abc").End(ctx, true); err != nil {
		t.Fatalf("End: %v", err)
	}
	if pttl := client.PTTL(ctx, doneKey(prefix, 1, "cb:abc")).Val(); pttl <= 47*time.Hour || pttl > 48*time.Hour {
		t.Errorf("done PTTL = %v, want about 48h", pttl)
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	if err := s.Ping(testContext(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	_, _, prefix := setup(t)
	c := secondClient(t)
	s := New(c, prefix)
	held := begin(t, s, ctx, 4, "u:2")
	_ = c.Close()

	_, errBegin := s.Begin(ctx, 1, "u:1")
	errs := map[string]error{
		"Begin":       errBegin,
		"SaveSession": s.SaveSession(ctx, 1, []byte("x"), time.Second),
		"End":         held.End(ctx, true),
		"Ping":        s.Ping(ctx),
	}
	for name, err := range errs {
		switch {
		case err == nil:
			t.Errorf("%s on a closed client: no error", name)
		case !strings.HasPrefix(err.Error(), "redisstore: "):
			t.Errorf("%s error %q lacks context", name, err)
		case !errors.Is(err, redis.ErrClosed):
			t.Errorf("%s error %q does not wrap redis.ErrClosed", name, err)
		}
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	s := New(nil, "p:")
	if s.lockTTL != DefaultLockTTL || s.retryMin != DefaultLockRetryMin ||
		s.retryMax != DefaultLockRetryMax || s.doneTTL != DefaultDoneTTL {
		t.Errorf("defaults = %v %v..%v %v", s.lockTTL, s.retryMin, s.retryMax, s.doneTTL)
	}
	s = New(nil, "p:", WithLockTTL(time.Second), WithLockRetry(10*time.Millisecond, time.Millisecond),
		WithDoneTTL(time.Hour), WithLockTTL(0), WithDoneTTL(-1))
	if s.lockTTL != time.Second || s.retryMin != 10*time.Millisecond ||
		s.retryMax != 10*time.Millisecond || s.doneTTL != time.Hour {
		t.Errorf("options = %v %v..%v %v", s.lockTTL, s.retryMin, s.retryMax, s.doneTTL)
	}
}

// BenchmarkTurn is the Redis work of one update: begin, save the session, end.
func BenchmarkTurn(b *testing.B) {
	s, _, _ := setup(b)
	ctx := context.Background()
	data := bytes.Repeat([]byte("x"), 512)
	n := 0
	for b.Loop() {
		n++
		turn, err := s.Begin(ctx, 1, "u:"+strconv.Itoa(n))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SaveSession(ctx, 1, data, time.Hour); err != nil {
			b.Fatal(err)
		}
		if err := turn.End(ctx, true); err != nil {
			b.Fatal(err)
		}
	}
}

// pipelineSizes is a go-redis hook that records the size of every pipeline the client
// sends, holding the first one back for hold so that concurrent callers queue behind it.
type pipelineSizes struct {
	hold  time.Duration
	mu    sync.Mutex
	sizes []int
	once  sync.Once
}

func (h *pipelineSizes) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *pipelineSizes) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *pipelineSizes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.once.Do(func() { time.Sleep(h.hold) })
		h.mu.Lock()
		h.sizes = append(h.sizes, len(cmds))
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// The turns of concurrent chats reach Redis in shared pipelines, and each turn still gets
// its own lock, handled mark and session.
func TestTurnsOfConcurrentChatsShareAPipeline(t *testing.T) {
	t.Parallel()
	s, client, _ := setup(t)
	hook := &pipelineSizes{hold: 200 * time.Millisecond}
	client.AddHook(hook)
	ctx := testContext(t)

	const chats = 40
	var wg sync.WaitGroup
	errs := make(chan error, chats)
	for c := int64(1); c <= chats; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			turn, err := s.Begin(ctx, c, "u:1")
			if err != nil {
				errs <- err
				return
			}
			if err := turn.Save(ctx, []byte("session of "+strconv.FormatInt(c, 10)), time.Hour); err != nil {
				errs <- err
			}
			if err := turn.End(ctx, true); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	hook.mu.Lock()
	sizes := slices.Clone(hook.sizes)
	hook.mu.Unlock()
	largest, sent := 0, 0
	for _, n := range sizes {
		largest, sent = max(largest, n), sent+n
	}
	// Held back, the first pipeline leaves the other chats' Begins queued behind it: they
	// go together in the next one (a pipeline of one or two is a connection's handshake).
	if largest < chats/2 {
		t.Errorf("%d commands of %d turns went in pipelines of %v: want the turns' scripts shared",
			sent, chats, sizes)
	}
	for c := int64(1); c <= chats; c++ {
		turn := begin(t, s, ctx, c, "u:1")
		if !turn.Handled {
			t.Errorf("chat %d: update u:1 not marked handled", c)
		}
		if want := "session of " + strconv.FormatInt(c, 10); string(turn.Session) != want {
			t.Errorf("chat %d: session %q, want %q", c, turn.Session, want)
		}
		_ = turn.End(ctx, false)
	}
}

// Scripts Redis forgot (a restart, SCRIPT FLUSH) are sent again with their text: turns go
// on as before.
func TestTurnsSurviveAScriptFlush(t *testing.T) {
	t.Parallel()
	s, client, _ := setup(t)
	ctx := testContext(t)
	turn := begin(t, s, ctx, 7, "u:1")
	if err := turn.Save(ctx, []byte("before"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := turn.End(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	turn = begin(t, s, ctx, 7, "u:2")
	if turn.Handled || string(turn.Session) != "before" {
		t.Fatalf("after SCRIPT FLUSH: handled %v, session %q; want false, %q", turn.Handled, turn.Session, "before")
	}
	if err := turn.Save(ctx, []byte("after"), time.Hour); err != nil {
		t.Fatalf("Save after SCRIPT FLUSH: %v", err)
	}
	if err := turn.End(ctx, true); err != nil {
		t.Fatalf("End after SCRIPT FLUSH: %v", err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	turn = begin(t, s, ctx, 7, "u:2")
	defer turn.End(ctx, false)
	if !turn.Handled || string(turn.Session) != "after" {
		t.Errorf("handled %v, session %q; want true, %q", turn.Handled, turn.Session, "after")
	}
}
