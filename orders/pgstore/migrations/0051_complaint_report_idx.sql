-- The complaints a report counts: opened, or resolved, in its period.

-- +goose Up
CREATE INDEX complaints_opened_idx ON complaints (opened_at);
CREATE INDEX complaints_resolved_idx ON complaints (resolved_at) WHERE resolved_at IS NOT NULL;

-- +goose Down
DROP INDEX complaints_resolved_idx;
DROP INDEX complaints_opened_idx;
