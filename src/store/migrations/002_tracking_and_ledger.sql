-- Bumped by every change to what the tracking path caches, so each process knows to reload.
ALTER TABLE network ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE network SET catalog_version = catalog_version + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER offers_catalog AFTER INSERT OR UPDATE OR DELETE ON offers FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER offer_channels_catalog AFTER INSERT OR UPDATE OR DELETE ON offer_channels FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER offer_urls_catalog AFTER INSERT OR UPDATE OR DELETE ON offer_urls FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER caps_catalog AFTER INSERT OR UPDATE OR DELETE ON caps FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER approvals_catalog AFTER INSERT OR UPDATE OR DELETE ON approvals FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER partners_catalog AFTER INSERT OR UPDATE OR DELETE ON partners FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER advertisers_catalog AFTER INSERT OR UPDATE OR DELETE ON advertisers FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER control_lists_catalog AFTER INSERT OR UPDATE OR DELETE ON control_lists FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER control_list_sub_ids_catalog AFTER INSERT OR UPDATE OR DELETE ON control_list_sub_ids FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER control_list_offers_catalog AFTER INSERT OR UPDATE OR DELETE ON control_list_offers FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER bid_factors_catalog AFTER INSERT OR UPDATE OR DELETE ON bid_factors FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

-- One row per click (and per refused or bot click, with its outcome). Written in batches; kept lean
-- on indexes because every click pays for each one.
CREATE TABLE clicks (
  transaction_id text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  offer_id integer,
  partner_id integer,
  -- 'counted', 'bot', or why the click was refused (see src/tracking/click-rules.ts).
  outcome text NOT NULL,
  is_unique boolean NOT NULL,
  source text,
  aff_sub1 text,
  aff_sub2 text,
  aff_sub3 text,
  aff_sub4 text,
  aff_sub5 text,
  aff_click_id text,
  -- aff_unique1..5, url_id, file_id and other passed values.
  params jsonb,
  sub_id text,
  ip text,
  user_agent text,
  country text,
  device text,
  browser text,
  os text,
  referrer text,
  landing_url text,
  cost_micros bigint NOT NULL DEFAULT 0,
  payout_micros bigint NOT NULL DEFAULT 0
);

CREATE TABLE impressions (
  created_at timestamptz NOT NULL,
  offer_id integer NOT NULL,
  partner_id integer NOT NULL,
  source text,
  aff_sub1 text,
  file_id integer,
  ip text,
  country text,
  device text
);

CREATE TABLE conversions (
  id bigserial PRIMARY KEY,
  -- Katalys {seq}: a stable GUID per conversion for partners' own de-duplication.
  seq uuid NOT NULL UNIQUE,
  transaction_id text,
  offer_id integer NOT NULL REFERENCES offers (id),
  goal_id integer REFERENCES goals (id),
  partner_id integer NOT NULL REFERENCES partners (id),
  advertiser_id integer NOT NULL REFERENCES advertisers (id),
  status text NOT NULL CHECK (status IN ('approved', 'pending', 'rejected')),
  status_code integer NOT NULL,
  reason text,
  currency char(3) NOT NULL,
  sale_amount_micros bigint NOT NULL DEFAULT 0,
  payout_micros bigint NOT NULL,
  revenue_micros bigint NOT NULL,
  payout_type text NOT NULL,
  revenue_type text NOT NULL,
  -- Which terms priced it: 'offer', 'goal', 'partner override'.
  payout_rule text NOT NULL,
  order_id text,
  adv_sub1 text,
  adv_sub2 text,
  adv_sub3 text,
  adv_sub4 text,
  adv_sub5 text,
  ip text,
  user_agent text,
  country text NOT NULL DEFAULT '',
  device text NOT NULL DEFAULT '',
  click_at timestamptz,
  converted_at timestamptz NOT NULL,
  hold_until timestamptz,
  is_adjustment boolean NOT NULL DEFAULT false,
  replaces_id bigint REFERENCES conversions (id),
  replaced_by_id bigint REFERENCES conversions (id),
  -- De-duplication, enforced here: one conversion per click and goal (unless the offer allows
  -- several), one per order and goal, and one per identical postback that names neither.
  dedupe_transaction_key text UNIQUE,
  dedupe_order_key text UNIQUE,
  dedupe_request_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversions_transaction ON conversions (transaction_id);
CREATE INDEX conversions_order ON conversions (offer_id, order_id);
CREATE INDEX conversions_partner_time ON conversions (partner_id, converted_at);
CREATE INDEX conversions_offer_time ON conversions (offer_id, converted_at);
CREATE INDEX conversions_on_hold ON conversions (hold_until) WHERE status = 'pending' AND hold_until IS NOT NULL;

-- The ledger: every change to a conversion, with who, when and why.
CREATE TABLE conversion_events (
  id bigserial PRIMARY KEY,
  conversion_id bigint NOT NULL REFERENCES conversions (id),
  type text NOT NULL CHECK (type IN ('created', 'approved', 'pending', 'rejected', 'reversed', 'adjusted', 'reattributed')),
  actor text NOT NULL,
  reason text,
  before jsonb,
  after jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversion_events_conversion ON conversion_events (conversion_id, id);

-- Every conversion request that did not make a conversion, with its status code and reason.
CREATE TABLE conversion_attempts (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  channel text NOT NULL,
  offer_id integer,
  transaction_id text,
  status_code integer NOT NULL,
  reason text NOT NULL,
  existing_conversion_id bigint,
  params jsonb
);

-- Statistics by UTC hour and the common dimensions, moved in the same transaction as their cause.
CREATE TABLE stats_hourly (
  hour timestamptz NOT NULL,
  offer_id integer NOT NULL,
  partner_id integer NOT NULL,
  goal_id integer NOT NULL DEFAULT 0,
  country text NOT NULL DEFAULT '',
  device text NOT NULL DEFAULT '',
  impressions bigint NOT NULL DEFAULT 0,
  gross_clicks bigint NOT NULL DEFAULT 0,
  unique_clicks bigint NOT NULL DEFAULT 0,
  click_cost_micros bigint NOT NULL DEFAULT 0,
  click_payout_micros bigint NOT NULL DEFAULT 0,
  approved bigint NOT NULL DEFAULT 0,
  pending bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  approved_payout_micros bigint NOT NULL DEFAULT 0,
  approved_revenue_micros bigint NOT NULL DEFAULT 0,
  approved_sale_micros bigint NOT NULL DEFAULT 0,
  pending_payout_micros bigint NOT NULL DEFAULT 0,
  pending_revenue_micros bigint NOT NULL DEFAULT 0,
  pending_sale_micros bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, offer_id, partner_id, goal_id, country, device)
);
CREATE INDEX stats_hourly_offer ON stats_hourly (offer_id, hour);
CREATE INDEX stats_hourly_partner ON stats_hourly (partner_id, hour);

-- Short tracking links: /t/{code} stands for /aff_c with these parameters.
CREATE TABLE short_links (
  code text PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer NOT NULL REFERENCES partners (id),
  params jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (offer_id, partner_id, params)
);

-- Where partners want to hear of their conversions: a URL called server to server, or an image pixel.
CREATE TABLE partner_postbacks (
  id serial PRIMARY KEY,
  partner_id integer NOT NULL REFERENCES partners (id),
  offer_id integer REFERENCES offers (id),
  goal_id integer REFERENCES goals (id),
  type text NOT NULL CHECK (type IN ('url', 'image')),
  events text[] NOT NULL DEFAULT '{create,update,reject}',
  url text NOT NULL,
  -- Signs deliveries with HMAC-SHA256 when set.
  secret text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'parked', 'deleted')),
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_postbacks_partner ON partner_postbacks (partner_id);

-- Deliveries owed, written in the transaction of the ledger event that causes them.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  postback_id integer NOT NULL REFERENCES partner_postbacks (id),
  conversion_id bigint NOT NULL REFERENCES conversions (id),
  operation text NOT NULL CHECK (operation IN ('create', 'update', 'reject')),
  url text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'parked')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_conversion ON outbox (conversion_id);

CREATE TABLE delivery_attempts (
  id bigserial PRIMARY KEY,
  outbox_id bigint NOT NULL REFERENCES outbox (id),
  attempted_at timestamptz NOT NULL DEFAULT now(),
  status_code integer,
  latency_ms integer NOT NULL,
  response_excerpt text,
  error text
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id);

-- Messages to an account's owner, such as a postback parked after repeated failure.
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  partner_id integer REFERENCES partners (id),
  advertiser_id integer REFERENCES advertisers (id),
  kind text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
