import { STATS_METRICS } from '../src/stats/stats-deltas.ts';
import type { Store } from '../src/store/store.ts';

/**
 * A realistic network for the report benchmark, made inside the database so it is quick and the
 * same every time (setseed): one year, 500 offers, 5,000 partners, 10 million clicks and 200,000
 * conversions. Partner traffic is skewed as in real networks: partner n sends in proportion to
 * ln((n+1)/n), so the top partner sends about a tenth of all clicks; offers are skewed likewise.
 */
export interface ReportDataSize {
  offers: number;
  partners: number;
  clicks: number;
  conversions: number;
  days: number;
}

export const DEFAULT_SIZE: ReportDataSize = { offers: 500, partners: 5_000, clicks: 10_000_000, conversions: 200_000, days: 365 };

const CHUNK = 500_000;

export async function generateReportData(store: Store, size: ReportDataSize, log: (line: string) => void): Promise<{ topPartnerId: number }> {
  const started = performance.now();
  await store.transaction(async (tx) => {
    await tx.query('SELECT setseed(0.4242)');
    await tx.query(`INSERT INTO advertisers (name, business_url) SELECT 'Advertiser ' || g, 'https://adv' || g || '.example' FROM generate_series(1, 50) g`);
    await tx.query(
      `INSERT INTO offers (advertiser_id, name, destination_url, currency, payout_type, payout_flat_micros, revenue_type, revenue_flat_micros)
       SELECT (SELECT min(id) FROM advertisers) + (g % 50), 'Offer ' || g, 'https://adv.example/?t={transaction_id}', 'USD',
              'cpa_flat', 1000000 + (g % 20) * 250000, 'cpa_flat', 1500000 + (g % 20) * 400000
       FROM generate_series(1, $1) g`,
      [size.offers],
    );
    await tx.query(`INSERT INTO partners (name, status) SELECT 'Partner ' || g, 'active' FROM generate_series(1, $1) g`, [size.partners]);
  });
  const [bounds] = await store.query<{ offer0: number; partner0: number }>(
    `SELECT (SELECT min(id) FROM offers WHERE name = 'Offer 1') AS offer0, (SELECT min(id) FROM partners WHERE name = 'Partner 1') AS partner0`,
  );
  const { offer0, partner0 } = bounds!;
  for (let done = 0; done < size.clicks; done += CHUNK) {
    const count = Math.min(CHUNK, size.clicks - done);
    await store.transaction(async (tx) => {
      await tx.query('SELECT setseed($1)', [((done / CHUNK) % 1000) / 1000 + 0.0001]);
      // u -> floor(exp(u * ln(N + 1))) gives 1 with probability ln 2 / ln(N + 1): the ln((n+1)/n) skew.
      await tx.query(
        `INSERT INTO clicks (transaction_id, created_at, offer_id, partner_id, outcome, is_unique, source, aff_sub1, sub_id, country, device, browser, cost_micros, payout_micros)
         SELECT '10' || lpad(to_hex($1::int8 + g), 28, '0'),
                now() - random() * make_interval(days => $2),
                $3 + least($4 - 1, floor(exp(random() * ln($4 + 1)))::int - 1),
                p.partner_id,
                'counted', random() < 0.8, 's' || (p.partner_id % 5), 'sub-' || floor(random() * 40)::int,
                p.partner_id::text, (ARRAY['US','US','US','GB','CA','DE','FR','AU','IN','BR'])[1 + floor(random() * 10)::int],
                (ARRAY['mobile','mobile','desktop','tablet'])[1 + floor(random() * 4)::int], 'Chrome', 0, 0
         FROM generate_series(1, $5) g,
              LATERAL (SELECT $6 + least($7 - 1, floor(exp(random() * ln($7 + 1)))::int - 1) + (g - g) AS partner_id) p`,
        [done, size.days, offer0, size.offers, count, partner0, size.partners],
      );
    });
    log(`  clicks: ${(done + count).toLocaleString('en-US')} of ${size.clicks.toLocaleString('en-US')}`);
  }
  await store.transaction(async (tx) => {
    const every = Math.max(1, Math.floor(size.clicks / size.conversions));
    await tx.query(
      `INSERT INTO conversions (seq, transaction_id, offer_id, partner_id, advertiser_id, status, status_code, currency, sale_amount_micros,
         payout_micros, revenue_micros, payout_type, revenue_type, payout_rule, country, device, source, aff_sub1, click_at, converted_at, dedupe_transaction_key)
       SELECT gen_random_uuid(), k.transaction_id, k.offer_id, k.partner_id, o.advertiser_id,
              CASE WHEN n % 10 = 0 THEN 'rejected' WHEN n % 10 = 1 THEN 'pending' ELSE 'approved' END, 43, 'USD', 50000000,
              o.payout_flat_micros, o.revenue_flat_micros, 'cpa_flat', 'cpa_flat', 'offer', k.country, k.device, k.source, k.aff_sub1, k.created_at,
              least(now(), k.created_at + interval '2 hours'), k.transaction_id || ':0'
       FROM (SELECT transaction_id, offer_id, partner_id, country, device, source, aff_sub1, created_at, row_number() OVER () AS n FROM clicks
             WHERE ('x' || right(transaction_id, 8))::bit(32)::int % $1 = 0 LIMIT $2) k
       JOIN offers o ON o.id = k.offer_id`,
      [every, size.conversions],
    );
  });
  log('  conversions written; building the statistics');
  await store.transaction(async (tx) => {
    // The roll-ups of ten million rows are big aggregations: give them memory rather than temporary files.
    await tx.query(`SET LOCAL work_mem = '512MB'`);
    await tx.query(
      `INSERT INTO stats_hourly (hour, offer_id, partner_id, goal_id, country, device, ${STATS_METRICS.join(', ')})
       SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', offer_id, partner_id, goal_id, country, device,
              ${STATS_METRICS.map((metric) => `sum(${metric})`).join(', ')}
       FROM stats_facts GROUP BY 1, 2, 3, 4, 5, 6`,
    );
    await tx.query(
      `INSERT INTO stats_hourly_by_offer (hour, offer_id, ${STATS_METRICS.join(', ')})
       SELECT hour, offer_id, ${STATS_METRICS.map((metric) => `sum(${metric})`).join(', ')} FROM stats_hourly GROUP BY 1, 2`,
    );
    await tx.query('SELECT rebuild_daily_rollups()');
  });
  await store.query('ANALYZE');
  const [top] = await store.query<{ partnerId: number; share: string }>(
    `SELECT partner_id AS "partnerId", round(sum(gross_clicks) * 100.0 / (SELECT sum(gross_clicks) FROM stats_hourly), 1)::text AS share
     FROM stats_hourly GROUP BY partner_id ORDER BY sum(gross_clicks) DESC LIMIT 1`,
  );
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(0)} s; the top partner (${top!.partnerId}) sends ${top!.share} % of clicks`);
  return { topPartnerId: top!.partnerId };
}
