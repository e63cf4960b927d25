-- The staff group: one Telegram group chat of the desk's team that receives the cards and
-- alerts once, instead of one private copy per staff member. A staff member may keep
-- private copies too (group_copies). Claims of group cards: the first press owns the card.

-- +goose Up
CREATE TABLE staff_group (
    singleton  BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    chat_id    BIGINT NOT NULL UNIQUE CHECK (chat_id < 0),
    title      TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT '',
    bound_by   TEXT NOT NULL,
    bound_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE staff ADD COLUMN group_copies BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE card_claims (
    chat_id    BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    staff_id   BIGINT NOT NULL,
    staff_name TEXT NOT NULL DEFAULT '',
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, message_id)
);

-- +goose Down
DROP TABLE card_claims;
ALTER TABLE staff DROP COLUMN group_copies;
DROP TABLE staff_group;
