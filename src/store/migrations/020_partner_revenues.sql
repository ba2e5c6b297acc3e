-- What the advertiser pays for one partner's traffic, or for the traffic of one tier's partners, on
-- an offer (or one of its goals) instead of the offer's or goal's own revenue: HasOffers' custom
-- affiliate and tier revenue. Shaped as payout_overrides is, on the other side of a conversion.
CREATE TABLE revenue_overrides (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  partner_id integer REFERENCES partners (id),
  tier_id integer REFERENCES partner_tiers (id) ON DELETE CASCADE,
  goal_id integer REFERENCES goals (id),
  revenue_type text NOT NULL CHECK (revenue_type IN ('cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both')),
  revenue_flat_micros bigint NOT NULL DEFAULT 0 CHECK (revenue_flat_micros >= 0),
  revenue_percent_ppm integer NOT NULL DEFAULT 0 CHECK (revenue_percent_ppm BETWEEN 0 AND 1000000),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT revenue_overrides_whose CHECK ((partner_id IS NULL) <> (tier_id IS NULL))
);
CREATE UNIQUE INDEX revenue_overrides_one ON revenue_overrides (offer_id, coalesce(partner_id, 0), coalesce(tier_id, 0), coalesce(goal_id, 0));

-- A partner's CPC or CPM revenue is what its clicks and impressions cost on the click path.
CREATE TRIGGER revenue_overrides_catalog AFTER INSERT OR UPDATE OR DELETE ON revenue_overrides FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

-- What each partner's traffic is charged on an offer's default conversion (goal_id NULL) or on one
-- goal: the partner's own revenue, else its tier's, as partner_payout_terms resolves payouts.
CREATE VIEW partner_revenue_terms AS
SELECT DISTINCT ON (o.offer_id, coalesce(o.goal_id, 0), p.id)
       o.offer_id, o.goal_id, p.id AS partner_id, o.revenue_type, o.revenue_flat_micros, o.revenue_percent_ppm,
       CASE WHEN o.partner_id IS NULL THEN 'partner tier' ELSE 'partner override' END AS rule
FROM revenue_overrides o JOIN partners p ON p.id = o.partner_id OR p.tier_id = o.tier_id
ORDER BY o.offer_id, coalesce(o.goal_id, 0), p.id, o.partner_id IS NULL;
