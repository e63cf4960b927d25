// Package redisstore keeps the conversation engine's sessions, the per-chat lock and the
// update router's de-duplication marks in Redis (go-redis v9).
//
// # Key layout
//
// Every key starts with the prefix given to [New] (for example "orderbot:"). With
// prefix P and chat id C (decimal, negative for group chats):
//
//	P session:{C}        the session bytes of chat C; PX = the ttl given to SaveSession
//	P session:{C}:seen   "1" while a session of chat C was saved and not deleted; PX = 30×ttl,
//	                     at most 90 days (never shorter than the session itself). Finding
//	                     this marker without the session means the session timed out.
//	P lock:{C}           the per-chat lock: a random token of the holder; PX = LockTTL
//	P done:K             "1" once update K (such as "u:123" or "cb:abc") was handled;
//	                     PX = DoneTTL
//
// The braces are Redis Cluster hash tags: the keys of one chat live in one slot, so the
// multi-key scripts and transactions below also work on a cluster.
//
// # Sessions
//
// [Store.LoadSession] tells three cases apart: a live session (its bytes), a session that
// timed out (nil, expired=true, reported once: the marker is removed by the same atomic
// script that found it) and no session at all (nil, expired=false). [Store.SaveSession]
// writes the session and the marker in one MULTI/EXEC round trip; [Store.DeleteSession]
// removes both.
//
// # Lock
//
// [Store.Lock] takes "SET lock token NX PX LockTTL", polling with a jittered exponential
// backoff while another holder has it, until ctx ends. While the lock is held a goroutine
// extends it every third of LockTTL (PEXPIRE only if the token still matches), so a handler
// that runs longer than LockTTL keeps its lock, while the lock of a process that crashed
// expires after LockTTL. The returned unlock stops the extension and deletes the key only if
// it still holds the caller's token, so a holder that lost its lock never deletes the lock of
// the next holder.
package redisstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of the options.
const (
	DefaultLockTTL      = 30 * time.Second
	DefaultLockRetryMin = 2 * time.Millisecond
	DefaultLockRetryMax = 50 * time.Millisecond
	DefaultDoneTTL      = 48 * time.Hour
)

const (
	// markerFactor and maxMarkerTTL bound how long a timed-out session is remembered.
	markerFactor = 30
	maxMarkerTTL = 90 * 24 * time.Hour
	// unlockTimeout bounds the release of a lock, which runs on a fresh context.
	unlockTimeout = 5 * time.Second
)

// Store keeps sessions, per-chat locks and handled-update marks in Redis. It is safe for
// concurrent use; several processes may share one Redis and one prefix.
type Store struct {
	client   redis.UniversalClient
	prefix   string
	lockTTL  time.Duration
	retryMin time.Duration
	retryMax time.Duration
	doneTTL  time.Duration
	log      *slog.Logger
}

// Option configures a Store.
type Option func(*Store)

// WithLockTTL sets how long a lock lives without being extended (default 30s): the time after
// which the lock of a crashed holder is free again. Non-positive values are ignored.
func WithLockTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.lockTTL = d
		}
	}
}

// WithLockRetry sets the polling backoff while waiting for a held lock: the first wait is
// about min, each further one doubles up to max (default 2ms..50ms). Non-positive values are
// ignored; max is raised to min when smaller.
func WithLockRetry(minWait, maxWait time.Duration) Option {
	return func(s *Store) {
		if minWait > 0 {
			s.retryMin = minWait
		}
		if maxWait > 0 {
			s.retryMax = maxWait
		}
		if s.retryMax < s.retryMin {
			s.retryMax = s.retryMin
		}
	}
}

// WithDoneTTL sets how long handled update keys are remembered (default 48h). Non-positive
// values are ignored.
func WithDoneTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.doneTTL = d
		}
	}
}

// WithLogger sets the logger of failures that cannot be returned to a caller: a lock that
// could not be extended or released. The default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// New returns a Store on client whose keys all start with prefix (for example "orderbot:").
// The Store does not own the client: closing it is the caller's business.
func New(client redis.UniversalClient, prefix string, opts ...Option) *Store {
	s := &Store{
		client:   client,
		prefix:   prefix,
		lockTTL:  DefaultLockTTL,
		retryMin: DefaultLockRetryMin,
		retryMax: DefaultLockRetryMax,
		doneTTL:  DefaultDoneTTL,
		log:      slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Keys. See the package documentation.

func chatTag(chatID int64) string { return "{" + strconv.FormatInt(chatID, 10) + "}" }

func sessionKey(prefix string, chatID int64) string {
	return prefix + "session:" + chatTag(chatID)
}

func sessionMarkerKey(prefix string, chatID int64) string {
	return prefix + "session:" + chatTag(chatID) + ":seen"
}

func lockKey(prefix string, chatID int64) string { return prefix + "lock:" + chatTag(chatID) }

func doneKey(prefix, key string) string { return prefix + "done:" + key }

// markerTTL is how long the marker of a session saved with ttl lives.
func markerTTL(ttl time.Duration) time.Duration {
	m := maxMarkerTTL
	if ttl < maxMarkerTTL/markerFactor {
		m = markerFactor * ttl
	}
	if m <= ttl {
		// A session living longer than the cap: keep the marker a day past it.
		m = ttl + 24*time.Hour
	}
	return m
}

// loadScript returns the session (a string), or else removes the marker and returns 1 when
// it was there (the session timed out) and 0 when it was not (never saved, or deleted).
// KEYS[1] session, KEYS[2] marker.
var loadScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
	return v
end
return redis.call('DEL', KEYS[2])
`)

// LoadSession returns the session of chat. When there is none, data is nil and expired
// reports whether a session existed and timed out; a timeout is reported once. A session
// saved empty comes back as a non-nil empty slice.
func (s *Store) LoadSession(ctx context.Context, chatID int64) (data []byte, expired bool, err error) {
	keys := []string{sessionKey(s.prefix, chatID), sessionMarkerKey(s.prefix, chatID)}
	v, err := loadScript.Run(ctx, s.client, keys).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: load session of chat %d: %w", chatID, err)
	}
	switch v := v.(type) {
	case string:
		b := make([]byte, len(v))
		copy(b, v)
		return b, false, nil
	case int64:
		return nil, v == 1, nil
	default:
		return nil, false, fmt.Errorf("redisstore: load session of chat %d: unexpected reply %T", chatID, v)
	}
}

// SaveSession stores data as the session of chat for ttl, which must be positive, in one
// round trip.
func (s *Store) SaveSession(ctx context.Context, chatID int64, data []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: save session of chat %d: ttl %v is not positive", chatID, ttl)
	}
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, sessionKey(s.prefix, chatID), data, ttl)
		p.Set(ctx, sessionMarkerKey(s.prefix, chatID), "1", markerTTL(ttl))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: save session of chat %d: %w", chatID, err)
	}
	return nil
}

// DeleteSession removes the session of chat; a later LoadSession reports neither a session
// nor an expiry.
func (s *Store) DeleteSession(ctx context.Context, chatID int64) error {
	err := s.client.Del(ctx, sessionKey(s.prefix, chatID), sessionMarkerKey(s.prefix, chatID)).Err()
	if err != nil {
		return fmt.Errorf("redisstore: delete session of chat %d: %w", chatID, err)
	}
	return nil
}

// unlockScript deletes KEYS[1] if it holds ARGV[1].
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// extendScript sets the expiry of KEYS[1] to ARGV[2] milliseconds if it holds ARGV[1].
var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// Lock takes the lock of chat, waiting while another goroutine or process holds it, until
// ctx ends. The lock is extended in the background for as long as it is held. The returned
// unlock releases it; it runs on a context of its own (ctx may be over by then), never
// panics, and may be called more than once.
func (s *Store) Lock(ctx context.Context, chatID int64) (unlock func(), err error) {
	key := lockKey(s.prefix, chatID)
	token := rand.Text()
	wait := s.retryMin
	var timer *time.Timer
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("redisstore: lock chat %d: %w", chatID, err)
		}
		ok, err := s.client.SetNX(ctx, key, token, s.lockTTL).Result()
		if err != nil {
			// The SET may have reached Redis even though its reply did not reach us: release
			// it without keeping the caller waiting.
			go s.release(ctx, key, token, chatID)
			return nil, fmt.Errorf("redisstore: lock chat %d: %w", chatID, err)
		}
		if ok {
			break
		}
		// Sleep between wait/2 and wait, so that waiters do not poll in step.
		d := wait/2 + mrand.N(wait/2+1)
		if timer == nil {
			timer = time.NewTimer(d)
			defer timer.Stop()
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("redisstore: lock chat %d: %w", chatID, ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, s.retryMax)
	}

	extendCtx, stopExtend := context.WithCancel(context.WithoutCancel(ctx))
	extended := make(chan struct{})
	go func() {
		defer close(extended)
		s.extend(extendCtx, key, token, chatID)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			stopExtend()
			<-extended
			s.release(ctx, key, token, chatID)
		})
	}, nil
}

// extend keeps the lock key, held with token, alive until ctx ends or the lock is lost.
func (s *Store) extend(ctx context.Context, key, token string, chatID int64) {
	every := max(s.lockTTL/3, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	ttl := s.lockTTL.Milliseconds()
	if ttl < 1 {
		ttl = 1
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		callCtx, cancel := context.WithTimeout(ctx, every)
		n, err := extendScript.Run(callCtx, s.client, []string{key}, token, ttl).Int64()
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			// Try again at the next tick, while the lock still has time left.
			s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: extend lock",
				slog.Int64("chat", chatID), slog.Any("error", err))
		case n == 0:
			s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: lock lost before unlock, it outlived its TTL",
				slog.Int64("chat", chatID), slog.Duration("lock_ttl", s.lockTTL))
			return
		}
	}
}

// release deletes the lock key if it still holds token, on a fresh context.
func (s *Store) release(ctx context.Context, key, token string, chatID int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
	defer cancel()
	if err := unlockScript.Run(ctx, s.client, []string{key}, token).Err(); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: unlock",
			slog.Int64("chat", chatID), slog.Any("error", err))
	}
}

// Handled reports whether the update with key (such as "u:123" or "cb:abc") was marked
// handled within DoneTTL.
func (s *Store) Handled(ctx context.Context, key string) (bool, error) {
	n, err := s.client.Exists(ctx, doneKey(s.prefix, key)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: handled %q: %w", key, err)
	}
	return n > 0, nil
}

// MarkHandled records that the update with key was handled; it is remembered for DoneTTL.
// Call it after handling, so that an update whose handling failed is handled again.
func (s *Store) MarkHandled(ctx context.Context, key string) error {
	if err := s.client.Set(ctx, doneKey(s.prefix, key), "1", s.doneTTL).Err(); err != nil {
		return fmt.Errorf("redisstore: mark handled %q: %w", key, err)
	}
	return nil
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}
