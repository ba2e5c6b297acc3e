import type { CapMetric, CapPeriod } from '../offers/offer-rules.ts';
import type { Queryable } from '../store/store.ts';
import { capDays, capWindow } from './cap-windows.ts';

/** The caps a conversion is checked against: the click path keeps the clicks' caps. */
export type ConversionCapMetric = Exclude<CapMetric, 'clicks'>;

export interface CapRow {
  id: number;
  offerId: number;
  partnerId: number | null;
  goalId: number | null;
  metric: ConversionCapMetric;
  period: CapPeriod;
  limit: bigint;
}

export interface CapUsage {
  conversions: bigint;
  payout: bigint;
  revenue: bigint;
  spend: bigint;
}

/** Which figure of the usage each cap metric limits. */
export const USAGE_OF: Record<ConversionCapMetric, keyof CapUsage> = { conversions: 'conversions', payout: 'payout', revenue: 'revenue', budget: 'spend' };

/**
 * What counts against a cap in its period holding `at`: approved and pending conversions, and for
 * spend the clicks bought.
 */
export async function capUsage(db: Queryable, cap: Omit<CapRow, 'metric' | 'limit' | 'id'>, at: Date, timeZone: string): Promise<CapUsage> {
  if (cap.goalId === null) {
    const days = capDays(cap.period, at, timeZone);
    const [used] = await db.query<CapUsage>(
      `SELECT coalesce(sum(approved + pending), 0)::int8 AS conversions,
              coalesce(sum(approved_payout_micros + pending_payout_micros), 0)::int8 AS payout,
              coalesce(sum(approved_revenue_micros + pending_revenue_micros), 0)::int8 AS revenue,
              coalesce(sum(approved_revenue_micros + pending_revenue_micros + click_cost_micros), 0)::int8 AS spend
       FROM stats_daily_offer_partner WHERE offer_id = $1 AND day >= $2::date AND day < $3::date AND ($4::int IS NULL OR partner_id = $4)`,
      [cap.offerId, days.from, days.to, cap.partnerId],
    );
    return used!;
  }
  // The daily roll-ups have no goals, and clicks none either: a goal's cap counts its conversions.
  const window = capWindow(cap.period, at, timeZone);
  const [used] = await db.query<CapUsage>(
    `SELECT count(*)::int8 AS conversions, coalesce(sum(payout_micros), 0)::int8 AS payout,
            coalesce(sum(revenue_micros), 0)::int8 AS revenue, coalesce(sum(revenue_micros), 0)::int8 AS spend
     FROM conversions WHERE offer_id = $1 AND goal_id = $2 AND status IN ('approved', 'pending')
       AND converted_at >= $3 AND converted_at < $4 AND ($5::int IS NULL OR partner_id = $5)`,
    [cap.offerId, cap.goalId, window.from, window.to, cap.partnerId],
  );
  return used!;
}
