import type { PricingSide, PricingType } from '../offers/offer-rules.ts';
import type { CustomPayoutRule, CustomTerm, Pricing } from './payouts.ts';

/** One side's pricing (payout or revenue) of an offer, goal or override row, read as one JSON column. */
export type RawPricing = { type: PricingType; flatMicros: string; percentPpm: number };

export const pricingJson = (side: PricingSide, alias: string) =>
  `json_build_object('type', ${alias}.${side}_type, 'flatMicros', ${alias}.${side}_flat_micros::text, 'percentPpm', ${alias}.${side}_percent_ppm)`;

/** One side of a partner's custom terms on an offer (its own, else its tier's), as customTermsSql reads it. */
export interface CustomTermsRow {
  side: PricingSide;
  offerId: number;
  partnerId: number;
  goalId: number | null;
  pricing: RawPricing;
  rule: CustomPayoutRule;
}

/** Partners' custom terms on both sides (partner_payout_terms, partner_revenue_terms) where `where` holds of them (alias p). */
export const customTermsSql = (where: string) =>
  (['payout', 'revenue'] as const)
    .map(
      (side) => `SELECT '${side}' AS side, p.offer_id AS "offerId", p.partner_id AS "partnerId", p.goal_id AS "goalId",
                        ${pricingJson(side, 'p')} AS pricing, p.rule
                 FROM partner_${side}_terms p WHERE ${where}`,
    )
    .join(' UNION ALL ');

/** The row of this side among a partner's custom terms for one goal (or the default conversion), as the pricing rules take it. */
export function customTermOf(rows: CustomTermsRow[], side: PricingSide, offerId: number | undefined, partnerId: number | undefined, goalId: number | null): CustomTerm | undefined {
  const row = rows.find((candidate) => candidate.side === side && candidate.offerId === offerId && candidate.partnerId === partnerId && candidate.goalId === goalId);
  return row && { goalId: row.goalId, pricing: toPricing(row.pricing), rule: row.rule };
}

export function toPricing(raw: RawPricing): Pricing;
export function toPricing(raw: RawPricing | null): Pricing | null;
export function toPricing(raw: RawPricing | null): Pricing | null {
  return raw ? { type: raw.type, flatMicros: BigInt(raw.flatMicros), percentPpm: raw.percentPpm } : null;
}

/** The fields of both sides' pricing, and the columns that hold them: the same on offers and goals. */
export const PRICING_COLUMNS: Array<['payoutType' | 'payoutFlatMicros' | 'payoutPercentPpm' | 'revenueType' | 'revenueFlatMicros' | 'revenuePercentPpm', string]> = [
  ['payoutType', 'payout_type'],
  ['payoutFlatMicros', 'payout_flat_micros'],
  ['payoutPercentPpm', 'payout_percent_ppm'],
  ['revenueType', 'revenue_type'],
  ['revenueFlatMicros', 'revenue_flat_micros'],
  ['revenuePercentPpm', 'revenue_percent_ppm'],
];
