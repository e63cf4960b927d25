-- Notifications are delivered through River jobs (see outbox.go); the notifications table
-- records what becomes of each: claimed before the send ('sending'), sent with the Telegram
-- message id (which later edits of the message need), or settled without a send.

-- +goose Up
ALTER TABLE notifications ADD COLUMN message_id BIGINT;
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped', 'uncertain', 'expanded'));
-- River finds the due jobs now; every claim and send would update this index.
DROP INDEX notifications_due_idx;

-- +goose Down
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'pending';
UPDATE notifications SET status = 'pending' WHERE status = 'sending';
UPDATE notifications SET status = 'failed' WHERE status IN ('uncertain', 'expanded');
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'dropped'));
ALTER TABLE notifications DROP COLUMN message_id;
