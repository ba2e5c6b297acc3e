-- The HasOffers network's own time zone: its API reads and writes datetimes as its wall clock.
ALTER TABLE hasoffers_networks ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- The sync's outbox: a task per conversion of a linked offer that changed, queued in the change's
-- own transaction. One open task per conversion and network is enough: the worker sends what the
-- ledger holds when it runs, not what the change was.
CREATE TABLE hasoffers_sync_tasks (
  id bigserial PRIMARY KEY,
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  conversion_id bigint NOT NULL REFERENCES conversions (id),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'parked')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  -- Set by a reconciliation's repair: look the conversion up there even when the sync thinks it knows what is there.
  verify boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hasoffers_sync_tasks_open ON hasoffers_sync_tasks (hasoffers_network_id, conversion_id) WHERE status <> 'done';
CREATE INDEX hasoffers_sync_tasks_due ON hasoffers_sync_tasks (next_attempt_at, id) WHERE status = 'queued';

-- What each network holds of each conversion, as the sync last sent or found it.
CREATE TABLE hasoffers_synced_conversions (
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  conversion_id bigint NOT NULL REFERENCES conversions (id),
  external_id bigint NOT NULL,
  status text NOT NULL,
  payout_micros bigint NOT NULL,
  revenue_micros bigint NOT NULL,
  sale_amount_micros bigint NOT NULL,
  -- Which side tells the partner of this conversion's changes: HasOffers fires no affiliate pixel
  -- for a conversion made through its API, so Partnerline's own postbacks do.
  partner_told_by text NOT NULL DEFAULT 'partnerline',
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hasoffers_network_id, conversion_id)
);

-- Every call the sync made, with what it sent (never the token) and what came back.
CREATE TABLE hasoffers_sync_calls (
  id bigserial PRIMARY KEY,
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  conversion_id bigint,
  method text NOT NULL,
  params jsonb NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('ok', 'refused', 'unknown')),
  answer text,
  duration_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hasoffers_sync_calls_network ON hasoffers_sync_calls (hasoffers_network_id, id);
CREATE INDEX hasoffers_sync_calls_conversion ON hasoffers_sync_calls (conversion_id);
-- The trigger below looks links up by offer on every conversion write.
CREATE INDEX hasoffers_offer_links_offer ON hasoffers_offer_links (offer_id);

CREATE FUNCTION queue_hasoffers_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hasoffers_sync_tasks (hasoffers_network_id, conversion_id)
    SELECT l.hasoffers_network_id, NEW.id FROM hasoffers_offer_links l WHERE l.offer_id = NEW.offer_id
  ON CONFLICT (hasoffers_network_id, conversion_id) WHERE status <> 'done' DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER hasoffers_sync AFTER INSERT OR UPDATE OF status, payout_micros, revenue_micros, sale_amount_micros, replaced_by_id ON conversions
  FOR EACH ROW EXECUTE FUNCTION queue_hasoffers_sync();

-- A reconciliation: the network's conversions of a window joined with the ledger, each classified.
CREATE TABLE hasoffers_reconciliations (
  id serial PRIMARY KEY,
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  from_day date NOT NULL,
  to_day date NOT NULL,
  result jsonb NOT NULL,
  repaired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hasoffers_reconciliations_network ON hasoffers_reconciliations (hasoffers_network_id, id);
