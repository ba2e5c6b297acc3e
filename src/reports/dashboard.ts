import type { Principal } from '../accounts/principal.ts';
import { visibleAdvertisers } from '../accounts/scope.ts';
import { addDays, localDay } from '../shared/time-zones.ts';
import { SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { statsScopeFor } from './report-access.ts';
import { runStats, type Metric, type StatsScope } from './stats-engine.ts';

/** The key figures of an account's dashboard, from the stats engine and scoped like every report. */

export const DASHBOARD_PERIODS = ['today', 'yesterday', 'thisMonth', 'lastMonth'] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** The local days each period spans, given today's local date. */
export function periodDays(today: string): Record<DashboardPeriod, { from: string; to: string }> {
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthEnd = addDays(monthStart, -1);
  return {
    today: { from: today, to: today },
    yesterday: { from: addDays(today, -1), to: addDays(today, -1) },
    thisMonth: { from: monthStart, to: today },
    lastMonth: { from: `${lastMonthEnd.slice(0, 8)}01`, to: lastMonthEnd },
  };
}

/** What each role's dashboard counts: a partner what it earns, an advertiser what it pays, the network both. */
export function dashboardMetrics(role: Principal['role']): Metric[] {
  const counts: Metric[] = ['clicks', 'conversions', 'pending_conversions'];
  if (role === 'partner') return [...counts, 'payout', 'pending_payout', 'epc'];
  if (role === 'network_admin') return [...counts, 'revenue', 'payout', 'profit', 'pending_payout'];
  return [...counts, 'revenue', 'pending_revenue'];
}

export interface Dashboard {
  timeZone: string;
  today: string;
  metrics: Metric[];
  /** One row per period, or one per currency where the caller's offers use several. */
  periods: Record<DashboardPeriod, Array<Record<string, unknown>>>;
  series: Array<Record<string, unknown>>;
  /** The network's top offers are today's; an account's, this month's. */
  topOffersPeriod: 'today' | 'thisMonth';
  topOffers: Array<Record<string, unknown>>;
  attention: Record<string, number>;
}

async function figures(db: Queryable, scope: StatsScope, timeZone: string, metrics: Metric[], from: string, to: string) {
  const result = await runStats(db, {
    dimensions: [],
    metrics,
    from,
    to,
    timeZone,
    hourOffset: 0,
    filters: [],
    sort: [],
    page: 1,
    totals: false,
    scope,
  });
  return result.rows.length > 0 ? result.rows : [Object.fromEntries(metrics.map((metric) => [metric, 0]))];
}

/** Beyond this many, a count of what waits says only "more": the dashboard need not count a backlog whole. */
export const ATTENTION_COUNT_LIMIT = 1000;

/** A change to a conversion that has waited this long to go out to a HasOffers network means the sync is behind. */
const SYNC_BEHIND_MINUTES = 10;

/** Counts of what waits on the caller (up to the limit and one more): for the network, everything; for an account, its own. */
async function attention(db: Queryable, principal: Principal): Promise<Record<string, number>> {
  const params = new SqlParams();
  const count = async (name: string, sql: string) =>
    [name, Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${sql} LIMIT ${ATTENTION_COUNT_LIMIT + 1}) waiting`, params.values))[0]!.n)] as const;
  if (principal.role === 'partner') {
    params.add(principal.partnerId);
    return Object.fromEntries([
      await count('pendingApplications', `approvals WHERE partner_id = $1 AND status = 'pending'`),
      await count('parkedPostbacks', `outbox o JOIN partner_postbacks p ON p.id = o.postback_id WHERE p.partner_id = $1 AND o.status = 'parked'`),
    ]);
  }
  const advertisers = visibleAdvertisers(principal, 'a', params);
  const entries = [
    await count('conversionsToReview', `conversions c JOIN offers o ON o.id = c.offer_id JOIN advertisers a ON a.id = o.advertiser_id
      WHERE c.status = 'pending' AND c.replaced_by_id IS NULL AND ${advertisers}`),
    await count('offerApplications', `approvals ap JOIN offers o ON o.id = ap.offer_id JOIN advertisers a ON a.id = o.advertiser_id
      WHERE ap.status = 'pending' AND ${advertisers}`),
    await count('limitAlerts', `notifications n JOIN advertisers a ON a.id = n.advertiser_id
      WHERE n.kind LIKE '%cap%' AND n.created_at > now() - interval '1 day' AND ${advertisers}`),
  ];
  if (principal.role === 'network_admin') {
    entries.push(await count('partnerSignUps', `partners WHERE status = 'pending' AND traffic_sources IS NOT NULL`));
    entries.push(await count('parkedPostbacks', `outbox WHERE status = 'parked'`));
    entries.push(await count('apiAccessRequests', `api_access_requests WHERE status = 'pending'`));
    // A HasOffers sync that cannot keep up: conversions it gave up on, and changes waiting too long to go out.
    entries.push(await count('hasOffersSyncParked', `hasoffers_sync_tasks WHERE status = 'parked'`));
    entries.push(await count('hasOffersSyncBehind', `hasoffers_sync_tasks WHERE status = 'queued' AND created_at < now() - interval '${SYNC_BEHIND_MINUTES} minutes'`));
  }
  return Object.fromEntries(entries);
}

export async function buildDashboard(db: Queryable, principal: Principal, timeZone: string, now: Date, series: 'day' | 'hour'): Promise<Dashboard> {
  const scope = await statsScopeFor(db, principal);
  const metrics = dashboardMetrics(principal.role);
  const today = localDay(now, timeZone);
  const days = periodDays(today);
  const periods = Object.fromEntries(
    await Promise.all(DASHBOARD_PERIODS.map(async (period) => [period, await figures(db, scope, timeZone, metrics, days[period].from, days[period].to)] as const)),
  ) as Record<DashboardPeriod, Array<Record<string, unknown>>>;
  const money: Metric = principal.role === 'partner' ? 'payout' : 'revenue';
  const seriesResult = await runStats(db, {
    dimensions: [series === 'day' ? 'date' : 'hour'],
    metrics: ['clicks', 'conversions', money],
    from: series === 'day' ? addDays(today, -29) : today,
    to: today,
    timeZone,
    hourOffset: 0,
    filters: [],
    sort: [{ field: series === 'day' ? 'date' : 'hour', direction: 'asc' }],
    page: 1,
    totals: false,
    scope,
  });
  // The whole network's month is every offer's and partner's rows of the month: too much to sum for a glance.
  const topOffersPeriod = principal.role === 'network_admin' ? 'today' : 'thisMonth';
  const top = await runStats(db, {
    dimensions: ['offer_id', 'offer_name'],
    metrics: ['clicks', 'conversions', money],
    from: days[topOffersPeriod].from,
    to: today,
    timeZone,
    hourOffset: 0,
    filters: [],
    sort: [{ field: money, direction: 'desc' }],
    limit: 5,
    page: 1,
    totals: false,
    scope,
  });
  return { timeZone, today, metrics, periods, series: seriesResult.rows, topOffersPeriod, topOffers: top.rows, attention: await attention(db, principal) };
}
