-- Exactly-once desk actions. Every state-changing action of the desk (a payment, a review,
-- a transition, the customer's answer, a change request or its decision, a rating) carries
-- the key of what caused it, like "u:<update_id>|payment:SO-20261201-0001", and records it
-- here in the action's own transaction, before anything else. A redelivered update finds
-- its key and changes nothing twice; two deliveries at once wait for each other on the key.

-- +goose Up
CREATE TABLE desk_actions (
    key       TEXT PRIMARY KEY CHECK (key <> '' AND length(key) <= 300),
    kind      TEXT NOT NULL CHECK (kind <> ''),
    order_id  BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    -- the change request created or decided
    change_id BIGINT REFERENCES change_requests (id) ON DELETE CASCADE,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX desk_actions_at_idx ON desk_actions (at);

-- +goose Down
DROP TABLE desk_actions;
