-- Alerts that an offer's budget or cap is nearly used up or reached: about an offer, and each raised
-- once per limit, period and threshold however many processes check (dedupe_key).
ALTER TABLE notifications
  ADD COLUMN offer_id integer REFERENCES offers (id),
  ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX notifications_dedupe ON notifications (dedupe_key);
-- An advertiser reads its own, newest first.
CREATE INDEX notifications_advertiser ON notifications (advertiser_id, id) WHERE advertiser_id IS NOT NULL;
