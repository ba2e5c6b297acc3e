-- Payout tiers (HasOffers' affiliate tiers and payout groups): the partners of a tier share custom
-- payouts on an offer or goal, which rank between the offer's or goal's own and a partner's own.
CREATE TABLE partner_tiers (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partner_tiers_name ON partner_tiers (lower(name));

ALTER TABLE partners ADD COLUMN tier_id integer REFERENCES partner_tiers (id);
CREATE INDEX partners_tier ON partners (tier_id) WHERE tier_id IS NOT NULL;

-- A custom payout is one partner's or one tier's; a tier's go with it.
ALTER TABLE payout_overrides
  ALTER COLUMN partner_id DROP NOT NULL,
  ADD COLUMN tier_id integer REFERENCES partner_tiers (id) ON DELETE CASCADE,
  ADD CONSTRAINT payout_overrides_whose CHECK ((partner_id IS NULL) <> (tier_id IS NULL));
DROP INDEX payout_overrides_one;
CREATE UNIQUE INDEX payout_overrides_one ON payout_overrides (offer_id, coalesce(partner_id, 0), coalesce(tier_id, 0), coalesce(goal_id, 0));

-- What each partner earns on an offer's default conversion (goal_id NULL) or on one goal instead
-- of its own terms: the partner's own payout, else its tier's. Conversion pricing, corrections,
-- the click path and what partners are shown all read it.
CREATE VIEW partner_payout_terms AS
SELECT DISTINCT ON (o.offer_id, coalesce(o.goal_id, 0), p.id)
       o.offer_id, o.goal_id, p.id AS partner_id, o.payout_type, o.payout_flat_micros, o.payout_percent_ppm,
       CASE WHEN o.partner_id IS NULL THEN 'partner tier' ELSE 'partner override' END AS rule
FROM payout_overrides o JOIN partners p ON p.id = o.partner_id OR p.tier_id = o.tier_id
ORDER BY o.offer_id, coalesce(o.goal_id, 0), p.id, o.partner_id IS NULL;
