-- The update inbox: every update Telegram hands the bot (getUpdates or a webhook POST) is
-- written here before Telegram is told it was received (the next getUpdates offset, or the
-- webhook's 200). Per-chat workers of any instance take a chat's oldest update (a lease, so
-- that one worker at a time has it), handle it, and delete it; a failure that may pass is
-- retried after not_before; a permanent one, or one retried too long, moves the update to
-- update_dead_letters for an operator (`orderbot updates failed`, `orderbot updates retry`).

-- +goose Up
CREATE TABLE update_inbox (
    update_id    BIGINT PRIMARY KEY,
    chat_id      BIGINT NOT NULL,
    raw          TEXT NOT NULL,                -- the update's JSON as Telegram sent it
    received_at  TIMESTAMPTZ NOT NULL,         -- first accepted
    not_before   TIMESTAMPTZ NOT NULL,         -- not taken before (a retry's backoff)
    lease_until  TIMESTAMPTZ,                  -- a worker has it until then
    attempts     INTEGER NOT NULL DEFAULT 0,   -- failed attempts so far
    replies_sent INTEGER NOT NULL DEFAULT 0,   -- messages of its replies already delivered
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX update_inbox_chat ON update_inbox (chat_id, update_id);

CREATE TABLE update_dead_letters (
    update_id  BIGINT PRIMARY KEY,
    chat_id    BIGINT NOT NULL,
    raw        TEXT NOT NULL,
    error      TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL
);
CREATE INDEX update_dead_letters_last_seen ON update_dead_letters (last_seen);

-- A chat over its backlog limit is told to slow down at most once a minute.
CREATE TABLE update_floods (
    chat_id BIGINT PRIMARY KEY,
    told_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE update_floods;
DROP TABLE update_dead_letters;
DROP TABLE update_inbox;
