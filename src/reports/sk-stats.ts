import type { Principal } from '../accounts/principal.ts';
import { getOffer, visibleOfferConditions } from '../offers/offers.ts';
import { ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { SqlParams } from '../shared/sql.ts';
import { isCalendarDate } from '../shared/time-zones.ts';
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
  /** What the advertiser was charged: CPC spend plus conversion revenue. */
  spendMicros: bigint;
  /** What the traffic earned its partners. */
  payoutMicros: bigint;
}

/**
 * Figures per offer over the range. Tracking is not recorded yet, so every figure is zero; the
 * rows and their scoping are already those the report will have.
 */
export async function statsByOffer(
  db: Queryable,
  principal: Principal,
  _range: DayRange,
  filter: { advertiserId?: number; page: number; perPage: number },
): Promise<Page<OfferStats>> {
  const params = new SqlParams();
  const where = await visibleOfferConditions(db, principal, filter.advertiserId, params);
  const { limit, offset } = pageWindow(filter.page, filter.perPage);
  const rows = await db.query<OfferStats>(
    `SELECT o.id AS "offerId", o.name AS "offerName", a.id AS "advertiserId", a.name AS "advertiserName",
            0::int8 AS impressions, 0::int8 AS clicks, 0::int8 AS conversions,
            0::int8 AS "spendMicros", 0::int8 AS "payoutMicros"
     FROM offers o JOIN advertisers a ON a.id = o.advertiser_id
     WHERE ${where} ORDER BY o.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  return toPage(rows, filter.page, filter.perPage);
}

export interface SubIdStats {
  subId: string;
  clicks: bigint;
  conversions: bigint;
  spendMicros: bigint;
  bidFactorE4: number;
}

/** Figures per sub-ID of one offer. No traffic is recorded yet, so no sub-ID has any. */
export async function statsBySubId(
  db: Queryable,
  principal: Principal,
  offerId: number,
  _range: DayRange,
  filter: { subId?: string; channelId?: number; page: number; perPage: number },
): Promise<Page<SubIdStats>> {
  await getOffer(db, principal, offerId);
  return toPage([], filter.page, filter.perPage);
}
