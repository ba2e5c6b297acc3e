import type { Principal } from '../accounts/principal.ts';
import { getOffer, visibleOfferConditions } from '../offers/offers.ts';
import { ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { SqlParams } from '../shared/sql.ts';
import { getNetwork } from '../network/network.ts';
import { isCalendarDate, nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';

/** A report range: local calendar days in the network's zone, both inclusive. */
export interface DayRange {
  from: string;
  to: string;
}

const MAX_RANGE_DAYS = 731;

export function parseDayRange(from: string, to: string): DayRange {
  if (!isCalendarDate(from)) throw new ValidationError('from', 'must be a date written YYYY-MM-DD');
  if (!isCalendarDate(to)) throw new ValidationError('to', 'must be a date written YYYY-MM-DD');
  if (to < from) throw new ValidationError('to', 'must not be before from');
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) throw new ValidationError('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
  return { from, to };
}

export interface OfferStats {
  offerId: number;
  offerName: string;
  advertiserId: number;
  advertiserName: string;
  impressions: bigint;
  clicks: bigint;
  conversions: bigint;
  /** What the advertiser was charged: CPC spend plus approved conversion revenue. */
  spendMicros: bigint;
  /** The value of the approved conversions' sales. */
  saleMicros: bigint;
}

/** The instants a range of local days covers in the network's zone. */
async function rangeInstants(db: Queryable, range: DayRange): Promise<{ from: Date; to: Date }> {
  const { timeZone } = await getNetwork(db);
  return { from: startOfLocalDay(range.from, timeZone), to: startOfLocalDay(nextDay(range.to), timeZone) };
}

/** Figures per offer over the range, from the hourly statistics; every visible offer has a row. */
export async function statsByOffer(
  db: Queryable,
  principal: Principal,
  range: DayRange,
  filter: { advertiserId?: number; page: number; perPage: number },
): Promise<Page<OfferStats>> {
  const params = new SqlParams();
  const where = await visibleOfferConditions(db, principal, filter.advertiserId, params);
  const { from, to } = await rangeInstants(db, range);
  const { limit, offset } = pageWindow(filter.page, filter.perPage);
  const rows = await db.query<OfferStats>(
    `SELECT o.id AS "offerId", o.name AS "offerName", a.id AS "advertiserId", a.name AS "advertiserName",
            coalesce(s.impressions, 0)::int8 AS impressions, coalesce(s.clicks, 0)::int8 AS clicks,
            coalesce(s.conversions, 0)::int8 AS conversions, coalesce(s.spend, 0)::int8 AS "spendMicros",
            coalesce(s.sale, 0)::int8 AS "saleMicros"
     FROM offers o JOIN advertisers a ON a.id = o.advertiser_id
     LEFT JOIN (SELECT offer_id, sum(impressions) AS impressions, sum(gross_clicks) AS clicks, sum(approved) AS conversions,
                       sum(click_cost_micros + approved_revenue_micros) AS spend, sum(approved_sale_micros) AS sale
                FROM stats_hourly WHERE hour >= ${params.add(from)} AND hour < ${params.add(to)} GROUP BY offer_id) s ON s.offer_id = o.id
     WHERE ${where} ORDER BY o.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  return toPage(rows, filter.page, filter.perPage);
}

export interface SubIdStats {
  subId: string;
  /** Clicks bought. */
  clicks: bigint;
  /** Clicks the sub-ID sent, bought or not: the base of its win rate. */
  offered: bigint;
  conversions: bigint;
  spendMicros: bigint;
  bidFactorE4: number;
}

/** Figures per sub-ID of one offer, from its clicks and their conversions. */
export async function statsBySubId(
  db: Queryable,
  principal: Principal,
  offerId: number,
  range: DayRange,
  filter: { subId?: string; channelId?: number; page: number; perPage: number },
): Promise<Page<SubIdStats>> {
  await getOffer(db, principal, offerId);
  const { from, to } = await rangeInstants(db, range);
  const { limit, offset } = pageWindow(filter.page, filter.perPage);
  const rows = await db.query<SubIdStats>(
    `SELECT k.sub_id AS "subId", count(*) FILTER (WHERE k.outcome = 'counted')::int8 AS clicks, count(*)::int8 AS offered,
            coalesce(sum(k.cost_micros), 0)::int8 AS "spendMicros",
            (SELECT count(*) FROM conversions c JOIN clicks ck ON ck.transaction_id = c.transaction_id
              WHERE c.offer_id = $1 AND ck.sub_id = k.sub_id AND c.status = 'approved'
                AND c.converted_at >= $2 AND c.converted_at < $3)::int8 AS conversions,
            coalesce((SELECT (factor * 10000)::int FROM bid_factors b WHERE b.offer_id = $1 AND b.sub_id = k.sub_id), 10000) AS "bidFactorE4"
     FROM clicks k
     WHERE k.offer_id = $1 AND k.created_at >= $2 AND k.created_at < $3 AND k.sub_id IS NOT NULL AND k.outcome <> 'bot'
       AND ($4::text IS NULL OR k.sub_id = $4)
       AND ($5::int IS NULL OR k.partner_id IN (SELECT id FROM partners WHERE channel_id = $5
                                                UNION SELECT partner_id FROM traffic_sources WHERE channel_id = $5))
     GROUP BY k.sub_id ORDER BY k.sub_id LIMIT $6 OFFSET $7`,
    [offerId, from, to, filter.subId ?? null, filter.channelId ?? null, limit, offset],
  );
  return toPage(rows, filter.page, filter.perPage);
}
