-- Indexes for the reports (orders/kpi.go, pgstore/reports.go).
--
-- A report reads the orders placed in a period (by created_at) and, for on-time delivery,
-- the orders delivered in it (by the history entry to 'delivered'). The covering index on
-- created_at lets the per-order figures (counts, sums by day, rep, source, customer) be
-- read from the index alone, without the orders' wide rows (addresses, notes); the partial
-- history indexes hold only the rows a report looks for, so the writes they cost are
-- few. A rep's report finds the rep's orders by the rep's id or the source they entered.

-- +goose Up
CREATE INDEX orders_report_idx ON orders (created_at)
    INCLUDE (id, status, total, deposit_due, customer_id, rep_telegram_id, source, modified);
CREATE INDEX orders_rep_created_idx ON orders (rep_telegram_id, created_at) WHERE rep_telegram_id IS NOT NULL;
CREATE INDEX orders_source_created_idx ON orders (source, created_at) WHERE source LIKE 'rep:%';
CREATE INDEX order_history_delivered_idx ON order_history (at) INCLUDE (order_id) WHERE to_status = 'delivered';
CREATE INDEX order_history_decided_idx ON order_history (order_id) INCLUDE (at) WHERE from_status = 'pending_review';
CREATE INDEX order_history_cancelled_idx ON order_history (order_id) INCLUDE (note) WHERE to_status = 'cancelled';
CREATE INDEX order_history_confirmed_idx ON order_history (order_id) WHERE to_status = 'confirmed';
CREATE INDEX orders_delivered_unpaid_idx ON orders (created_at) WHERE status = 'delivered' AND payment_status <> 'paid';

-- +goose Down
DROP INDEX orders_delivered_unpaid_idx;
DROP INDEX order_history_confirmed_idx;
DROP INDEX order_history_cancelled_idx;
DROP INDEX order_history_decided_idx;
DROP INDEX order_history_delivered_idx;
DROP INDEX orders_source_created_idx;
DROP INDEX orders_rep_created_idx;
DROP INDEX orders_report_idx;
