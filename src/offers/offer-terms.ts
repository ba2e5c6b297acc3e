import type { Queryable } from '../store/store.ts';
import type { PricingType } from './offer-rules.ts';

/** Goals, caps and per-partner payouts: the terms an offer pays by, beside its own pricing. */

export type CpaType = Extract<PricingType, 'cpa_flat' | 'cpa_percentage' | 'cpa_both'>;

export interface GoalInput {
  name: string;
  description?: string | null;
  payoutType: CpaType;
  payoutFlatMicros?: bigint;
  payoutPercentPpm?: number;
  revenueType: CpaType;
  revenueFlatMicros?: bigint;
  revenuePercentPpm?: number;
  approveConversions?: boolean;
}

export async function addGoal(db: Queryable, offerId: number, goal: GoalInput): Promise<{ id: number }> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO goals (offer_id, name, description, payout_type, payout_flat_micros, payout_percent_ppm,
       revenue_type, revenue_flat_micros, revenue_percent_ppm, approve_conversions)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      offerId,
      goal.name,
      goal.description ?? null,
      goal.payoutType,
      goal.payoutFlatMicros ?? 0n,
      goal.payoutPercentPpm ?? 0,
      goal.revenueType,
      goal.revenueFlatMicros ?? 0n,
      goal.revenuePercentPpm ?? 0,
      goal.approveConversions ?? false,
    ],
  );
  return rows[0]!;
}

export type CapMetric = 'clicks' | 'conversions' | 'payout' | 'revenue' | 'budget';
export type CapPeriod = 'day' | 'month' | 'lifetime';

export interface CapInput {
  partnerId?: number | null;
  goalId?: number | null;
  metric: CapMetric;
  period: CapPeriod;
  /** A count, or micros for money metrics. */
  limit: bigint;
}

export async function setCap(db: Queryable, offerId: number, cap: CapInput): Promise<void> {
  await db.query(
    `INSERT INTO caps (offer_id, partner_id, goal_id, metric, period, cap_limit) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (offer_id, coalesce(partner_id, 0), coalesce(goal_id, 0), metric, period)
     DO UPDATE SET cap_limit = EXCLUDED.cap_limit`,
    [offerId, cap.partnerId ?? null, cap.goalId ?? null, cap.metric, cap.period, cap.limit],
  );
}

export interface PayoutOverrideInput {
  partnerId: number;
  goalId?: number | null;
  payoutType: PricingType;
  payoutFlatMicros?: bigint;
  payoutPercentPpm?: number;
}

export async function setPayoutOverride(db: Queryable, offerId: number, override: PayoutOverrideInput): Promise<void> {
  await db.query(
    `INSERT INTO payout_overrides (offer_id, partner_id, goal_id, payout_type, payout_flat_micros, payout_percent_ppm)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (offer_id, partner_id, coalesce(goal_id, 0))
     DO UPDATE SET payout_type = EXCLUDED.payout_type, payout_flat_micros = EXCLUDED.payout_flat_micros,
                   payout_percent_ppm = EXCLUDED.payout_percent_ppm`,
    [
      offerId,
      override.partnerId,
      override.goalId ?? null,
      override.payoutType,
      override.payoutFlatMicros ?? 0n,
      override.payoutPercentPpm ?? 0,
    ],
  );
}
