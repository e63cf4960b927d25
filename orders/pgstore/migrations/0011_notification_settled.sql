-- An operator reconciles the notifications left "uncertain" (a send began and its outcome
-- is unknown): each is resent (back to "pending", with a new job) or settled — the
-- operator found it arrived, or it is no longer needed — which the new state "settled"
-- records apart from what the notifier itself dropped.

-- +goose Up
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped', 'uncertain', 'expanded', 'settled'));
CREATE INDEX notifications_uncertain_idx ON notifications (id) WHERE status = 'uncertain';

-- +goose Down
DROP INDEX notifications_uncertain_idx;
UPDATE notifications SET status = 'dropped' WHERE status = 'settled';
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped', 'uncertain', 'expanded'));
