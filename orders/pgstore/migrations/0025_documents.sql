-- The archive of generated documents (order confirmation, production schedule, delivery
-- note, statement): every version of every document sent, in each language, with its bytes,
-- so that what a customer received can be produced again exactly, and its SHA-256.

-- +goose Up
CREATE TABLE documents (
    id              BIGSERIAL PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CONSTRAINT documents_kind_check
                        CHECK (kind IN ('confirmation', 'production_schedule', 'delivery_note', 'statement')),
    -- 1, 2, … per order and kind; the languages of one version share it
    version         INTEGER NOT NULL CONSTRAINT documents_version_check CHECK (version > 0),
    lang            TEXT NOT NULL CONSTRAINT documents_lang_check CHECK (lang IN ('en', 'zh')),
    -- what caused the version (one version per event, whatever the recipients)
    event           TEXT NOT NULL,
    sha256          TEXT NOT NULL CONSTRAINT documents_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size            INTEGER NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    -- a confirmation issued again after a change
    amended         BOOLEAN NOT NULL DEFAULT false,
    -- the customer's Confirm recorded by this confirmation version: name, Telegram id, time,
    -- idempotency key; and the SHA-256 of the version they accepted
    acceptance      JSONB,
    accepted_sha256 TEXT NOT NULL DEFAULT '',
    data            BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT documents_version_key UNIQUE (order_id, kind, version, lang),
    CONSTRAINT documents_event_key UNIQUE (event, lang)
);
CREATE INDEX documents_order_idx ON documents (order_id, id);

-- +goose Down
DROP TABLE documents;
