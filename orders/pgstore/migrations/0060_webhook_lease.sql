-- One delivery of a webhook event at a time. An event may have two delivery jobs: one
-- still waiting to retry when the event is queued again (the channel's webhooks switched
-- back on, an operator's redelivery). Both found it pending and both delivered it. A job
-- now leases the event before it posts (leased_until), and the attempt's record ends the
-- lease; another job finding it leased waits, and then finds it delivered. A lease of a
-- job that died runs out.

-- +goose Up
ALTER TABLE channel_events ADD COLUMN leased_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE channel_events DROP COLUMN leased_until;
