-- A claim in the staff group makes the claimer responsible for what the card is about: the
-- order's rep (review, unreachable customer, overdue orders nobody owns) or the handler of a
-- customer's change request. The claim keeps what it was about.

-- +goose Up
ALTER TABLE change_requests ADD COLUMN handler_telegram_id BIGINT
    CONSTRAINT change_requests_handler_check CHECK (handler_telegram_id <> 0);

ALTER TABLE card_claims
    ADD COLUMN kind   TEXT NOT NULL DEFAULT '',
    ADD COLUMN number TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE card_claims DROP COLUMN number, DROP COLUMN kind;
ALTER TABLE change_requests DROP COLUMN handler_telegram_id;
