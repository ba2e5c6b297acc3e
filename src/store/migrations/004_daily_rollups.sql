-- A conversion keeps its click's source and first sub-ID, as it keeps its country and device, so the
-- statistics can move by them without reading the click.
ALTER TABLE conversions ADD COLUMN source text, ADD COLUMN aff_sub1 text;
UPDATE conversions c SET source = k.source, aff_sub1 = k.aff_sub1 FROM clicks k WHERE k.transaction_id = c.transaction_id;

-- Every fact the statistics count, one row per click, impression and conversion, with its exact
-- instant: what the roll-ups are rebuilt from and what reports read for dimensions not rolled up.
CREATE VIEW stats_facts AS
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
         coalesce(i.aff_sub1, ''), NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  FROM impressions i
  UNION ALL
  SELECT c.converted_at, c.offer_id, c.partner_id, coalesce(c.goal_id, 0), c.country, c.device, coalesce(c.source, ''),
         coalesce(c.aff_sub1, ''), k.aff_sub2, k.aff_sub3, k.aff_sub4, k.aff_sub5, k.browser, k.sub_id, 0, 0, 0, 0, 0,
         (c.status = 'approved')::int::int8, (c.status = 'pending')::int::int8, (c.status = 'rejected')::int::int8,
         CASE WHEN c.status = 'approved' THEN c.payout_micros ELSE 0 END, CASE WHEN c.status = 'approved' THEN c.revenue_micros ELSE 0 END,
         CASE WHEN c.status = 'approved' THEN c.sale_amount_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.payout_micros ELSE 0 END,
         CASE WHEN c.status = 'pending' THEN c.revenue_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.sale_amount_micros ELSE 0 END
  FROM conversions c LEFT JOIN clicks k ON k.transaction_id = c.transaction_id;

-- Daily roll-ups by local day in the network's time zone, one per common report shape, so those
-- reports read a few thousand rows where the hourly roll-up holds nearly one row per click. Each
-- keeps the hourly roll-up's figures.
CREATE TABLE stats_daily_offer_partner (LIKE stats_hourly INCLUDING DEFAULTS);
ALTER TABLE stats_daily_offer_partner DROP COLUMN hour, DROP COLUMN goal_id, DROP COLUMN country, DROP COLUMN device,
  ADD COLUMN day date NOT NULL, ADD PRIMARY KEY (day, offer_id, partner_id);
CREATE INDEX stats_daily_offer_partner_partner ON stats_daily_offer_partner (partner_id, day);
CREATE INDEX stats_daily_offer_partner_offer ON stats_daily_offer_partner (offer_id, day);

CREATE TABLE stats_daily_geo (LIKE stats_hourly INCLUDING DEFAULTS);
ALTER TABLE stats_daily_geo DROP COLUMN hour, DROP COLUMN offer_id, DROP COLUMN partner_id, DROP COLUMN goal_id,
  ADD COLUMN day date NOT NULL, ADD PRIMARY KEY (day, country, device);

CREATE TABLE stats_daily_partner_sub (LIKE stats_hourly INCLUDING DEFAULTS);
ALTER TABLE stats_daily_partner_sub DROP COLUMN hour, DROP COLUMN offer_id, DROP COLUMN goal_id, DROP COLUMN country, DROP COLUMN device,
  ADD COLUMN day date NOT NULL, ADD COLUMN source text NOT NULL, ADD COLUMN sub1 text NOT NULL, ADD PRIMARY KEY (partner_id, day, source, sub1);

-- How many offer x partner cells each day holds: the row count of a report at that grain, which
-- paging needs and counting the cells themselves would make slow.
CREATE TABLE stats_daily_cells (
  day date PRIMARY KEY,
  offer_partner bigint NOT NULL DEFAULT 0
);

-- Two functions over the roll-ups, generated here from the hourly roll-up's bigint columns (the
-- figures), so a new figure needs no change to them and their statements keep their plans:
-- - apply_stats_deltas moves every roll-up by a batch of changes: the hourly one, the daily ones by
--   local day in the network's zone, and the day's count of offer x partner cells (a row inserted
--   has xmax = 0). Each roll-up's rows are locked in key order, so concurrent writers never
--   deadlock on shared cells.
-- - rebuild_daily_rollups refills the daily roll-ups from the facts, by local day in the network's
--   current zone, with the same statements reading the facts instead of a batch.
DO $generate$
DECLARE
  figures text[] := ARRAY(SELECT column_name::text FROM information_schema.columns
                          WHERE table_schema = current_schema() AND table_name = 'stats_hourly' AND data_type = 'bigint'
                          ORDER BY ordinal_position);
  figure_list text := array_to_string(figures, ', ');
  sums text := (SELECT string_agg(format('sum(%I)', figure), ', ') FROM unnest(figures) figure);
  named_sums text := (SELECT string_agg(format('sum(%1$I) AS %1$I', figure), ', ') FROM unnest(figures) figure);
  additions text := (SELECT string_agg(format('%1$I = s.%1$I + EXCLUDED.%1$I', figure), ', ') FROM unnest(figures) figure);
  parameters text := (SELECT string_agg(format('p_%s int8[]', figure), ', ') FROM unnest(figures) figure);
  -- Hours are whole UTC hours whatever the session's zone.
  deltas text := format(
    '(SELECT d.*, date_bin(''1 hour'', d.at, timestamptz ''2000-01-01 00:00:00+00'') AS hour, (d.at AT TIME ZONE v_zone)::date AS day
      FROM unnest(p_at, p_offer_id, p_partner_id, p_goal_id, p_country, p_device, p_source, p_sub1, %s)
        AS d(at, offer_id, partner_id, goal_id, country, device, source, sub1, %s)) d',
    (SELECT string_agg(format('p_%s', figure), ', ') FROM unnest(figures) figure), figure_list);
  upsert text := 'INSERT INTO %1$I AS s (%2$s, %3$s) SELECT %2$s, %4$s FROM %5$s GROUP BY %2$s ORDER BY %2$s
                  ON CONFLICT (%2$s) DO UPDATE SET %6$s';
  -- The statements that move the daily roll-ups, each by its key, from a source of facts named later.
  daily_rollups text := format($daily$
      WITH cells AS (%1$s RETURNING day, xmax = 0 AS added)
      INSERT INTO stats_daily_cells AS s (day, offer_partner) SELECT day, count(*) FROM cells WHERE added GROUP BY day ORDER BY day
      ON CONFLICT (day) DO UPDATE SET offer_partner = s.offer_partner + EXCLUDED.offer_partner;
      %2$s;
      %3$s;
    $daily$,
    format(upsert, 'stats_daily_offer_partner', 'day, offer_id, partner_id', figure_list, sums, ':facts', additions),
    format(upsert, 'stats_daily_geo', 'day, country, device', figure_list, sums, ':facts', additions),
    format(upsert, 'stats_daily_partner_sub', 'partner_id, day, source, sub1', figure_list, sums, ':facts', additions));
BEGIN
  EXECUTE format($create$
    CREATE FUNCTION apply_stats_deltas(p_at timestamptz[], p_offer_id int[], p_partner_id int[], p_goal_id int[],
      p_country text[], p_device text[], p_source text[], p_sub1 text[], %1$s)
    RETURNS void LANGUAGE plpgsql AS $body$
    DECLARE
      v_zone text := (SELECT time_zone FROM network);
    BEGIN
      %2$s;
      %3$s
    END
    $body$ $create$,
    parameters,
    format(upsert, 'stats_hourly', 'hour, offer_id, partner_id, goal_id, country, device', figure_list, sums, deltas, additions),
    replace(daily_rollups, ':facts', deltas));
  EXECUTE format($create$
    CREATE FUNCTION rebuild_daily_rollups() RETURNS void LANGUAGE plpgsql AS $body$
    DECLARE
      v_zone text := (SELECT time_zone FROM network);
    BEGIN
      LOCK TABLE stats_daily_offer_partner, stats_daily_geo, stats_daily_partner_sub, stats_daily_cells IN EXCLUSIVE MODE;
      TRUNCATE stats_daily_offer_partner, stats_daily_geo, stats_daily_partner_sub, stats_daily_cells;
      CREATE TEMP TABLE daily_facts AS
        SELECT (at AT TIME ZONE v_zone)::date AS day, offer_id, partner_id, country, device, source, sub1, %1$s
        FROM stats_facts GROUP BY 1, 2, 3, 4, 5, 6, 7;
      %2$s
      DROP TABLE daily_facts;
    END
    $body$ $create$,
    named_sums,
    replace(daily_rollups, ':facts', 'daily_facts'));
END
$generate$;

-- Local days move when the zone does: the daily roll-ups follow in the same transaction.
CREATE FUNCTION network_time_zone_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rebuild_daily_rollups();
  RETURN NULL;
END
$$;
CREATE TRIGGER network_time_zone_rollups AFTER UPDATE OF time_zone ON network
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION network_time_zone_moved();

SELECT rebuild_daily_rollups();
