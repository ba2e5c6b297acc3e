-- Which user has read which notification: a partner's alert of its own cap is its advertiser's too,
-- and each reads it for itself. Goes with its notification when that is forgotten.
CREATE TABLE notification_reads (
  notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id),
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, notification_id)
);
ALTER TABLE notifications DROP COLUMN read_at;
