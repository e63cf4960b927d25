// Package pginbox keeps the bot's update inbox and dead letters in PostgreSQL (tables of
// migration 0005 in orders/pgstore): accepted updates wait there until a chat's worker, of
// any instance, has handled them. It implements bot.Inbox.
//
// A chat's oldest update is taken with a lease (lease_until): one conditional UPDATE, so
// that of two workers racing for it one gets it, and a chat's later updates are never taken
// before it is done. A worker's completion of one update and its taking of the next are one
// statement (shared by the workers asking at once). Accepting (accept_updates, migration
// 0080) leases a chat's next update to the caller as it stores it, serialised per chat, and
// clears the unreachable mark of a customer who wrote again.
package pginbox

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/internal/stmtcache"
)

// Inbox is the PostgreSQL inbox. It is safe for concurrent use by several processes.
type Inbox struct {
	db    *sql.DB // what must be durable when it returns: accepting, dead letters
	async *sql.DB // leases, completions and retries: committed without waiting for the disk
	now   func() time.Time
	close func()
}

var _ bot.Inbox = (*Inbox)(nil)

// New returns the inbox on db (the orderbot database, migrated), sharing its pool.
func New(db *sql.DB) *Inbox { return &Inbox{db: db, async: db, now: time.Now, close: func() {}} }

// Pool sizes of Open.
const (
	syncConns  = 8
	asyncConns = 8
)

// Open returns the inbox on the database at url with pools of its own, so that the
// inbox's statements never wait behind the dialog's for a connection. Taking, completing
// and retrying updates go through connections with synchronous_commit off: one lost in a
// crash of the database server only means an update is handled again, which the handled
// marks make harmless; accepting stays durable. Close closes the pools.
func Open(ctx context.Context, url string) (*Inbox, error) {
	open := func(runtime map[string]string, conns int) (*sql.DB, error) {
		cfg, err := pq.NewConfig(url)
		if err != nil {
			return nil, fmt.Errorf("inbox: open database: %w", err)
		}
		cfg.BinaryParameters = true
		if cfg.Runtime == nil {
			cfg.Runtime = map[string]string{}
		}
		for k, v := range runtime {
			cfg.Runtime[k] = v
		}
		conn, err := pq.NewConnectorConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("inbox: open database: %w", err)
		}
		db := sql.OpenDB(stmtcache.Wrap(conn))
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db, nil
	}
	db, err := open(nil, syncConns)
	if err != nil {
		return nil, err
	}
	async, err := open(map[string]string{"synchronous_commit": "off"}, asyncConns)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		async.Close()
		return nil, fmt.Errorf("inbox: open database: %w", err)
	}
	return &Inbox{db: db, async: async, now: time.Now, close: func() { db.Close(); async.Close() }}, nil
}

// Close closes the pools that Open opened; an inbox of New leaves its pool open.
func (in *Inbox) Close() {
	in.close()
}

// Accept stores the updates; see bot.Inbox.
func (in *Inbox) Accept(ctx context.Context, us []bot.InboxUpdate, maxBacklog int, lease time.Duration, held []int64) (bot.Accepted, error) {
	var acc bot.Accepted
	if len(us) == 0 {
		return acc, nil
	}
	ids := make([]int64, len(us))
	chats := make([]int64, len(us))
	raws := make(textArray, len(us))
	for i, u := range us {
		ids[i], chats[i], raws[i] = u.ID, u.ChatID, u.Raw
	}
	// One call (accept_updates, migration 0080): the chats' backlogs, the updates that
	// fit, the customers who wrote again made reachable, and the dropped ones counted per
	// chat. With lease > 0, an update that is its chat's next one (nothing of the chat
	// waits in the inbox but the updates the caller holds, and it is the first of its chat
	// in the batch) is leased to the caller at once: its worker needs no statement to take
	// it. A held update counts only while its lease runs (one put back for a retry is
	// waiting again). Accepts of one chat are serialised, so that of two processes
	// accepting updates of one chat at once only the first can lease.
	now := in.now()
	rows, err := in.db.QueryContext(ctx, `SELECT taken, id, n FROM accept_updates($1, $2, $3, $4, $5, $6, $7)`,
		pq.Array(ids), pq.Array(chats), raws, maxBacklog, now, lease.Milliseconds(), pq.Array(held))
	if err != nil {
		return acc, fmt.Errorf("inbox: accept: %w", err)
	}
	defer rows.Close()
	var taken map[int64]bool
	for rows.Next() {
		var isTaken bool
		var id int64
		var n int
		if err := rows.Scan(&isTaken, &id, &n); err != nil {
			return acc, fmt.Errorf("inbox: accept: %w", err)
		}
		if isTaken {
			if taken == nil {
				taken = map[int64]bool{}
			}
			taken[id] = true
			continue
		}
		if acc.Dropped == nil {
			acc.Dropped = map[int64]int{}
		}
		acc.Dropped[id] = n
	}
	if err := rows.Err(); err != nil {
		return acc, fmt.Errorf("inbox: accept: %w", err)
	}
	for _, u := range us {
		if taken[u.ID] {
			u.ReceivedAt = now
			acc.Taken = append(acc.Taken, u)
			delete(taken, u.ID) // an update twice in one batch is taken once
		}
	}
	if len(acc.Dropped) == 0 {
		return acc, nil
	}
	flooded := make([]int64, 0, len(acc.Dropped))
	for chat := range acc.Dropped {
		flooded = append(flooded, chat)
	}
	// Tell each flooding chat once a minute at most, whichever instance drops its updates.
	rows, err = in.db.QueryContext(ctx, `
		INSERT INTO update_floods (chat_id, told_at) SELECT unnest($1::bigint[]), $2
		ON CONFLICT (chat_id) DO UPDATE SET told_at = EXCLUDED.told_at
		WHERE update_floods.told_at < EXCLUDED.told_at - interval '1 minute'
		RETURNING chat_id`, pq.Array(flooded), in.now())
	if err != nil {
		return acc, nil // the updates are stored; the notice is a courtesy
	}
	defer rows.Close()
	for rows.Next() {
		var chat int64
		if rows.Scan(&chat) == nil {
			acc.SlowDown = append(acc.SlowDown, chat)
		}
	}
	return acc, nil
}

// nextQuery completes updates and takes their chats' next ones (see Next): one row per
// chat that has an update stored.
const nextQuery = `
		WITH req AS (
			SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS t(chat_id, done)
		), done AS (
			DELETE FROM update_inbox WHERE update_id IN (SELECT done FROM req WHERE done <> 0)
		), head AS (
			SELECT h.* FROM req CROSS JOIN LATERAL (
				SELECT update_id, chat_id, not_before, lease_until FROM update_inbox
				WHERE chat_id = req.chat_id AND update_id <> req.done ORDER BY update_id LIMIT 1
			) h
		), taken AS (
			UPDATE update_inbox u SET lease_until = $3::timestamptz + $4::double precision * interval '1 millisecond'
			FROM head
			WHERE u.update_id = head.update_id AND u.not_before <= $3
				AND (u.lease_until IS NULL OR u.lease_until < $3)
			RETURNING u.update_id, u.chat_id, u.raw, u.received_at, u.attempts, u.replies_sent, u.last_error
		)
		SELECT head.chat_id, CASE WHEN head.lease_until >= $3 THEN NULL ELSE head.not_before END,
			taken.update_id, taken.raw, taken.received_at, taken.attempts, taken.replies_sent, taken.last_error
		FROM head LEFT JOIN taken ON taken.update_id = head.update_id`

// Next completes the requests' updates and takes their chats' next ones; see bot.Inbox.
func (in *Inbox) Next(ctx context.Context, reqs []bot.NextRequest, lease time.Duration) ([]bot.NextResult, error) {
	res := make([]bot.NextResult, len(reqs))
	if len(reqs) == 0 {
		return res, nil
	}
	chats := make([]int64, len(reqs))
	dones := make([]int64, len(reqs))
	at := make(map[int64]int, len(reqs))
	for i, r := range reqs {
		chats[i], dones[i] = r.Chat, r.Done
		at[r.Chat] = i
	}
	rows, err := in.async.QueryContext(ctx, nextQuery, pq.Array(chats), pq.Array(dones), in.now(), lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("inbox: next updates of %d chats: %w", len(reqs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			chat         int64
			id           sql.NullInt64
			raw, lastErr sql.NullString
			received     sql.NullTime
			notBefore    sql.NullTime
			attempts     sql.NullInt64
			sent         sql.NullInt64
		)
		if err := rows.Scan(&chat, &notBefore, &id, &raw, &received, &attempts, &sent, &lastErr); err != nil {
			return nil, fmt.Errorf("inbox: next updates: %w", err)
		}
		i, ok := at[chat]
		if !ok {
			continue
		}
		if !id.Valid {
			if notBefore.Valid {
				res[i].Due = notBefore.Time
			}
			continue
		}
		res[i] = bot.NextResult{OK: true, Update: bot.InboxUpdate{ID: id.Int64, ChatID: chat, Raw: []byte(raw.String),
			ReceivedAt: received.Time, Attempts: int(attempts.Int64), RepliesSent: int(sent.Int64), LastError: lastErr.String}}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: next updates: %w", err)
	}
	return res, nil
}

// pollingLock is the key of the session advisory lock that the polling instance holds.
const pollingLock = 0x6f72646572626f74 // "orderbot"

// Polling lock timings: how often a waiting instance tries the lock, and how often the
// holder checks its connection.
const (
	pollingRetry = time.Second
	pollingCheck = 5 * time.Second
)

// HoldPolling takes the polling lock (a session advisory lock on a connection of its own);
// see bot.Inbox.
func (in *Inbox) HoldPolling(ctx context.Context) (<-chan struct{}, func(), error) {
	for {
		conn, err := in.db.Conn(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("inbox: polling lock: %w", err)
		}
		var held bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, int64(pollingLock)).Scan(&held); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("inbox: polling lock: %w", err)
		}
		if held {
			return in.keepPolling(conn)
		}
		conn.Close()
		t := time.NewTimer(pollingRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-t.C:
		}
	}
}

// keepPolling watches the connection holding the polling lock until it is released.
func (in *Inbox) keepPolling(conn *sql.Conn) (<-chan struct{}, func(), error) {
	lost, done := make(chan struct{}), make(chan struct{})
	go func() {
		t := time.NewTicker(pollingCheck)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), pollingCheck)
				err := conn.PingContext(ctx)
				cancel()
				if err != nil {
					close(lost)
					return
				}
			}
		}
	}()
	var once sync.Once
	release := func() {
		once.Do(func() {
			close(done)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, int64(pollingLock))
			conn.Close()
		})
	}
	return lost, release, nil
}

// Complete deletes handled updates; see bot.Inbox.
func (in *Inbox) Complete(ctx context.Context, ids []int64) error {
	if _, err := in.async.ExecContext(ctx, `DELETE FROM update_inbox WHERE update_id = ANY($1)`, pq.Array(ids)); err != nil {
		return fmt.Errorf("inbox: complete %d updates: %w", len(ids), err)
	}
	return nil
}

// Retry puts a taken update back; see bot.Inbox.
func (in *Inbox) Retry(ctx context.Context, id int64, attempts, repliesSent int, notBefore time.Time, lastErr string) error {
	_, err := in.async.ExecContext(ctx, `
		UPDATE update_inbox SET lease_until = NULL, not_before = $2, attempts = $3, replies_sent = $4, last_error = $5
		WHERE update_id = $1`, id, notBefore, attempts, repliesSent, truncate(lastErr))
	if err != nil {
		return fmt.Errorf("inbox: retry update %d: %w", id, err)
	}
	return nil
}

// DeadLetter moves a taken update to the dead letters; see bot.Inbox.
func (in *Inbox) DeadLetter(ctx context.Context, id int64, attempts int, reason string) error {
	_, err := in.db.ExecContext(ctx, `
		WITH gone AS (
			DELETE FROM update_inbox WHERE update_id = $1 RETURNING update_id, chat_id, raw, received_at
		)
		INSERT INTO update_dead_letters (update_id, chat_id, raw, error, attempts, first_seen, last_seen)
		SELECT update_id, chat_id, raw, $3, $2, received_at, $4 FROM gone
		ON CONFLICT (update_id) DO UPDATE SET error = EXCLUDED.error,
			attempts = update_dead_letters.attempts + EXCLUDED.attempts, last_seen = EXCLUDED.last_seen`,
		id, attempts, truncate(reason), in.now())
	if err != nil {
		return fmt.Errorf("inbox: dead letter %d: %w", id, err)
	}
	return nil
}

// DueChats returns chats with an update due; see bot.Inbox.
func (in *Inbox) DueChats(ctx context.Context, limit int) ([]int64, error) {
	now := in.now()
	rows, err := in.async.QueryContext(ctx, `
		SELECT DISTINCT chat_id FROM update_inbox
		WHERE not_before <= $1 AND (lease_until IS NULL OR lease_until < $1) LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: due chats: %w", err)
	}
	defer rows.Close()
	var chats []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("inbox: due chats: %w", err)
		}
		chats = append(chats, c)
	}
	return chats, rows.Err()
}

// DeadLetter is an update given up on.
type DeadLetter struct {
	UpdateID  int64     `json:"update_id"`
	ChatID    int64     `json:"chat_id"`
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Raw       []byte    `json:"-"`
}

// DeadLetters returns the dead letters, the most recent first.
func (in *Inbox) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	rows, err := in.db.QueryContext(ctx, `
		SELECT update_id, chat_id, error, attempts, first_seen, last_seen, raw
		FROM update_dead_letters ORDER BY last_seen DESC, update_id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		var raw string
		if err := rows.Scan(&d.UpdateID, &d.ChatID, &d.Error, &d.Attempts, &d.FirstSeen, &d.LastSeen, &raw); err != nil {
			return nil, fmt.Errorf("inbox: dead letters: %w", err)
		}
		d.Raw = []byte(raw)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrNoDeadLetter is returned by Requeue for an update that is not a dead letter.
var ErrNoDeadLetter = errors.New("no such dead letter")

// Requeue moves a dead letter back to the inbox, due at once, with its attempts counted
// afresh: a running bot handles it within its sweep interval.
func (in *Inbox) Requeue(ctx context.Context, id int64) error {
	res, err := in.db.ExecContext(ctx, `
		WITH gone AS (
			DELETE FROM update_dead_letters WHERE update_id = $1 RETURNING update_id, chat_id, raw, first_seen
		)
		INSERT INTO update_inbox (update_id, chat_id, raw, received_at, not_before)
		SELECT update_id, chat_id, raw, $2, $2 FROM gone
		ON CONFLICT (update_id) DO NOTHING`, id, in.now())
	if err != nil {
		return fmt.Errorf("inbox: requeue %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update %d: %w", id, ErrNoDeadLetter)
	}
	return nil
}

// Backlog returns how many updates wait in the inbox.
func (in *Inbox) Backlog(ctx context.Context) (int, error) {
	var n int
	if err := in.db.QueryRowContext(ctx, `SELECT count(*) FROM update_inbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("inbox: backlog: %w", err)
	}
	return n, nil
}

// truncate keeps an error text to a sensible length.
func truncate(s string) string {
	const most = 2000
	if len(s) <= most {
		return s
	}
	s = s[:most]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// textArray is a text[] parameter of byte strings (the updates' JSON), encoded as the
// array literal lib/pq's StringArray makes, but into one buffer of its exact size: the
// raws of a batch are most of what an accept sends, and StringArray copies each of them
// twice and the whole literal as it grows and once more at the end.
type textArray [][]byte

// Value implements driver.Valuer.
func (a textArray) Value() (driver.Value, error) {
	n := 2 + max(len(a)-1, 0) // {} and the commas
	for _, v := range a {
		n += 2 + len(v) + bytes.Count(v, []byte{'"'}) + bytes.Count(v, []byte{'\\'})
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for {
			j := bytes.IndexAny(v, `"\`)
			if j < 0 {
				b.Write(v)
				break
			}
			b.Write(v[:j])
			b.WriteByte('\\')
			b.WriteByte(v[j])
			v = v[j+1:]
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
