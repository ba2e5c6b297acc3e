-- An impression of a CPM offer costs the advertiser and earns the partner the offer's rate per
-- thousand. The statistics keep that money with the clicks' own, in click_cost_micros and
-- click_payout_micros, which hold what counted traffic costs and pays: reports, budgets and caps
-- already read it there.
ALTER TABLE impressions ADD COLUMN cost_micros bigint NOT NULL DEFAULT 0, ADD COLUMN payout_micros bigint NOT NULL DEFAULT 0;

-- The facts the roll-ups are rebuilt from carry the impressions' money too; the rest is as before.
CREATE OR REPLACE VIEW stats_facts AS
  SELECT k.created_at AS at, k.offer_id, k.partner_id, 0 AS goal_id, coalesce(k.country, '') AS country, coalesce(k.device, '') AS device,
         coalesce(k.source, '') AS source, coalesce(k.aff_sub1, '') AS sub1, k.aff_sub2 AS sub2, k.aff_sub3 AS sub3, k.aff_sub4 AS sub4,
         k.aff_sub5 AS sub5, k.browser, k.sub_id,
         0::int8 AS impressions, 1::int8 AS gross_clicks, k.is_unique::int::int8 AS unique_clicks, k.cost_micros AS click_cost_micros,
         k.payout_micros AS click_payout_micros, 0::int8 AS approved, 0::int8 AS pending, 0::int8 AS rejected,
         0::int8 AS approved_payout_micros, 0::int8 AS approved_revenue_micros, 0::int8 AS approved_sale_micros,
         0::int8 AS pending_payout_micros, 0::int8 AS pending_revenue_micros, 0::int8 AS pending_sale_micros
  FROM clicks k WHERE k.outcome = 'counted'
  UNION ALL
  SELECT i.created_at, i.offer_id, i.partner_id, 0, coalesce(i.country, ''), coalesce(i.device, ''), coalesce(i.source, ''),
         coalesce(i.aff_sub1, ''), NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0, i.cost_micros, i.payout_micros, 0, 0, 0, 0, 0, 0, 0, 0, 0
  FROM impressions i
  UNION ALL
  SELECT c.converted_at, c.offer_id, c.partner_id, coalesce(c.goal_id, 0), c.country, c.device, coalesce(c.source, ''),
         coalesce(c.aff_sub1, ''), k.aff_sub2, k.aff_sub3, k.aff_sub4, k.aff_sub5, k.browser, k.sub_id, 0, 0, 0, 0, 0,
         (c.status = 'approved')::int::int8, (c.status = 'pending')::int::int8, (c.status = 'rejected')::int::int8,
         CASE WHEN c.status = 'approved' THEN c.payout_micros ELSE 0 END, CASE WHEN c.status = 'approved' THEN c.revenue_micros ELSE 0 END,
         CASE WHEN c.status = 'approved' THEN c.sale_amount_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.payout_micros ELSE 0 END,
         CASE WHEN c.status = 'pending' THEN c.revenue_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.sale_amount_micros ELSE 0 END
  FROM conversions c LEFT JOIN clicks k ON k.transaction_id = c.transaction_id;
