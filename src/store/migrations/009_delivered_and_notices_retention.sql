-- Deliveries that are done and notifications are forgotten after LOG_RETENTION_DAYS too: the hourly
-- purge finds the old ones by these dates.
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE status = 'delivered';
CREATE INDEX notifications_created ON notifications (created_at);
