-- A placement holds its stock before its transaction, in a short statement of its own that
-- commits without waiting for the disk; the order's transaction then takes the hold over.
--
-- Reserved at the order's COMMIT (migration 0004), a product's row stayed locked until the
-- commit record was flushed: placements of one product followed one another one disk flush
-- at a time (about 150 orders/s on a quiet disk, the waits were most of the API's p99).
--
-- begin_placement does in one statement what a placement needs of the shared rows: it finds
-- an order already placed with the key (then it does nothing else), reserves the stock of
-- the from-stock lines (products locked in SKU byte order, as everywhere) recording a hold
-- row per product, and draws the day's order number. Its commit is asynchronous, so the rows
-- are released at once. It stays safe: the order that takes the hold over commits
-- synchronously later, and flushing its commit record flushes the hold's earlier one, so a
-- hold can be lost in a crash only together with its order. A placement whose key is held
-- by another placement in flight waits for that one to end and starts again: it then
-- finds the order placed (or the hold released). A placement refused for stock that a
-- placement with its key took meanwhile does the same (pgstore's PlaceOrder). A hold whose order never
-- commits (the placement failed and could not release it, the process died) is released
-- when it is older than 10 minutes and a placement finds its product short, or by
-- release_stale_stock_holds. An order takes its hold over by deleting it in its own
-- transaction: a hold already released makes the order fail, never placed without stock.

-- +goose Up
CREATE SEQUENCE stock_hold_ids;

CREATE TABLE stock_holds (
    id         BIGINT NOT NULL,
    key        TEXT, -- the placement's idempotency key
    sku        TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, sku)
);
CREATE INDEX stock_holds_sku_created ON stock_holds (sku, created_at);
CREATE INDEX stock_holds_key ON stock_holds (key) WHERE key IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION release_stock_holds(hold_rows stock_holds[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h stock_holds;
BEGIN
    FOREACH h IN ARRAY hold_rows LOOP
        UPDATE products SET reserved = reserved - h.quantity WHERE sku = h.sku;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION release_stale_stock_holds(older_than INTERVAL, only_sku TEXT DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    gone stock_holds[];
BEGIN
    WITH d AS (
        DELETE FROM stock_holds
        WHERE created_at < now() - older_than AND (only_sku IS NULL OR sku = only_sku)
        RETURNING *
    )
    SELECT array_agg(d ORDER BY d.sku COLLATE "C") INTO gone FROM d;
    IF gone IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM release_stock_holds(gone);
    RETURN cardinality(gone);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION release_stock_hold(hold BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    gone stock_holds[];
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH d AS (DELETE FROM stock_holds WHERE id = hold RETURNING *)
    SELECT array_agg(d ORDER BY d.sku COLLATE "C") INTO gone FROM d;
    IF gone IS NOT NULL THEN
        PERFORM release_stock_holds(gone);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION begin_placement(placement_key TEXT, order_day DATE, skus TEXT[], quantities INTEGER[],
    OUT existing BIGINT, OUT inflight BIGINT, OUT hold BIGINT, OUT seq INTEGER) LANGUAGE plpgsql AS $$
DECLARE
    w record;
BEGIN
    -- For this statement's own transaction only (an autocommit statement): see above.
    PERFORM set_config('synchronous_commit', 'off', true);
    IF placement_key IS NOT NULL THEN
        -- A placement with the key holds stock and has not committed yet: the caller waits
        -- for it rather than hold the stock twice (or be refused the last units). Read
        -- before the orders: a placement that commits between the two reads is then seen
        -- by the second.
        SELECT h.id INTO inflight FROM stock_holds h
        WHERE h.key = placement_key AND h.created_at >= now() - interval '10 minutes' LIMIT 1;
        IF FOUND THEN
            RETURN;
        END IF;
        SELECT id INTO existing FROM orders WHERE idempotency_key = placement_key;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    IF cardinality(skus) > 0 THEN
        hold := nextval('stock_hold_ids');
        FOR w IN
            SELECT t.sku, sum(t.quantity)::integer AS quantity
            FROM unnest(skus, quantities) AS t (sku, quantity)
            GROUP BY t.sku ORDER BY t.sku COLLATE "C"
        LOOP
            UPDATE products SET reserved = reserved + w.quantity
            WHERE sku = w.sku AND active AND on_hand - reserved >= w.quantity;
            IF NOT FOUND AND release_stale_stock_holds(interval '10 minutes', w.sku) > 0 THEN
                UPDATE products SET reserved = reserved + w.quantity
                WHERE sku = w.sku AND active AND on_hand - reserved >= w.quantity;
            END IF;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'not enough stock of %', w.sku USING ERRCODE = 'OB409', DETAIL = w.sku;
            END IF;
            INSERT INTO stock_holds (id, key, sku, quantity) VALUES (hold, placement_key, w.sku, w.quantity);
        END LOOP;
    END IF;
    INSERT INTO order_counters AS c (day, last) VALUES (order_day, 1)
    ON CONFLICT (day) DO UPDATE SET last = c.last + 1
    RETURNING c.last INTO seq;
END
$$;
-- +goose StatementEnd

DROP TRIGGER orders_reserve_stock ON orders;
DROP FUNCTION reserve_order_stock();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION reserve_order_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w record;
BEGIN
    FOR w IN
        SELECT sku, sum(quantity)::integer AS quantity
        FROM order_lines WHERE order_id = NEW.id AND from_stock
        GROUP BY sku ORDER BY sku COLLATE "C"
    LOOP
        UPDATE products SET reserved = reserved + w.quantity
        WHERE sku = w.sku AND active AND on_hand - reserved >= w.quantity;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'not enough stock of % for order %', w.sku, NEW.number
                USING ERRCODE = 'OB409', DETAIL = w.sku;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER orders_reserve_stock AFTER INSERT ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reserve_order_stock();
DROP FUNCTION begin_placement(TEXT, DATE, TEXT[], INTEGER[]);
DROP FUNCTION release_stock_hold(BIGINT);
DROP FUNCTION release_stale_stock_holds(INTERVAL, TEXT);
DROP FUNCTION release_stock_holds(stock_holds[]);
DROP TABLE stock_holds;
DROP SEQUENCE stock_hold_ids;
