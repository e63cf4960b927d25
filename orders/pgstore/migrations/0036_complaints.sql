-- Complaints about orders, tracked to resolution with service levels, and every message
-- between the customer and the desk kept with them.

-- +goose Up
CREATE TABLE complaints (
    id                   BIGSERIAL PRIMARY KEY,
    order_number         TEXT NOT NULL REFERENCES orders (number),
    customer_tg          BIGINT NOT NULL,
    customer_name        TEXT NOT NULL DEFAULT '',
    customer_lang        TEXT NOT NULL DEFAULT '',
    rep_tg               BIGINT NOT NULL DEFAULT 0,
    rep_name             TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('open', 'replied', 'resolved', 'closed')),
    source               TEXT NOT NULL CHECK (source IN ('customer', 'survey')),
    rating               INT NOT NULL DEFAULT 0,
    text                 TEXT NOT NULL DEFAULT '',
    opened_at            TIMESTAMPTZ NOT NULL,
    respond_by           TIMESTAMPTZ NOT NULL,
    resolve_by           TIMESTAMPTZ NOT NULL,
    responded_at         TIMESTAMPTZ,
    resolved_at          TIMESTAMPTZ,
    closed_at            TIMESTAMPTZ,
    response_escalated   BOOLEAN NOT NULL DEFAULT false,
    resolution_escalated BOOLEAN NOT NULL DEFAULT false
);
-- The survey opens at most one complaint per order.
CREATE UNIQUE INDEX complaints_survey_once ON complaints (order_number) WHERE source = 'survey';
CREATE INDEX complaints_active ON complaints (opened_at) WHERE status <> 'closed';
CREATE INDEX complaints_customer ON complaints (customer_tg);

CREATE TABLE complaint_messages (
    id           BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    sender       TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    photos       TEXT[] NOT NULL DEFAULT '{}',
    sent_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX complaint_messages_by_complaint ON complaint_messages (complaint_id, id);

-- +goose Down
DROP TABLE complaint_messages;
DROP TABLE complaints;
