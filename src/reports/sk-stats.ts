import type { Principal } from '../accounts/principal.ts';
import { getOffer, visibleOfferConditions } from '../offers/offers.ts';
import { statsScopeFor } from './report-access.ts';
import { runStats, type Dimension, type Metric, type StatsFilter } from './stats-engine.ts';
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

/** Local calendar days as a caller wrote them, either one left open: each a real date, `to` not before `from`. */
export function checkDays(from: string | undefined, to: string | undefined): void {
  for (const [field, day] of [['from', from], ['to', to]] as const) {
    if (day !== undefined && !isCalendarDate(day)) throw new ValidationError(field, 'must be a date written YYYY-MM-DD');
  }
  if (from !== undefined && to !== undefined && to < from) throw new ValidationError('to', 'must not be before from');
}

export function parseDayRange(from: string, to: string): DayRange {
  checkDays(from, to);
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
  /** What the advertiser was charged: CPC and CPM spend plus approved conversion revenue. */
  spendMicros: bigint;
  /** The value of the approved conversions' sales. */
  saleMicros: bigint;
}

/** Figures per offer over the range, from the stats engine; every visible offer has a row, zeros included. */
export async function statsByOffer(
  db: Queryable,
  principal: Principal,
  range: DayRange,
  filter: { advertiserId?: number; page: number; perPage: number },
): Promise<Page<OfferStats>> {
  const params = new SqlParams();
  const where = await visibleOfferConditions(db, principal, filter.advertiserId, params);
  const { limit, offset } = pageWindow(filter.page, filter.perPage);
  const offers = await db.query<{ offerId: number; offerName: string; advertiserId: number; advertiserName: string }>(
    `SELECT o.id AS "offerId", o.name AS "offerName", a.id AS "advertiserId", a.name AS "advertiserName"
     FROM offers o JOIN advertisers a ON a.id = o.advertiser_id
     WHERE ${where} ORDER BY o.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  const page = toPage(offers, filter.page, filter.perPage);
  const figures = await engineFigures(db, principal, range, ['offer_id'], ['impressions', 'clicks', 'conversions', 'revenue', 'sale_amount'], [
    { field: 'offer_id', op: 'eq', values: page.items.map((offer) => String(offer.offerId)) },
  ]);
  return {
    ...page,
    items: page.items.map((offer) => {
      const row = figures.get(String(offer.offerId));
      return {
        ...offer,
        impressions: (row?.impressions as bigint | undefined) ?? 0n,
        clicks: (row?.clicks as bigint | undefined) ?? 0n,
        conversions: (row?.conversions as bigint | undefined) ?? 0n,
        spendMicros: (row?.revenue as bigint | undefined) ?? 0n,
        saleMicros: (row?.sale_amount as bigint | undefined) ?? 0n,
      };
    }),
  };
}

/** The engine's rows keyed by the first dimension, for the caller's scope. */
async function engineFigures(db: Queryable, principal: Principal, range: DayRange, dimensions: Dimension[], metrics: Metric[], filters: StatsFilter[]) {
  if (filters.some((filter) => filter.op === 'eq' && filter.values.length === 0)) return new Map<string, Record<string, unknown>>();
  const { timeZone } = await getNetwork(db);
  const result = await runStats(db, {
    dimensions,
    metrics,
    from: range.from,
    to: range.to,
    timeZone,
    hourOffset: 0,
    filters,
    sort: [],
    page: 1,
    totals: false,
    scope: await statsScopeFor(db, principal),
  });
  return new Map(result.rows.map((row) => [String(row[dimensions[0]!]), row as Record<string, unknown>]));
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

/** Figures per sub-ID of one offer: clicks, spend and conversions from the engine; win rate from all the clicks sent. */
export async function statsBySubId(
  db: Queryable,
  principal: Principal,
  offerId: number,
  range: DayRange,
  filter: { subId?: string; channelId?: number; page: number; perPage: number },
): Promise<Page<SubIdStats>> {
  await getOffer(db, principal, offerId);
  const filters: StatsFilter[] = [{ field: 'offer_id', op: 'eq', values: [String(offerId)] }];
  if (filter.subId !== undefined) filters.push({ field: 'sub_id', op: 'eq', values: [filter.subId] });
  if (filter.channelId !== undefined) {
    const partners = await db.query<{ id: number }>(
      `SELECT id FROM partners WHERE channel_id = $1 UNION SELECT partner_id FROM traffic_sources WHERE channel_id = $1`,
      [filter.channelId],
    );
    filters.push({ field: 'partner_id', op: 'eq', values: partners.map((partner) => String(partner.id)) });
  }
  const figures = await engineFigures(db, principal, range, ['sub_id'], ['clicks', 'conversions', 'revenue'], filters);
  const subIds = [...figures.keys()].filter((subId) => subId !== 'null').sort();
  const { items, ...paging } = toPage(subIds.slice((filter.page - 1) * filter.perPage, filter.page * filter.perPage + 1), filter.page, filter.perPage);
  const { from, to } = await rangeInstants(db, range);
  const offered = new Map(
    (
      await db.query<{ subId: string; offered: bigint; factorE4: number | null }>(
        `SELECT k.sub_id AS "subId", count(*)::int8 AS offered,
                coalesce((SELECT (factor * 10000)::int FROM bid_factors b WHERE b.offer_id = $1 AND b.sub_id = k.sub_id),
                         (SELECT (factor * 10000)::int FROM bid_factors b WHERE b.offer_id = $1 AND b.sub_id = split_part(k.sub_id, '_', 1))) AS "factorE4"
         FROM clicks k WHERE k.offer_id = $1 AND k.sub_id = ANY($2::text[]) AND k.created_at >= $3 AND k.created_at < $4 AND k.outcome <> 'bot'
         GROUP BY k.sub_id`,
        [offerId, items, from, to],
      )
    ).map((row) => [row.subId, row]),
  );
  return {
    items: items.map((subId) => {
      const row = figures.get(subId)!;
      return {
        subId,
        clicks: row.clicks as bigint,
        conversions: row.conversions as bigint,
        spendMicros: row.revenue as bigint,
        offered: offered.get(subId)?.offered ?? (row.clicks as bigint),
        bidFactorE4: offered.get(subId)?.factorE4 ?? 10_000,
      };
    }),
    ...paging,
  };
}

/** The instants a range of local days covers in the network's zone. */
async function rangeInstants(db: Queryable, range: DayRange): Promise<{ from: Date; to: Date }> {
  const { timeZone } = await getNetwork(db);
  return { from: startOfLocalDay(range.from, timeZone), to: startOfLocalDay(nextDay(range.to), timeZone) };
}
