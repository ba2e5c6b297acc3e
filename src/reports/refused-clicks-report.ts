import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { SqlParams } from '../shared/sql.ts';
import { nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';
import type { DayRange } from './sk-stats.ts';
import type { StatsScope } from './stats-engine.ts';

/** A type, not an interface, so a row passes for a record of the CSV's columns. */
export type RefusedClicksRow = {
  /** The local day in the network's time zone. */
  date: string;
  offerId: number;
  partnerId: number;
  /** 'bot', or why the click was refused (see src/tracking/click-rules.ts). */
  outcome: string;
  /** The sub-ID the click was judged by; '' where it had none. */
  subId: string;
  clicks: number;
};

export interface RefusedClicksQuery extends DayRange {
  timeZone: string;
  offerId?: number;
  partnerId?: number;
  outcome?: string;
  subId?: string;
  page: number;
  limit: number;
}

/**
 * Clicks sent on without being counted, by local day, offer, partner, outcome and sub-ID, from their
 * quarter-hour counts: a partner sees those naming it, an advertiser those on its offers, the
 * network all.
 */
export async function refusedClicksByDay(db: Queryable, scope: StatsScope, query: RefusedClicksQuery): Promise<Page<RefusedClicksRow>> {
  const sql = new SqlParams();
  const zone = sql.add(query.timeZone);
  const where = [
    `r.quarter >= ${sql.add(startOfLocalDay(query.from, query.timeZone).toISOString())}`,
    `r.quarter < ${sql.add(startOfLocalDay(nextDay(query.to), query.timeZone).toISOString())}`,
  ];
  if (scope.partnerId !== undefined) where.push(`r.partner_id = ${sql.add(scope.partnerId)}`);
  if (scope.advertiserIds) where.push(`r.offer_id IN (SELECT id FROM offers WHERE advertiser_id = ANY(${sql.add(scope.advertiserIds)}::int[]))`);
  if (query.offerId !== undefined) where.push(`r.offer_id = ${sql.add(query.offerId)}`);
  if (query.partnerId !== undefined) where.push(`r.partner_id = ${sql.add(query.partnerId)}`);
  if (query.outcome !== undefined) where.push(`r.outcome = ${sql.add(query.outcome)}`);
  if (query.subId !== undefined) where.push(`r.sub_id = ${sql.add(query.subId)}`);
  const { limit, offset } = pageWindow(query.page, query.limit);
  const rows = await db.query<RefusedClicksRow>(
    `SELECT to_char(r.quarter AT TIME ZONE ${zone}, 'YYYY-MM-DD') AS date, r.offer_id AS "offerId", r.partner_id AS "partnerId",
            r.outcome, r.sub_id AS "subId", sum(r.clicks)::int8 AS clicks
     FROM refused_clicks r WHERE ${where.join(' AND ')}
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 LIMIT ${sql.add(limit)} OFFSET ${sql.add(offset)}`,
    sql.values,
  );
  return toPage(
    rows.map((row) => ({ ...row, clicks: Number(row.clicks) })),
    query.page,
    query.limit,
  );
}
