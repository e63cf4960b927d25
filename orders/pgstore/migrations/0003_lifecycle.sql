-- The order lifecycle after placement: payments, customers' change requests, the rep
-- responsible for an order, the customer's rating, and the staff's language.

-- +goose Up
ALTER TABLE staff ADD COLUMN language TEXT NOT NULL DEFAULT '';

ALTER TABLE orders
    -- the staff member responsible (Telegram id); NULL until one is assigned
    ADD COLUMN rep_telegram_id BIGINT CONSTRAINT orders_rep_telegram_id_check CHECK (rep_telegram_id <> 0),
    -- the customer's rating after delivery; NULL when not rated
    ADD COLUMN rating SMALLINT CONSTRAINT orders_rating_check CHECK (rating BETWEEN 1 AND 5),
    ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';

-- The work queues select orders by promised date (overdue, due today).
CREATE INDEX orders_promised_idx ON orders (promised_date) WHERE promised_date IS NOT NULL;

-- Money received for an order; an order's paid amount is the sum of its payments.
CREATE TABLE payments (
    id       BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount   NUMERIC(12, 2) NOT NULL CONSTRAINT payments_amount_check CHECK (amount > 0),
    method   TEXT NOT NULL DEFAULT '',
    actor    TEXT NOT NULL DEFAULT '',
    at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payments_order_idx ON payments (order_id, id);

-- A customer's request to change or cancel a confirmed order, decided by a manager.
CREATE TABLE change_requests (
    id           BIGSERIAL PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('quantity', 'date', 'address', 'cancel')),
    -- for a quantity change: the line's index in the order's lines (0 is the first line)
    line         INTEGER NOT NULL DEFAULT 0 CHECK (line >= 0),
    quantity     INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    wanted_date  DATE,
    address      TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   TEXT NOT NULL DEFAULT '',
    -- the manager's note
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at   TIMESTAMPTZ,
    CONSTRAINT change_requests_quantity_positive CHECK (kind <> 'quantity' OR quantity > 0),
    CONSTRAINT change_requests_decided CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX change_requests_order_idx ON change_requests (order_id, id);
CREATE INDEX change_requests_pending_idx ON change_requests (created_at, id) WHERE status = 'pending';

-- +goose Down
DROP TABLE change_requests;
DROP TABLE payments;
DROP INDEX orders_promised_idx;
ALTER TABLE orders DROP COLUMN rating_comment, DROP COLUMN rating, DROP COLUMN rep_telegram_id;
ALTER TABLE staff DROP COLUMN language;
