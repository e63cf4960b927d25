-- Payment status partly_paid: something is paid, but neither a required deposit nor the
-- total. Orders that were left "unpaid" with a payment recorded become partly_paid.

-- +goose Up
ALTER TABLE orders DROP CONSTRAINT orders_payment_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_payment_status_check
    CHECK (payment_status IN ('unpaid', 'partly_paid', 'deposit_paid', 'paid'));

UPDATE orders o SET payment_status = 'partly_paid'
WHERE o.payment_status = 'unpaid' AND EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id);

-- +goose Down
UPDATE orders SET payment_status = 'unpaid' WHERE payment_status = 'partly_paid';
ALTER TABLE orders DROP CONSTRAINT orders_payment_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_payment_status_check
    CHECK (payment_status IN ('unpaid', 'deposit_paid', 'paid'));
