-- HasOffers (TUNE) networks the network syncs its ledger into, and which of its offers and partners
-- are which offers and affiliates there. The token is kept to call the network and never shown again.
CREATE TABLE hasoffers_networks (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  api_url text NOT NULL,
  network_id text NOT NULL,
  network_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hasoffers_networks_name ON hasoffers_networks (lower(name));

CREATE TABLE hasoffers_offer_links (
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  offer_id integer NOT NULL REFERENCES offers (id),
  external_offer_id bigint NOT NULL CHECK (external_offer_id > 0),
  PRIMARY KEY (hasoffers_network_id, offer_id),
  UNIQUE (hasoffers_network_id, external_offer_id)
);

CREATE TABLE hasoffers_partner_links (
  hasoffers_network_id integer NOT NULL REFERENCES hasoffers_networks (id) ON DELETE CASCADE,
  partner_id integer NOT NULL REFERENCES partners (id),
  external_affiliate_id bigint NOT NULL CHECK (external_affiliate_id > 0),
  PRIMARY KEY (hasoffers_network_id, partner_id),
  UNIQUE (hasoffers_network_id, external_affiliate_id)
);
