-- The logs of refused conversions and of postback calls are forgotten after LOG_RETENTION_DAYS:
-- the hourly purge finds the old rows by these dates.
CREATE INDEX conversion_attempts_created ON conversion_attempts (created_at);
CREATE INDEX delivery_attempts_attempted ON delivery_attempts (attempted_at);
