import type { PricingType } from '../offers/offer-rules.ts';
import type { Pricing } from './payouts.ts';

/** One side's pricing (payout or revenue) of an offer, goal or override row, read as one JSON column. */
export type RawPricing = { type: PricingType; flatMicros: string; percentPpm: number };

export const pricingJson = (side: 'payout' | 'revenue', alias: string) =>
  `json_build_object('type', ${alias}.${side}_type, 'flatMicros', ${alias}.${side}_flat_micros::text, 'percentPpm', ${alias}.${side}_percent_ppm)`;

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
