-- Reports by sub-ID and source read raw clicks of one partner over a period.
CREATE INDEX clicks_partner_time ON clicks (partner_id, created_at);
CREATE INDEX impressions_partner_time ON impressions (partner_id, created_at);
CREATE INDEX stats_hourly_hour ON stats_hourly (hour);
