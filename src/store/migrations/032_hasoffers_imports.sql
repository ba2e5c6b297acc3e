-- HasOffers networks brought over, and what of each is what here: an import run again finds what it
-- made by the other network's ids, so it updates instead of making a second one.
CREATE TABLE hasoffers_import_sources (
  id serial PRIMARY KEY,
  api_url text NOT NULL,
  network_id text NOT NULL,
  -- The other network's tracking domain, once pointed here: links on it keep the other network's ids.
  tracking_host text,
  UNIQUE (api_url, network_id)
);
CREATE UNIQUE INDEX hasoffers_import_sources_host ON hasoffers_import_sources (lower(tracking_host)) WHERE tracking_host IS NOT NULL;

CREATE TABLE hasoffers_imported (
  source_id integer NOT NULL REFERENCES hasoffers_import_sources (id),
  kind text NOT NULL CHECK (kind IN ('advertiser', 'partner', 'offer', 'goal', 'offer_url', 'conversion')),
  external_id text NOT NULL,
  local_id bigint NOT NULL,
  PRIMARY KEY (source_id, kind, external_id)
);
-- The sync asks of each conversion it sends whether it was imported from that very network.
CREATE INDEX hasoffers_imported_local ON hasoffers_imported (kind, local_id);

-- The traffic an import added to the statistics (clicks, impressions, and what clicks paid and
-- earned beyond the conversions), so a second import adds only the difference.
CREATE TABLE hasoffers_imported_stats (
  source_id integer NOT NULL REFERENCES hasoffers_import_sources (id),
  day date NOT NULL,
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer NOT NULL REFERENCES partners (id),
  impressions bigint NOT NULL,
  gross_clicks bigint NOT NULL,
  unique_clicks bigint NOT NULL,
  click_payout_micros bigint NOT NULL,
  click_cost_micros bigint NOT NULL,
  PRIMARY KEY (source_id, day, offer_id, partner_id)
);

CREATE TABLE hasoffers_imports (
  id serial PRIMARY KEY,
  source_id integer NOT NULL REFERENCES hasoffers_import_sources (id),
  from_day date,
  to_day date,
  status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  counts jsonb NOT NULL DEFAULT '{}',
  problems jsonb NOT NULL DEFAULT '[]',
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  -- A running import's process says it is alive here; one silent too long was cut short.
  alive_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- One import of a network at a time.
CREATE UNIQUE INDEX hasoffers_imports_running ON hasoffers_imports (source_id) WHERE status = 'running';
