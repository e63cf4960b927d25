-- A placed order reserves the stock of its from-stock lines when its transaction commits.
--
-- Every placement of a product updates that product's row, so placements of the same
-- product wait for one another while one holds the row. Done by the placing transaction's
-- last statement, the row stayed locked across a round trip to the client and back (the
-- COMMIT), which under load is most of a placement's time. Done by a deferred constraint
-- trigger, it happens inside the COMMIT: the row is locked only for the reservation and the
-- commit record. When a product lacks the units (or is no longer active), the COMMIT fails
-- with SQLSTATE OB409 and the order, like everything of its transaction, is not written.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION reserve_order_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w record;
BEGIN
    -- Products are locked in SKU byte order, as everywhere, so placements cannot deadlock.
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

-- +goose Down
DROP TRIGGER orders_reserve_stock ON orders;
DROP FUNCTION reserve_order_stock();
