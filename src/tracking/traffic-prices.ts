import type { PricingType } from '../offers/offer-rules.ts';

/** What a unit of traffic is: a click, priced by CPC terms, or an impression, priced by CPM terms. */
export type TrafficUnit = 'click' | 'impression';

/** The terms a unit of traffic is priced by, per unit for CPC and per thousand for CPM. */
const PRICED_BY: Record<TrafficUnit, { type: PricingType; unitsPerRate: bigint }> = {
  click: { type: 'cpc', unitsPerRate: 1n },
  impression: { type: 'cpm', unitsPerRate: 1000n },
};

/**
 * What one click or impression costs the advertiser, or earns the partner, under one side's
 * terms, times the sub-ID's bid factor (in ten-thousandths), rounded down to the micro once. Terms
 * of another kind price nothing here: a CPA offer is paid by its conversions.
 */
export function unitPrice(type: PricingType, flatMicros: bigint, unit: TrafficUnit, bidFactorE4: number): bigint {
  const pricedBy = PRICED_BY[unit];
  if (type !== pricedBy.type) return 0n;
  return (flatMicros * BigInt(bidFactorE4)) / (10_000n * pricedBy.unitsPerRate);
}
