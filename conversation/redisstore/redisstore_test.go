package redisstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

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

func TestKeyLayout(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{sessionKey("orderbot:", 42), "orderbot:session:{42}"},
		{sessionMarkerKey("orderbot:", 42), "orderbot:session:{42}:seen"},
		{lockKey("orderbot:", 42), "orderbot:lock:{42}"},
		{lockKey("orderbot:", -1001234567890), "orderbot:lock:{-1001234567890}"},
		{doneKey("orderbot:", "u:123"), "orderbot:done:u:123"},
		{doneKey("orderbot:", "cb:abc"), "orderbot:done:cb:abc"},
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

	data, expired, err := s.LoadSession(ctx, 1)
	if err != nil || data != nil || expired {
		t.Fatalf("LoadSession of a new chat = %q, %v, %v; want nil, false, nil", data, expired, err)
	}

	want := []byte(`{"state":"cart","lines":[1,2]}` + "\x00\xff")
	if err := s.SaveSession(ctx, 1, want, time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	data, expired, err = s.LoadSession(ctx, 1)
	if err != nil || !bytes.Equal(data, want) || expired {
		t.Fatalf("LoadSession = %q, %v, %v; want %q, false, nil", data, expired, err, want)
	}
	if pttl := client.PTTL(ctx, sessionKey(prefix, 1)).Val(); pttl <= 59*time.Minute || pttl > time.Hour {
		t.Errorf("session PTTL = %v, want about 1h", pttl)
	}
	if pttl := client.PTTL(ctx, sessionMarkerKey(prefix, 1)).Val(); pttl <= 29*time.Hour || pttl > 30*time.Hour {
		t.Errorf("marker PTTL = %v, want about 30h", pttl)
	}

	// Another chat is not affected; overwriting replaces.
	if data, _, _ := s.LoadSession(ctx, 2); data != nil {
		t.Errorf("LoadSession(2) = %q, want nil", data)
	}
	if err := s.SaveSession(ctx, 1, []byte("v2"), time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if data, _, _ := s.LoadSession(ctx, 1); string(data) != "v2" {
		t.Errorf("LoadSession after overwrite = %q, want v2", data)
	}

	// An empty session is a session.
	if err := s.SaveSession(ctx, 3, []byte{}, time.Hour); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	data, expired, err = s.LoadSession(ctx, 3)
	if err != nil || data == nil || len(data) != 0 || expired {
		t.Errorf("LoadSession of an empty session = %#v, %v, %v; want []byte{}, false, nil", data, expired, err)
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
	data, expired, err := s.LoadSession(ctx, 7)
	if time.Since(saved) < 250*time.Millisecond { // else a busy machine made the check moot
		if err != nil || string(data) != "hello" || expired {
			t.Fatalf("LoadSession before expiry = %q, %v, %v", data, expired, err)
		}
	}
	time.Sleep(600 * time.Millisecond)

	data, expired, err = s.LoadSession(ctx, 7)
	if err != nil || data != nil || !expired {
		t.Fatalf("LoadSession after expiry = %q, %v, %v; want nil, true, nil", data, expired, err)
	}
	data, expired, err = s.LoadSession(ctx, 7)
	if err != nil || data != nil || expired {
		t.Fatalf("second LoadSession after expiry = %q, %v, %v; want nil, false, nil", data, expired, err)
	}

	// A new session after the expiry is reported as expired again when it times out.
	if err := s.SaveSession(ctx, 7, []byte("again"), 200*time.Millisecond); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	if _, expired, _ := s.LoadSession(ctx, 7); !expired {
		t.Errorf("second session's expiry not reported")
	}
}

func TestSessionExpiryReportedToOneOfConcurrentLoaders(t *testing.T) {
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
			_, expired, err := s.LoadSession(ctx, 8)
			if err != nil {
				t.Errorf("LoadSession: %v", err)
			}
			if expired {
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

func TestSessionDelete(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx := testContext(t)

	if err := s.SaveSession(ctx, 9, []byte("x"), 300*time.Millisecond); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if err := s.DeleteSession(ctx, 9); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	data, expired, err := s.LoadSession(ctx, 9)
	if err != nil || data != nil || expired {
		t.Fatalf("LoadSession after delete = %q, %v, %v; want nil, false, nil", data, expired, err)
	}
	if n := client.Exists(ctx, sessionKey(prefix, 9), sessionMarkerKey(prefix, 9)).Val(); n != 0 {
		t.Errorf("%d keys left after DeleteSession", n)
	}
	// Nor does it report an expiry later, when the session would have timed out.
	time.Sleep(500 * time.Millisecond)
	if data, expired, err := s.LoadSession(ctx, 9); err != nil || data != nil || expired {
		t.Errorf("LoadSession after delete and ttl = %q, %v, %v; want nil, false, nil", data, expired, err)
	}
	// Deleting what is not there is fine.
	if err := s.DeleteSession(ctx, 10); err != nil {
		t.Errorf("DeleteSession of a missing session: %v", err)
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
// the Redis lock of one chat; stores are used round robin.
func count(t *testing.T, stores []*Store, workers, perWorker int) int {
	t.Helper()
	ctx := testContext(t)
	counter := 0
	var wg sync.WaitGroup
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for range perWorker {
				unlock, err := s.Lock(ctx, 100)
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				v := counter
				time.Sleep(0) // let another goroutine run inside the critical section if it could
				counter = v + 1
				unlock()
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

	unlock1, err := s.Lock(ctx, 1)
	if err != nil {
		t.Fatalf("Lock(1): %v", err)
	}
	defer unlock1()
	// Chat 1's lock lives 30s: Lock(2) succeeding within 5s shows it did not wait for it.
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	unlock2, err := s.Lock(ctx2, 2)
	if err != nil {
		t.Fatalf("Lock(2) while 1 is held: %v", err)
	}
	unlock2()
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
	unlock, err := s.Lock(ctx, 5)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	defer unlock()
	d := time.Since(start)
	if d < 190*time.Millisecond || d > 5*time.Second {
		t.Errorf("Lock took %v, want it to wait for the crashed holder's 200ms", d)
	}
	if v := client.Get(ctx, key).Val(); v == "" || v == "crashed-holder" {
		t.Errorf("lock key = %q after take-over", v)
	}
}

func TestLockHonoursContext(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := testContext(t)

	unlock, err := s.Lock(ctx, 3)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	defer unlock()

	waitCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Lock(waitCtx, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock while held = %v, want DeadlineExceeded", err)
	} else if !strings.Contains(err.Error(), "redisstore: lock chat 3") {
		t.Errorf("error %q lacks context", err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 3*time.Second {
		t.Errorf("Lock returned after %v, want about 100ms", d)
	}

	cancelled, cancel2 := context.WithCancel(ctx)
	cancel2()
	if _, err := s.Lock(cancelled, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context = %v, want Canceled", err)
	}
}

func TestUnlockUsesItsOwnContextAndIsIdempotent(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx, cancel := context.WithCancel(testContext(t))

	unlock, err := s.Lock(ctx, 6)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	cancel() // the request is over before the handler unlocks
	unlock()
	unlock()
	if n := client.Exists(context.Background(), lockKey(prefix, 6)).Val(); n != 0 {
		t.Errorf("lock key still there after unlock with a cancelled context")
	}
}

func TestUnlockAfterExpiryKeepsNextHolder(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(300*time.Millisecond))
	other := New(secondClient(t), prefix)
	ctx := testContext(t)
	key := lockKey(prefix, 11)

	unlockA, err := s.Lock(ctx, 11)
	if err != nil {
		t.Fatalf("Lock A: %v", err)
	}
	// A stalls past its TTL (as if its process were frozen): the key expires.
	if err := client.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	unlockB, err := other.Lock(ctx, 11)
	if err != nil {
		t.Fatalf("Lock B: %v", err)
	}
	tokenB := client.Get(ctx, key).Val()

	// A's extender finds the lock taken and does not extend B's; A's unlock leaves it alone.
	time.Sleep(150 * time.Millisecond)
	unlockA()
	unlockA()
	if v := client.Get(ctx, key).Val(); v != tokenB {
		t.Fatalf("lock key = %q after A's unlock, want B's token %q", v, tokenB)
	}
	unlockB()
	if n := client.Exists(ctx, key).Val(); n != 0 {
		t.Errorf("lock key still there after B's unlock")
	}
}

func TestLockExtendedWhileHeld(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithLockTTL(600*time.Millisecond))
	ctx := testContext(t)
	key := lockKey(prefix, 12)

	unlock, err := s.Lock(ctx, 12)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	token := client.Get(ctx, key).Val()
	time.Sleep(1500 * time.Millisecond) // more than two TTLs

	if v := client.Get(ctx, key).Val(); v != token {
		t.Fatalf("lock key = %q after 1.5s, want the holder's token %q", v, token)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(waitCtx, 12); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while the first is extended = %v, want DeadlineExceeded", err)
	}

	unlock()
	if n := client.Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("lock key still there after unlock")
	}
	// Once unlocked, it is no longer extended: a stray key would not come back.
	unlock2, err := s.Lock(ctx, 12)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

func TestHandled(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t, WithDoneTTL(time.Hour))
	ctx := testContext(t)

	if done, err := s.Handled(ctx, "u:123"); err != nil || done {
		t.Fatalf("Handled before MarkHandled = %v, %v; want false, nil", done, err)
	}
	if err := s.MarkHandled(ctx, "u:123"); err != nil {
		t.Fatalf("MarkHandled: %v", err)
	}
	if done, err := s.Handled(ctx, "u:123"); err != nil || !done {
		t.Fatalf("Handled after MarkHandled = %v, %v; want true, nil", done, err)
	}
	if done, _ := s.Handled(ctx, "u:124"); done {
		t.Errorf("Handled(u:124) = true, want false")
	}
	if done, _ := s.Handled(ctx, "cb:u:123"); done {
		t.Errorf("Handled(cb:u:123) = true, want false")
	}
	if pttl := client.PTTL(ctx, doneKey(prefix, "u:123")).Val(); pttl <= 59*time.Minute || pttl > time.Hour {
		t.Errorf("done PTTL = %v, want about 1h", pttl)
	}
}

func TestHandledDefaultTTL(t *testing.T) {
	t.Parallel()
	s, client, prefix := setup(t)
	ctx := testContext(t)
	if err := s.MarkHandled(ctx, "cb:abc"); err != nil {
		t.Fatalf("MarkHandled: %v", err)
	}
	if pttl := client.PTTL(ctx, doneKey(prefix, "cb:abc")).Val(); pttl <= 47*time.Hour || pttl > 48*time.Hour {
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
	c := secondClient(t)
	_ = c.Close()
	s := New(c, "x:")
	ctx := testContext(t)

	_, _, errLoad := s.LoadSession(ctx, 1)
	_, errLock := s.Lock(ctx, 2)
	_, errHandled := s.Handled(ctx, "u:1")
	errs := map[string]error{
		"LoadSession":   errLoad,
		"SaveSession":   s.SaveSession(ctx, 1, []byte("x"), time.Second),
		"DeleteSession": s.DeleteSession(ctx, 1),
		"Lock":          errLock,
		"Handled":       errHandled,
		"MarkHandled":   s.MarkHandled(ctx, "u:1"),
		"Ping":          s.Ping(ctx),
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

func BenchmarkLockUnlock(b *testing.B) {
	s, _, _ := setup(b)
	ctx := context.Background()
	for b.Loop() {
		unlock, err := s.Lock(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}

func BenchmarkSessionRoundTrip(b *testing.B) {
	s, _, _ := setup(b)
	ctx := context.Background()
	data := bytes.Repeat([]byte("x"), 512)
	for b.Loop() {
		if err := s.SaveSession(ctx, 1, data, time.Hour); err != nil {
			b.Fatal(err)
		}
		got, _, err := s.LoadSession(ctx, 1)
		if err != nil || len(got) != len(data) {
			b.Fatalf("LoadSession = %d bytes, %v", len(got), err)
		}
	}
}
