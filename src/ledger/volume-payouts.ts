import type { CapPeriod } from '../offers/offer-rules.ts';
import type { Queryable } from '../store/store.ts';
import { capWindow } from './cap-windows.ts';
import type { VolumeStep } from './payouts.ts';
import { pricingJson, toPricing, type RawPricing } from './pricing-sql.ts';

/** An offer's (or one goal's) payout steps, counted in one period. */
export interface VolumeSchedule {
  period: CapPeriod;
  steps: VolumeStep[];
}

const scheduleKey = (offerId: number, goalId: number | null) => `${offerId}:${goalId ?? 0}`;

/** The volume payouts of these offers, by offer and goal (scheduleFor reads them). */
export async function loadVolumeSchedules(db: Queryable, offerIds: number[]): Promise<Map<string, VolumeSchedule>> {
  const rows = await db.query<{ offerId: number; goalId: number | null; period: CapPeriod; fromConversion: number; pricing: RawPricing }>(
    `SELECT offer_id AS "offerId", goal_id AS "goalId", period, from_conversion AS "fromConversion", ${pricingJson('payout', 'v')} AS pricing
     FROM volume_payouts v WHERE offer_id = ANY($1::int[])`,
    [offerIds],
  );
  const schedules = new Map<string, VolumeSchedule>();
  for (const { offerId, goalId, period, fromConversion, pricing } of rows) {
    const key = scheduleKey(offerId, goalId);
    const schedule = schedules.get(key) ?? { period, steps: [] };
    schedule.steps.push({ fromConversion, pricing: toPricing(pricing) });
    schedules.set(key, schedule);
  }
  return schedules;
}

export const scheduleFor = (schedules: Map<string, VolumeSchedule>, offerId: number, goalId: number | null) => schedules.get(scheduleKey(offerId, goalId));

/**
 * How many of the partner's approved and pending conversions on the offer (on the goal, for a
 * goal's steps) in the period came before this recorded one: what placed it on a step.
 */
export async function conversionsBefore(
  db: Queryable,
  conversion: { id: bigint; offerId: number; partnerId: number; goalId: number | null; convertedAt: Date },
  period: CapPeriod,
  timeZone: string,
): Promise<number> {
  const window = capWindow(period, conversion.convertedAt, timeZone);
  const [row] = await db.query<{ before: number }>(
    `SELECT count(*)::int AS before FROM conversions
     WHERE offer_id = $1 AND partner_id = $2 AND ($3::int IS NULL OR goal_id = $3) AND status IN ('approved', 'pending')
       AND converted_at >= $4 AND (converted_at, id) < ($5, $6)`,
    [conversion.offerId, conversion.partnerId, conversion.goalId, window.from, conversion.convertedAt, String(conversion.id)],
  );
  return row!.before;
}
