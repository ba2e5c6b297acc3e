-- An hourly roll-up by offer alone: the network's and an advertiser's day by hour read a few
-- thousand rows here where the hourly roll-up holds nearly one row per click.
CREATE TABLE stats_hourly_by_offer (LIKE stats_hourly INCLUDING DEFAULTS);
ALTER TABLE stats_hourly_by_offer DROP COLUMN partner_id, DROP COLUMN goal_id, DROP COLUMN country, DROP COLUMN device,
  ADD PRIMARY KEY (hour, offer_id);
CREATE INDEX stats_hourly_by_offer_offer ON stats_hourly_by_offer (offer_id, hour);

-- apply_stats_deltas moves this roll-up too: the function of migration 004 keeps moving the others,
-- then the same deltas, by whole UTC hour and offer, move this one, its rows locked in key order.
ALTER FUNCTION apply_stats_deltas RENAME TO apply_stats_deltas_to_partners;
DO $generate$
DECLARE
  figures text[] := ARRAY(SELECT column_name::text FROM information_schema.columns
                          WHERE table_schema = current_schema() AND table_name = 'stats_hourly_by_offer' AND data_type = 'bigint'
                          ORDER BY ordinal_position);
BEGIN
  EXECUTE format($create$
    CREATE FUNCTION apply_stats_deltas(p_at timestamptz[], p_offer_id int[], p_partner_id int[], p_goal_id int[],
      p_country text[], p_device text[], p_source text[], p_sub1 text[], %1$s)
    RETURNS void LANGUAGE plpgsql AS $body$
    BEGIN
      PERFORM apply_stats_deltas_to_partners(p_at, p_offer_id, p_partner_id, p_goal_id, p_country, p_device, p_source, p_sub1, %2$s);
      INSERT INTO stats_hourly_by_offer AS s (hour, offer_id, %3$s)
        SELECT date_bin('1 hour', d.at, timestamptz '2000-01-01 00:00:00+00'), d.offer_id, %4$s
        FROM unnest(p_at, p_offer_id, %2$s) AS d(at, offer_id, %3$s)
        GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (hour, offer_id) DO UPDATE SET %5$s;
    END
    $body$ $create$,
    (SELECT string_agg(format('p_%s int8[]', figure), ', ') FROM unnest(figures) figure),
    (SELECT string_agg(format('p_%s', figure), ', ') FROM unnest(figures) figure),
    array_to_string(figures, ', '),
    (SELECT string_agg(format('sum(d.%I)', figure), ', ') FROM unnest(figures) figure),
    (SELECT string_agg(format('%1$I = s.%1$I + EXCLUDED.%1$I', figure), ', ') FROM unnest(figures) figure));
  EXECUTE format('INSERT INTO stats_hourly_by_offer (hour, offer_id, %s) SELECT hour, offer_id, %s FROM stats_hourly GROUP BY hour, offer_id',
    array_to_string(figures, ', '), (SELECT string_agg(format('sum(%I)', figure), ', ') FROM unnest(figures) figure));
END
$generate$;

