import { capUsage } from '../ledger/cap-usage.ts';
import { capDays, periodKey } from '../ledger/cap-windows.ts';
import { getNetwork } from '../network/network.ts';
import { formatMoney } from '../shared/money.ts';
import type { Queryable } from '../store/store.ts';
import { CAP_PERIODS, PERIOD_ADJECTIVES, type CapMetric, type CapPeriod } from './offer-rules.ts';

/**
 * Tells an offer's advertiser (and a partner, of a cap of its own) when a daily budget or a cap is
 * nearly used up and when it is reached, once per period and threshold: the advertiser can raise
 * it before traffic is refused, and the partner knows why its clicks or conversions stop counting.
 */

/** Shares of a limit that raise an alert, in percent. */
export const ALERT_THRESHOLDS = [80, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

/** A daily budget, or a cap on the offer as a whole, on one partner's traffic or on one goal. */
export interface OfferLimit {
  offerId: number;
  offerName: string;
  advertiserId: number;
  currency: string;
  /** The cap's id, or null for the offer's daily budget. */
  capId: number | null;
  partnerId: number | null;
  goalId: number | null;
  metric: CapMetric;
  period: CapPeriod;
  /** A count, or micros of the offer's currency. */
  limit: bigint;
}

/** What an offer's traffic used in a period, as its limits count it. */
export interface LimitUsage {
  clicks: bigint;
  clickCostMicros: bigint;
  conversions: bigint;
  payoutMicros: bigint;
  revenueMicros: bigint;
}

export interface LimitAlert {
  offerId: number;
  advertiserId: number;
  /** The partner told too: of a cap on its own traffic, in figures it may see (not the network's revenue). */
  partnerId: number | null;
  kind: 'limit_nearly_reached' | 'limit_reached';
  message: string;
  /** One alert per limit, period and threshold, however often it is checked and by how many processes. */
  dedupeKey: string;
}

/** What a limit counts: the daily budget the click path spends; a budget cap the spend of clicks and conversions. */
export function usedOf(limit: OfferLimit, used: LimitUsage): bigint {
  if (limit.capId === null) return used.clickCostMicros;
  switch (limit.metric) {
    case 'clicks':
      return used.clicks;
    case 'conversions':
      return used.conversions;
    case 'payout':
      return used.payoutMicros;
    case 'revenue':
      return used.revenueMicros;
    case 'budget':
      return used.clickCostMicros + used.revenueMicros;
  }
}

/** The highest threshold the usage has reached, or undefined below the lowest. */
export function thresholdReached(limit: bigint, used: bigint): AlertThreshold | undefined {
  return [...ALERT_THRESHOLDS].reverse().find((threshold) => used * 100n >= limit * BigInt(threshold));
}

function amountText(limit: OfferLimit, amount: bigint): string {
  const counted = limit.metric === 'clicks' || limit.metric === 'conversions';
  return counted ? `${amount} ${limit.metric}` : `${formatMoney(amount, 2)} ${limit.currency}`;
}

function limitName(limit: OfferLimit): string {
  if (limit.capId === null) return 'daily budget';
  const goal = limit.goalId === null ? '' : ` on goal ${limit.goalId}`;
  return `${PERIOD_ADJECTIVES[limit.period]} ${limit.metric} cap${goal}${limit.partnerId === null ? '' : ` for partner ${limit.partnerId}`}`;
}

/** The alert a limit's usage calls for in the period holding `now`, if any. */
export function limitAlert(limit: OfferLimit, used: LimitUsage, period: string): LimitAlert | undefined {
  const amount = usedOf(limit, used);
  const threshold = thresholdReached(limit.limit, amount);
  if (threshold === undefined) return undefined;
  const reached = threshold === 100;
  const what = `Offer ${limit.offerId} (${limit.offerName}) has used ${amountText(limit, amount)} of its ${limitName(limit)} of ${amountText(limit, limit.limit)}`;
  return {
    offerId: limit.offerId,
    advertiserId: limit.advertiserId,
    partnerId: limit.metric === 'revenue' || limit.metric === 'budget' ? null : limit.partnerId,
    kind: reached ? 'limit_reached' : 'limit_nearly_reached',
    message: `${what} (${period}): ${reached ? 'further traffic is refused until the period ends or the limit is raised' : `${threshold}% reached`}.`,
    dedupeKey: `limit:${limit.capId === null ? `budget:${limit.offerId}` : `cap:${limit.capId}`}:${period}:${threshold}`,
  };
}

const NONE: LimitUsage = { clicks: 0n, clickCostMicros: 0n, conversions: 0n, payoutMicros: 0n, revenueMicros: 0n };

/** Reads every watched limit of the active offers, its usage in the current period, and records the alerts due. Answers how many were new. */
export async function raiseLimitAlerts(db: Queryable, now = new Date()): Promise<number> {
  const { timeZone } = await getNetwork(db);
  const limits = await db.query<OfferLimit>(
    `SELECT o.id AS "offerId", o.name AS "offerName", o.advertiser_id AS "advertiserId", trim(o.currency) AS currency,
            NULL::int AS "capId", NULL::int AS "partnerId", NULL::int AS "goalId", 'budget' AS metric, 'day' AS period, o.daily_budget_micros AS limit
     FROM offers o WHERE o.status = 'active' AND o.daily_budget_micros > 0
     UNION ALL
     SELECT o.id, o.name, o.advertiser_id, trim(o.currency), c.id, c.partner_id, c.goal_id, c.metric, c.period, c.cap_limit
     FROM caps c JOIN offers o ON o.id = c.offer_id WHERE o.status = 'active'`,
  );
  const alerts: LimitAlert[] = [];
  for (const period of CAP_PERIODS) {
    const watched = limits.filter((limit) => limit.period === period && limit.goalId === null);
    if (watched.length === 0) continue;
    const days = capDays(period, now, timeZone);
    // Each offer's usage as a whole, and each partner's on it, summed by the store in one pass.
    const rows = await db.query<LimitUsage & { offerId: number; partnerId: number | null }>(
      `SELECT offer_id AS "offerId", CASE WHEN grouping(partner_id) = 0 THEN partner_id END AS "partnerId",
              sum(gross_clicks)::int8 AS clicks, sum(click_cost_micros)::int8 AS "clickCostMicros",
              sum(approved + pending)::int8 AS conversions, sum(approved_payout_micros + pending_payout_micros)::int8 AS "payoutMicros",
              sum(approved_revenue_micros + pending_revenue_micros)::int8 AS "revenueMicros"
       FROM stats_daily_offer_partner WHERE offer_id = ANY($1::int[]) AND day >= $2::date AND day < $3::date
       GROUP BY GROUPING SETS ((offer_id), (offer_id, partner_id))`,
      [[...new Set(watched.map((limit) => limit.offerId))], days.from, days.to],
    );
    const usage = new Map(rows.map((row) => [`${row.offerId}|${row.partnerId}`, row]));
    for (const limit of watched) {
      const alert = limitAlert(limit, usage.get(`${limit.offerId}|${limit.partnerId}`) ?? NONE, periodKey(period, now, timeZone));
      if (alert) alerts.push(alert);
    }
  }
  // The daily roll-ups have no goals: each goal cap counts its conversions, as the ledger does.
  for (const limit of limits.filter((each) => each.goalId !== null)) {
    const used = await capUsage(db, limit, now, timeZone);
    const usage = { ...NONE, conversions: used.conversions, payoutMicros: used.payout, revenueMicros: used.revenue };
    const alert = limitAlert(limit, usage, periodKey(limit.period, now, timeZone));
    if (alert) alerts.push(alert);
  }
  if (alerts.length === 0) return 0;
  const inserted = await db.query(
    `INSERT INTO notifications (advertiser_id, partner_id, offer_id, kind, message, dedupe_key)
     SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [
      alerts.map((alert) => alert.advertiserId),
      alerts.map((alert) => alert.partnerId),
      alerts.map((alert) => alert.offerId),
      alerts.map((alert) => alert.kind),
      alerts.map((alert) => alert.message),
      alerts.map((alert) => alert.dedupeKey),
    ],
  );
  return inserted.length;
}
