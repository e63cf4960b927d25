-- The initial orderbot schema: customers, staff, the catalog, orders with their lines and
-- history, per-day order counters and the notification outbox.
-- Money is NUMERIC(12,2); dates without time of day are DATE; instants are TIMESTAMPTZ.

-- +goose Up
CREATE TABLE customers (
    id          BIGSERIAL PRIMARY KEY,
    -- NULL for a customer a rep registered who has no Telegram account known to the bot.
    telegram_id BIGINT UNIQUE CHECK (telegram_id <> 0),
    name        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    company     TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT '',
    unreachable BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE customer_addresses (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    address      TEXT NOT NULL CHECK (address <> ''),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (customer_id, address)
);
CREATE INDEX customer_addresses_recent_idx ON customer_addresses (customer_id, last_used_at DESC);

CREATE TABLE staff (
    id          BIGSERIAL PRIMARY KEY,
    telegram_id BIGINT NOT NULL UNIQUE CHECK (telegram_id <> 0),
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL CHECK (role IN ('rep', 'manager')),
    active      BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE products (
    sku        TEXT PRIMARY KEY CHECK (sku <> '' AND length(sku) <= 64),
    name_en    TEXT NOT NULL DEFAULT '',
    name_zh    TEXT NOT NULL DEFAULT '',
    category   TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL DEFAULT '',
    price      NUMERIC(12, 2) NOT NULL CONSTRAINT products_price_check CHECK (price >= 0),
    on_hand    INTEGER NOT NULL DEFAULT 0 CONSTRAINT products_on_hand_check CHECK (on_hand >= 0),
    -- units promised to open orders and not yet shipped
    reserved   INTEGER NOT NULL DEFAULT 0 CONSTRAINT products_reserved_check CHECK (reserved >= 0),
    standard   BOOLEAN NOT NULL DEFAULT true,
    -- [{"name": "colour", "values": ["black", "grey"]}, ...]
    options    JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array'),
    active     BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT products_reserved_within_on_hand CHECK (reserved <= on_hand)
);
CREATE INDEX products_category_idx ON products (category, sku) WHERE active;

CREATE TABLE order_counters (
    day  DATE PRIMARY KEY,
    last INTEGER NOT NULL CHECK (last > 0)
);

CREATE TABLE orders (
    id               BIGSERIAL PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE CHECK (number ~ '^SO-[0-9]{8}-[0-9]{4,}$'),
    status           TEXT NOT NULL CHECK (status IN ('pending_review', 'awaiting_customer', 'confirmed',
                         'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled')),
    payment_status   TEXT NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('unpaid', 'deposit_paid', 'paid')),
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    total            NUMERIC(12, 2) NOT NULL CHECK (total >= 0),
    deposit_due      NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (deposit_due >= 0),
    delivery_address TEXT NOT NULL DEFAULT '',
    wanted_date      DATE NOT NULL,
    promised_date    DATE,
    estimated_date   DATE,
    payment_method   TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    -- the draft's key: placing the same draft twice finds the first order
    idempotency_key  TEXT CONSTRAINT orders_idempotency_key_unique UNIQUE,
    carrier          TEXT NOT NULL DEFAULT '',
    tracking         TEXT NOT NULL DEFAULT '',
    approved_by      TEXT NOT NULL DEFAULT '',
    approved_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- changed after the customer's confirmation (for the order accuracy rate)
    modified         BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_status_created_idx ON orders (status, created_at DESC, id DESC);

CREATE TABLE order_lines (
    order_id      BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position > 0),
    sku           TEXT NOT NULL REFERENCES products (sku) ON UPDATE CASCADE,
    name          TEXT NOT NULL DEFAULT '',
    variant       TEXT NOT NULL DEFAULT '',
    quantity      INTEGER NOT NULL CONSTRAINT order_lines_quantity_check CHECK (quantity > 0),
    unit          TEXT NOT NULL DEFAULT '',
    unit_price    NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    complimentary BOOLEAN NOT NULL DEFAULT false,
    -- reserved from stock when placed; false when production or purchase is needed
    from_stock    BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_lines_sku_idx ON order_lines (sku);

CREATE TABLE order_history (
    id          BIGSERIAL PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- NULL for the entry that created the order
    from_status TEXT CHECK (from_status IN ('pending_review', 'awaiting_customer', 'confirmed',
                    'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled')),
    to_status   TEXT NOT NULL CHECK (to_status IN ('pending_review', 'awaiting_customer', 'confirmed',
                    'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled')),
    actor       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX order_history_order_idx ON order_history (order_id, id);

-- The transactional outbox: written in the transaction of the change it announces and
-- delivered after commit.
CREATE TABLE notifications (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind <> ''),
    -- the recipient's chat; 0 means every active rep
    chat_id         BIGINT NOT NULL DEFAULT 0,
    order_id        BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    key             TEXT NOT NULL UNIQUE CHECK (key <> ''),
    payload         JSONB NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notifications_order_idx ON notifications (order_id) WHERE order_id IS NOT NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE order_history;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE order_counters;
DROP TABLE products;
DROP TABLE staff;
DROP TABLE customer_addresses;
DROP TABLE customers;
