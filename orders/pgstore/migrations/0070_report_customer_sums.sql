-- Running sums of every customer's sales for the top customers of long periods
-- (orders/pgstore/rollups.go).
--
-- The best customers of a year added up report_rollup's month rows of every customer:
-- some 20,000 customers × 12 months = 240,000 rows and a hash of 20,000 decimal sums per
-- report. report_customer_sums holds, for every local month start, each customer's orders
-- and sales (in cents) placed before it, so the sums of any run of whole months are two
-- reads of one month start each (the later minus the earlier): about 40,000 rows of
-- integers, whatever the period's length. The days before the first whole month and after
-- the last come from the day rows as before.
--
-- It is derived from report_rollup's customer month rows and rewritten from the earliest
-- month a refresh recomputed: no trigger of its own; the dirty marks of 0050 drive it.

-- +goose Up
CREATE TABLE report_customer_sums (
    bucket   DATE NOT NULL,   -- the first day of a local month: the sums are of the orders before it
    customer BIGINT NOT NULL,
    orders   BIGINT NOT NULL,
    cents    BIGINT NOT NULL,
    PRIMARY KEY (bucket, customer) INCLUDE (orders, cents)
);

-- the next refresh rebuilds the rollup, and these sums with it
DELETE FROM report_rollup_state;

-- +goose Down
DROP TABLE report_customer_sums;
