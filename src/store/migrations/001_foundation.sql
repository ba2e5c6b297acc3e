-- The network this installation runs: one row.
CREATE TABLE network (
  id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL,
  time_zone text NOT NULL,
  currency char(3) NOT NULL,
  fallback_url text,
  -- Share of an advertiser's CPC bid paid to the partner when an offer sets no CPC payout of its own.
  cpc_partner_share_ppm integer NOT NULL DEFAULT 700000 CHECK (cpc_partner_share_ppm BETWEEN 0 AND 1000000),
  maintenance boolean NOT NULL DEFAULT false,
  -- Lets the operator print the demo accounts' keys again; null where no demo network was made.
  demo_secret bytea,
  -- The ids of what the demo made: {"userIds":[],"advertiserIds":[],"partnerIds":[],"offerIds":[]}.
  demo_manifest jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO network (name, time_zone, currency) VALUES ('Partnerline', 'UTC', 'USD');

CREATE TABLE agencies (
  id serial PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE channels (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE advertisers (
  id serial PRIMARY KEY,
  name text NOT NULL,
  business_url text NOT NULL,
  category_id integer REFERENCES categories (id),
  agency_id integer REFERENCES agencies (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'pending', 'blocked', 'deleted')),
  -- HasOffers "Advertiser Security Token": postbacks must carry it when set.
  conversion_security_token text,
  -- Hosts a deep link may point at besides the business URL's own.
  extra_domains text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advertisers_agency ON advertisers (agency_id);

CREATE TABLE partners (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text,
  website text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'blocked', 'deleted', 'rejected')),
  channel_id integer REFERENCES channels (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE traffic_sources (
  id serial PRIMARY KEY,
  partner_id integer NOT NULL REFERENCES partners (id),
  name text NOT NULL,
  url text,
  channel_id integer REFERENCES channels (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'deleted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partner_id, name)
);

CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('network_admin', 'advertiser', 'partner', 'agency')),
  advertiser_id integer REFERENCES advertisers (id),
  partner_id integer REFERENCES partners (id),
  agency_id integer REFERENCES agencies (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A user's scope is exactly the one its role names.
  CHECK ((role = 'advertiser') = (advertiser_id IS NOT NULL)),
  CHECK ((role = 'partner') = (partner_id IS NOT NULL)),
  CHECK ((role = 'agency') = (agency_id IS NOT NULL))
);

CREATE TABLE api_keys (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  name text NOT NULL DEFAULT 'default',
  -- The first characters of the key, shown in listings so a user can tell keys apart.
  prefix text NOT NULL,
  secret_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  replaced_by integer REFERENCES api_keys (id)
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE offers (
  id serial PRIMARY KEY,
  advertiser_id integer NOT NULL REFERENCES advertisers (id),
  name text NOT NULL,
  description text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'pending', 'expired', 'deleted')),
  starts_at timestamptz NOT NULL DEFAULT now(),
  ends_at timestamptz,
  destination_url text NOT NULL,
  preview_url text,
  fallback_url text,
  allow_deep_link boolean NOT NULL DEFAULT false,
  -- ISO 3166-1 alpha-2 codes; empty means every country.
  geo_targeting text[] NOT NULL DEFAULT '{}',
  -- 'desktop', 'mobile', 'tablet'; empty means every device.
  device_targeting text[] NOT NULL DEFAULT '{}',
  currency char(3) NOT NULL,
  visibility text NOT NULL DEFAULT 'open' CHECK (visibility IN ('open', 'approval', 'private')),
  attribution_window_hours integer NOT NULL DEFAULT 720 CHECK (attribution_window_hours > 0),
  protocol text NOT NULL DEFAULT 'server'
    CHECK (protocol IN ('server', 'server_affiliate', 'http', 'https', 'http_img', 'https_img')),
  approve_conversions boolean NOT NULL DEFAULT false,
  -- Pending conversions are approved automatically after this many hours; null keeps them pending.
  hold_hours integer CHECK (hold_hours > 0),
  allow_multiple_conversions boolean NOT NULL DEFAULT false,
  payout_type text NOT NULL CHECK (payout_type IN ('cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both')),
  payout_flat_micros bigint NOT NULL DEFAULT 0 CHECK (payout_flat_micros >= 0),
  payout_percent_ppm integer NOT NULL DEFAULT 0 CHECK (payout_percent_ppm BETWEEN 0 AND 1000000),
  revenue_type text NOT NULL CHECK (revenue_type IN ('cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both')),
  revenue_flat_micros bigint NOT NULL DEFAULT 0 CHECK (revenue_flat_micros >= 0),
  revenue_percent_ppm integer NOT NULL DEFAULT 0 CHECK (revenue_percent_ppm BETWEEN 0 AND 1000000),
  -- What the advertiser may spend a local day; null means unlimited.
  daily_budget_micros bigint CHECK (daily_budget_micros >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX offers_advertiser ON offers (advertiser_id);

-- The partner channels an offer accepts; none means all.
CREATE TABLE offer_channels (
  offer_id integer NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
  channel_id integer NOT NULL REFERENCES channels (id),
  PRIMARY KEY (offer_id, channel_id)
);

-- Alternative landing pages, picked with url_id on the tracking link.
CREATE TABLE offer_urls (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  name text NOT NULL,
  url text NOT NULL,
  preview_url text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE goals (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  name text NOT NULL,
  description text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  payout_type text NOT NULL CHECK (payout_type IN ('cpa_flat', 'cpa_percentage', 'cpa_both')),
  payout_flat_micros bigint NOT NULL DEFAULT 0 CHECK (payout_flat_micros >= 0),
  payout_percent_ppm integer NOT NULL DEFAULT 0 CHECK (payout_percent_ppm BETWEEN 0 AND 1000000),
  revenue_type text NOT NULL CHECK (revenue_type IN ('cpa_flat', 'cpa_percentage', 'cpa_both')),
  revenue_flat_micros bigint NOT NULL DEFAULT 0 CHECK (revenue_flat_micros >= 0),
  revenue_percent_ppm integer NOT NULL DEFAULT 0 CHECK (revenue_percent_ppm BETWEEN 0 AND 1000000),
  approve_conversions boolean NOT NULL DEFAULT false,
  allow_multiple_conversions boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (offer_id, name)
);

-- What one partner earns on an offer (or one of its goals) instead of the offer's own pricing.
CREATE TABLE payout_overrides (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer NOT NULL REFERENCES partners (id),
  goal_id integer REFERENCES goals (id),
  payout_type text NOT NULL CHECK (payout_type IN ('cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both')),
  payout_flat_micros bigint NOT NULL DEFAULT 0 CHECK (payout_flat_micros >= 0),
  payout_percent_ppm integer NOT NULL DEFAULT 0 CHECK (payout_percent_ppm BETWEEN 0 AND 1000000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX payout_overrides_one ON payout_overrides (offer_id, partner_id, coalesce(goal_id, 0));

-- Caps on an offer, optionally for one partner or one goal, by local day, local month or lifetime.
CREATE TABLE caps (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer REFERENCES partners (id),
  goal_id integer REFERENCES goals (id),
  metric text NOT NULL CHECK (metric IN ('clicks', 'conversions', 'payout', 'revenue', 'budget')),
  period text NOT NULL CHECK (period IN ('day', 'month', 'lifetime')),
  -- A count for clicks and conversions, micro-units of the offer's currency otherwise.
  cap_limit bigint NOT NULL CHECK (cap_limit > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX caps_one ON caps (offer_id, coalesce(partner_id, 0), coalesce(goal_id, 0), metric, period);

-- A partner's standing on an offer (HasOffers AffiliateOffer).
CREATE TABLE approvals (
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer NOT NULL REFERENCES partners (id),
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'blocked')),
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (offer_id, partner_id)
);
CREATE INDEX approvals_partner ON approvals (partner_id);

-- SourceKnowledge control lists: which sub-IDs may (allow) or may not (block) buy on offers.
CREATE TABLE control_lists (
  id serial PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('allow', 'block')),
  -- A global list applies to every offer of its owner, attached or not.
  global boolean NOT NULL DEFAULT false,
  agency_id integer REFERENCES agencies (id),
  advertiser_id integer REFERENCES advertisers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, type)
);

CREATE TABLE control_list_sub_ids (
  control_list_id integer NOT NULL REFERENCES control_lists (id) ON DELETE CASCADE,
  sub_id text NOT NULL,
  PRIMARY KEY (control_list_id, sub_id)
);

CREATE TABLE control_list_offers (
  control_list_id integer NOT NULL,
  list_type text NOT NULL,
  offer_id integer NOT NULL REFERENCES offers (id),
  PRIMARY KEY (control_list_id, offer_id),
  FOREIGN KEY (control_list_id, list_type) REFERENCES control_lists (id, type) ON UPDATE CASCADE ON DELETE CASCADE
);
-- An offer is on at most one allow list.
CREATE UNIQUE INDEX control_list_offers_one_allow ON control_list_offers (offer_id) WHERE list_type = 'allow';

-- Multiplier on an offer's CPC for one sub-ID; 0 stops buying from it.
CREATE TABLE bid_factors (
  offer_id integer NOT NULL REFERENCES offers (id),
  sub_id text NOT NULL,
  factor numeric(10, 4) NOT NULL CHECK (factor >= 0 AND factor <= 100),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (offer_id, sub_id)
);

-- Responses of writes sent with an Idempotency-Key, answered again when the same key returns.
CREATE TABLE idempotency_keys (
  user_id integer NOT NULL REFERENCES users (id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response_body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
