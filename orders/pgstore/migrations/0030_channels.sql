-- Sales channels (agents, distributors, online platforms) that place and follow orders through
-- the HTTP API: their keys (hashed), the idempotency records of their requests, and the
-- events of their orders with the webhook deliveries of each.
--
-- An order placed through a channel has source 'channel:<name>' and the channel's own
-- reference. Every change of such an order writes its events in the transaction of the
-- change (trigger below), with a River job that delivers each: the same transactional outbox
-- as the chat notifications, whatever made the change (the API, a rep in chat, the CLI).

-- +goose Up
CREATE TABLE channels (
    id                   BIGSERIAL PRIMARY KEY,
    -- never reused, even once revoked: orders keep naming it
    name                 TEXT NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    kind                 TEXT NOT NULL CHECK (kind IN ('agent', 'distributor', 'platform')),
    -- the customer account the channel orders for (an agent ordering for itself); NULL when
    -- each order names its end customer
    customer_id          BIGINT REFERENCES customers (id),
    -- SHA-256 of the API key (hex); the key itself is shown once
    key_hash             TEXT NOT NULL UNIQUE,
    key_prefix           TEXT NOT NULL DEFAULT '',
    revoked_at           TIMESTAMPTZ,
    webhook_url          TEXT NOT NULL DEFAULT '',
    -- whsec_…: signs the webhooks (the receiver needs it, so it is kept, not hashed)
    webhook_secret       TEXT NOT NULL DEFAULT '',
    webhook_failures     INTEGER NOT NULL DEFAULT 0 CHECK (webhook_failures >= 0),
    webhook_disabled_at  TIMESTAMPTZ,
    -- the Telegram chat of the channel's contact, told when its webhooks are disabled
    contact_chat_id      BIGINT NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN reference TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_source_updated_idx ON orders (source, updated_at, id) WHERE source LIKE 'channel:%';

-- Stripe's idempotency rules: the first response to a key is kept and replayed for 24 h.
-- status 0: the first request is still in flight.
CREATE TABLE api_idempotency (
    channel_id   BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (key <> '' AND length(key) <= 255),
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    body         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);

-- What happened to a channel's order, in the order it happened, and what became of its
-- webhook: pending (to deliver), delivered, failed (gave up after 24 h), held (webhooks
-- disabled: delivered once an operator enables them again), skipped (no webhook URL).
CREATE TABLE channel_events (
    id           BIGSERIAL PRIMARY KEY,
    channel_id   BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    data         JSONB NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'delivered', 'failed', 'held', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at TIMESTAMPTZ
);
CREATE INDEX channel_events_channel_idx ON channel_events (channel_id, id DESC);
CREATE INDEX channel_events_order_pending_idx ON channel_events (order_id, id) WHERE status = 'pending';

-- Each attempt to deliver an event.
CREATE TABLE webhook_deliveries (
    id          BIGSERIAL PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES channel_events (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id, id);

-- The River job that delivers the event (api.WebhookArgs): written in the transaction of
-- the event, like the notification outbox's jobs.
-- +goose StatementBegin
-- (plpgsql: River's tables are created after these migrations.)
CREATE FUNCTION queue_channel_event(ev bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO river_job (args, kind, max_attempts, queue, priority, state, scheduled_at, created_at)
    VALUES (jsonb_build_object('event_id', ev), 'orderbot.webhook', 1000, 'webhooks', 1, 'available', now(), now());
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION channel_order_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ch    bigint;
    types text[] := '{}';
    t     text;
    d     jsonb;
    ev    bigint;
BEGIN
    SELECT id INTO ch FROM channels WHERE name = substr(NEW.source, 9);
    IF ch IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        types := ARRAY['order.created'];
    ELSE
        IF NEW.status <> OLD.status THEN
            types := types || 'order.status_changed'::text;
            IF NEW.status = 'shipped' THEN
                types := types || 'order.shipped'::text;
            ELSIF NEW.status = 'cancelled' THEN
                types := types || 'order.cancelled'::text;
            END IF;
        END IF;
        IF NEW.promised_date IS DISTINCT FROM OLD.promised_date AND OLD.promised_date IS NOT NULL THEN
            types := types || 'order.date_changed'::text;
        END IF;
    END IF;
    FOREACH t IN ARRAY types LOOP
        d := jsonb_build_object(
            'number', NEW.number, 'reference', NEW.reference, 'status', NEW.status,
            'payment_status', NEW.payment_status, 'total', to_char(NEW.total, 'FM9999999990.00'),
            'deposit_due', to_char(NEW.deposit_due, 'FM9999999990.00'),
            'promised_date', NEW.promised_date, 'estimated_date', NEW.estimated_date);
        IF TG_OP = 'UPDATE' THEN
            d := d || jsonb_build_object('previous_status', OLD.status);
        END IF;
        IF t = 'order.date_changed' THEN
            d := d || jsonb_build_object('previous_promised_date', OLD.promised_date);
        END IF;
        IF t = 'order.shipped' THEN
            d := d || jsonb_build_object('carrier', NEW.carrier, 'tracking', NEW.tracking);
        END IF;
        INSERT INTO channel_events (channel_id, order_id, type, data)
        VALUES (ch, NEW.id, t, jsonb_strip_nulls(d)) RETURNING id INTO ev;
        PERFORM queue_channel_event(ev);
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER orders_channel_events AFTER INSERT OR UPDATE OF status, promised_date ON orders
    FOR EACH ROW WHEN (NEW.source LIKE 'channel:%') EXECUTE FUNCTION channel_order_events();

-- +goose Down
DROP TRIGGER orders_channel_events ON orders;
DROP FUNCTION channel_order_events();
DROP FUNCTION queue_channel_event(bigint);
DROP TABLE webhook_deliveries;
DROP TABLE channel_events;
DROP TABLE api_idempotency;
DROP INDEX orders_source_updated_idx;
ALTER TABLE orders DROP COLUMN reference;
DROP TABLE channels;
