-- Names this store where it is not alone: a Redis several stores share keeps each store's keys
-- under its own name, so a fresh store never sees an old one's first visits or counts.
ALTER TABLE network ADD COLUMN store_id uuid NOT NULL DEFAULT gen_random_uuid();
