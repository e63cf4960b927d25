-- Rollups for the desk's reports (orders/pgstore/rollups.go).
--
-- A desk-wide report over a year of a busy desk would otherwise aggregate half a million
-- orders, their lines and history twice (the period and the one before). report_rollup
-- holds the same sums and counts per local day (grain 'd') and per local month (grain 'm')
-- of the business time zone, so a report adds up a few thousand rows: whole months from
-- the month rows, the days at either end from the day rows.
--
-- The rollups are refreshed incrementally, not kept by deltas: every change of an order,
-- its lines, history or payments appends the instants whose local day it touches (the
-- order's creation; a delivery's time) to report_dirty, in the changing transaction; a
-- report first recomputes those days (and their months) from the orders, with the very
-- queries that define the KPIs, then reads the rollup. The figures are therefore exactly
-- those computed from the orders, and a write costs one small insert per changed row.
-- report_dirty has no unique key on purpose: a change committed while a refresh runs
-- always leaves its own row behind for the next refresh.
--
-- Kinds: d day totals; r rep; o source; p product; c customer; x cancellation reason;
-- v review minutes; l deliveries by promised date; g ratings of delivered orders.

-- +goose Up
CREATE TABLE report_rollup (
    grain        CHAR(1) NOT NULL CHECK (grain IN ('d', 'm')),
    bucket       DATE NOT NULL, -- the local day, or the first day of the local month
    kind         CHAR(1) NOT NULL,
    k            BIGINT NOT NULL DEFAULT 0, -- rep, customer, minutes, rating
    s            TEXT NOT NULL DEFAULT '',  -- source, SKU, reason, promised date
    orders       BIGINT,
    units        BIGINT,
    amount       NUMERIC(16, 2),
    placed       BIGINT,
    cancelled    BIGINT,
    confirmed    BIGINT,
    changed      BIGINT,
    total        NUMERIC(16, 2),
    deposit_due  NUMERIC(16, 2),
    paid         NUMERIC(16, 2),
    deposit_paid NUMERIC(16, 2),
    -- a report's sums read this index alone (an index-only scan of one kind's rows of a
    -- range of days or months), not the table's pages
    PRIMARY KEY (kind, grain, bucket, k, s) INCLUDE (orders, units, amount)
);

-- The time zone the rollup's days are counted in; another zone rebuilds it whole.
CREATE TABLE report_rollup_state (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    tz  TEXT NOT NULL
);

CREATE TABLE report_dirty (
    at TIMESTAMPTZ NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION report_dirty_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO report_dirty (at) VALUES (OLD.created_at);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO report_dirty (at) VALUES (NEW.created_at);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.rating IS DISTINCT FROM NEW.rating OR OLD.promised_date IS DISTINCT FROM NEW.promised_date) THEN
        INSERT INTO report_dirty (at) SELECT h.at FROM order_history h WHERE h.order_id = NEW.id AND h.to_status = 'delivered';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_dirty_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO report_dirty (at) SELECT o.created_at FROM orders o WHERE o.id = OLD.order_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO report_dirty (at) SELECT o.created_at FROM orders o WHERE o.id = NEW.order_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A delivery also counts on the day it was made.
-- +goose StatementBegin
CREATE FUNCTION report_dirty_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO report_dirty (at) SELECT o.created_at FROM orders o WHERE o.id = OLD.order_id;
        IF OLD.to_status = 'delivered' THEN
            INSERT INTO report_dirty (at) VALUES (OLD.at);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO report_dirty (at) SELECT o.created_at FROM orders o WHERE o.id = NEW.order_id;
        IF NEW.to_status = 'delivered' THEN
            INSERT INTO report_dirty (at) VALUES (NEW.at);
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER orders_report_dirty AFTER INSERT OR DELETE OR UPDATE OF created_at, status, total, deposit_due,
    source, rep_telegram_id, customer_id, modified, rating, promised_date ON orders
    FOR EACH ROW EXECUTE FUNCTION report_dirty_order();
CREATE TRIGGER order_lines_report_dirty AFTER INSERT OR UPDATE OR DELETE ON order_lines
    FOR EACH ROW EXECUTE FUNCTION report_dirty_child();
CREATE TRIGGER order_history_report_dirty AFTER INSERT OR UPDATE OR DELETE ON order_history
    FOR EACH ROW EXECUTE FUNCTION report_dirty_history();
CREATE TRIGGER payments_report_dirty AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION report_dirty_child();

-- The open orders a report's "now" counts, without reading the closed ones.
CREATE INDEX orders_open_status_idx ON orders (status) INCLUDE (promised_date, payment_status, rep_telegram_id, source)
    WHERE status NOT IN ('completed', 'cancelled');

-- +goose Down
DROP INDEX orders_open_status_idx;
DROP TRIGGER payments_report_dirty ON payments;
DROP TRIGGER order_history_report_dirty ON order_history;
DROP TRIGGER order_lines_report_dirty ON order_lines;
DROP TRIGGER orders_report_dirty ON orders;
DROP FUNCTION report_dirty_history();
DROP FUNCTION report_dirty_child();
DROP FUNCTION report_dirty_order();
DROP TABLE report_dirty;
DROP TABLE report_rollup_state;
DROP TABLE report_rollup;
