// Package redisstore keeps the conversation engine's state between updates in Redis
// (go-redis v9): the per-chat lock, the sessions and the marks of handled updates. An
// update takes three scripts: [Store.Begin] (lock, handled mark and session), the turn's
// Save, and its End (mark and unlock). The scripts of concurrent chats' turns go to Redis
// together, in one pipeline, so under load a turn costs far less than three round trips.
//
// # Key layout
//
// Every key starts with the prefix given to [New] (for example "orderbot:"). With
// prefix P and chat id C (decimal, negative for group chats):
//
//	P session:{C}        the session bytes of chat C; PX = the ttl given to SaveSession
//	P session:{C}:seen   "1" while a session of chat C was saved; PX = 30×ttl, at most 90
//	                     days (never shorter than the session itself). Finding this marker
//	                     without the session means the session timed out.
//	P lock:{C}           the per-chat lock: a random token of the holder; PX = LockTTL
//	P done:{C}:K         "1" once update K of chat C (such as "u:123" or "cb:abc") was
//	                     handled; PX = DoneTTL
//
// The braces are Redis Cluster hash tags: the keys of one chat live in one slot, so the
// multi-key scripts and transactions below also work on a cluster.
//
// # Turns
//
// [Store.Begin] runs one script that takes the lock ("SET lock token NX PX LockTTL") and,
// only when it got it, reads whether the update was handled and the session. It tells three
// cases of session apart: a live session (its bytes), a session that timed out (nil,
// expired, reported once: the same script removes the marker it found) and none at all.
// While another holder has the lock, Begin polls with a jittered exponential backoff until
// ctx ends. While the lock is held a goroutine extends it every third of LockTTL (PEXPIRE
// only if the token still matches), so a handler that runs longer than LockTTL keeps its
// lock, while the lock of a process that crashed expires after LockTTL. The turn's End
// marks the update handled (when asked) and deletes the lock only if it still holds the
// turn's token, so a holder that lost its lock never deletes the lock of the next holder.
// [Store.SaveSession] writes the session and the marker in one MULTI/EXEC round trip.
//
// # Fencing
//
// A turn saves its session through its own Save (one script: the session and the marker
// are written only while the lock still holds the turn's token), never with a plain SET:
// a turn that outlived its lock, or whose lock could not be extended, cannot overwrite the
// session of the turn that holds the chat now. Its Save fails with
// [conversation.ErrLockLost], and its Context is cancelled with that cause as soon as the
// extender finds the lock gone, so the engine stops the step and sends none of its replies.
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

	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/internal/batch"
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
	// scripts sends the turns' scripts of concurrent chats in one pipeline (see run).
	scripts batch.Group[scriptCall, *redis.Cmd]
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
	s.scripts = batch.Group[scriptCall, *redis.Cmd]{Run: s.runScripts, Max: maxPipeline}
	return s
}

// maxPipeline bounds the scripts sent in one pipeline.
const maxPipeline = 256

// scriptCall is one run of a script.
type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
}

// run runs the script and returns its reply. The scripts of the turns of concurrent chats
// go to Redis together, in one pipeline (batch.Group: while one pipeline is on its way, the
// calls that come meanwhile wait for the next): one write and one read for many chats
// instead of one each, for the bot and for Redis alike. A chat has one call on its way at
// a time, so its own calls keep their order.
func (s *Store) run(script *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmd, err := s.scripts.Do(scriptCall{script: script, keys: keys, args: args})
	if err != nil { // runScripts fails no batch as a whole; kept for the contract
		cmd = redis.NewCmd(context.Background())
		cmd.SetErr(err)
	}
	return cmd
}

// runScripts sends calls in one pipeline by their SHA1 (EVALSHA), and the ones Redis does
// not know yet (NOSCRIPT: after a restart or SCRIPT FLUSH) once more with their text. Each
// call gets its own reply or error.
func (s *Store) runScripts(ctx context.Context, calls []scriptCall) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(calls))
	_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range calls {
			cmds[i] = c.script.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	var again []int
	for i, cmd := range cmds {
		if err := cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, i := range again {
				cmds[i] = calls[i].script.Eval(ctx, p, calls[i].keys, calls[i].args...)
			}
			return nil
		})
	}
	return cmds, nil
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

func doneKey(prefix string, chatID int64, key string) string {
	return prefix + "done:" + chatTag(chatID) + ":" + key
}

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

// saveScript writes the session and its marker only while the lock holds the turn's token.
// KEYS[1] lock, KEYS[2] session, KEYS[3] marker; ARGV[1] token, ARGV[2] the session,
// ARGV[3] its TTL in ms, ARGV[4] the marker's TTL in ms. It returns 1 when saved, 0 when
// the lock is not the turn's any more.
var saveScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[4])
return 1
`)

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

// beginScript takes the lock of a chat and, only when it got it, reads whether an update
// was handled and the chat's session. It returns {0} while another holder has the lock,
// else {1, handled, session or nil, expired}: expired is 1 when the session timed out, and
// the marker that said so is then removed, so that a timeout is reported once.
// KEYS[1] lock, KEYS[2] session, KEYS[3] marker, KEYS[4] done mark.
// ARGV[1] token, ARGV[2] lock TTL in ms, ARGV[3] "1" to read the done mark.
var beginScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return {0}
end
local handled = 0
if ARGV[3] == '1' then
	handled = redis.call('EXISTS', KEYS[4])
end
local v = redis.call('GET', KEYS[2])
if v then
	return {1, handled, v, 0}
end
return {1, handled, false, redis.call('DEL', KEYS[3])}
`)

// endScript marks an update handled when ARGV[2] is "1" (for ARGV[3] ms) and deletes the
// lock if it still holds the token. KEYS[1] lock, KEYS[2] done mark; ARGV[1] token.
var endScript = redis.NewScript(`
if ARGV[2] == '1' then
	redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// Begin takes the lock of chat, waiting while another goroutine or process holds it, until
// ctx ends, and returns the turn: whether the update with key (none when empty) was marked
// handled, and the chat's session. The lock is extended in the background until the turn's
// End, which marks the update handled when asked to and releases the lock in one round
// trip; End runs on a context of its own (ctx may be over by then), never panics, and
// only its first call does anything.
func (s *Store) Begin(ctx context.Context, chatID int64, key string) (conversation.Turn, error) {
	lock := lockKey(s.prefix, chatID)
	keys := []string{lock, sessionKey(s.prefix, chatID), sessionMarkerKey(s.prefix, chatID), doneKey(s.prefix, chatID, key)}
	token := rand.Text()
	check := "0"
	if key != "" {
		check = "1"
	}
	wait := s.retryMin
	var timer *time.Timer
	var reply []any
	for {
		if err := ctx.Err(); err != nil {
			return conversation.Turn{}, fmt.Errorf("redisstore: lock chat %d: %w", chatID, err)
		}
		v, err := s.run(beginScript, keys, token, s.lockTTL.Milliseconds(), check).Slice()
		if err != nil {
			// The script may have run even though its reply did not reach us: release the
			// lock without keeping the caller waiting.
			go s.release(ctx, lock, token, chatID)
			return conversation.Turn{}, fmt.Errorf("redisstore: lock chat %d: %w", chatID, err)
		}
		if len(v) == 4 {
			reply = v
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
			return conversation.Turn{}, fmt.Errorf("redisstore: lock chat %d: %w", chatID, ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, s.retryMax)
	}

	t := conversation.Turn{Handled: reply[1] == int64(1), Expired: reply[3] == int64(1)}
	if v, ok := reply[2].(string); ok {
		t.Session = []byte(v)
	}
	turnCtx, lost := context.WithCancelCause(ctx)
	t.Context = turnCtx
	t.Save = func(ctx context.Context, data []byte, ttl time.Duration) error {
		if ttl <= 0 {
			return fmt.Errorf("redisstore: save session of chat %d: ttl %v is not positive", chatID, ttl)
		}
		n, err := s.run(saveScript, []string{lock, keys[1], keys[2]}, token, data,
			ttl.Milliseconds(), markerTTL(ttl).Milliseconds()).Int64()
		if err != nil {
			return fmt.Errorf("redisstore: save session of chat %d: %w", chatID, err)
		}
		if n == 0 {
			lost(conversation.ErrLockLost)
			return fmt.Errorf("redisstore: save session of chat %d: %w", chatID, conversation.ErrLockLost)
		}
		return nil
	}
	extendCtx, stopExtend := context.WithCancel(context.WithoutCancel(ctx))
	extended := make(chan struct{})
	go func() {
		defer close(extended)
		if !s.extend(extendCtx, lock, token, chatID) {
			lost(conversation.ErrLockLost)
		}
	}()
	var once sync.Once
	t.End = func(ctx context.Context, handled bool) error {
		var err error
		once.Do(func() {
			stopExtend()
			<-extended
			defer lost(nil)
			err = s.end(ctx, keys[0], keys[3], token, chatID, handled)
		})
		return err
	}
	return t, nil
}

// end marks the update of done handled when asked to and deletes the lock key if it still
// holds token. ctx only carries the log's values: the script runs in a shared pipeline on
// a context of its own, so an end is never cut short by its caller's.
func (s *Store) end(ctx context.Context, lock, done, token string, chatID int64, handled bool) error {
	mark := "0"
	if handled {
		mark = "1"
	}
	if err := s.run(endScript, []string{lock, done}, token, mark, s.doneTTL.Milliseconds()).Err(); err != nil {
		if handled {
			return fmt.Errorf("redisstore: mark handled and unlock chat %d: %w", chatID, err)
		}
		s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: unlock",
			slog.Int64("chat", chatID), slog.Any("error", err))
	}
	return nil
}

// extend keeps the lock key, held with token, alive until ctx ends (true) or the lock is
// lost (false): found taken by another token, or not extended before it could expire.
func (s *Store) extend(ctx context.Context, key, token string, chatID int64) bool {
	every := max(s.lockTTL/3, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	ttl := s.lockTTL.Milliseconds()
	if ttl < 1 {
		ttl = 1
	}
	held := time.Now() // the lock lives at least until held + lockTTL
	for {
		select {
		case <-ctx.Done():
			return true
		case <-t.C:
		}
		callCtx, cancel := context.WithTimeout(ctx, every)
		sent := time.Now()
		n, err := extendScript.Run(callCtx, s.client, []string{key}, token, ttl).Int64()
		cancel()
		switch {
		case ctx.Err() != nil:
			return true
		case err != nil:
			if time.Since(held) >= s.lockTTL-every {
				// Not extended in time: by now another holder may have the chat.
				s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: lock could not be extended in time",
					slog.Int64("chat", chatID), slog.Any("error", err))
				return false
			}
			// Try again at the next tick, while the lock still has time left.
			s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: extend lock",
				slog.Int64("chat", chatID), slog.Any("error", err))
		case n == 0:
			s.log.LogAttrs(ctx, slog.LevelWarn, "redisstore: lock lost before unlock, it outlived its TTL",
				slog.Int64("chat", chatID), slog.Duration("lock_ttl", s.lockTTL))
			return false
		default:
			held = sent
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

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}
