-- Invitations to join the staff: one-time deep links made by managers. Only a SHA-256 of the
-- token is kept, so the table does not hold a usable link.

-- +goose Up
CREATE TABLE staff_invites (
    id         BIGSERIAL PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    role       TEXT NOT NULL CHECK (role IN ('rep', 'manager')),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_by    BIGINT CHECK (used_by <> 0),
    used_at    TIMESTAMPTZ,
    CHECK ((used_by IS NULL) = (used_at IS NULL))
);

-- +goose Down
DROP TABLE staff_invites;
