import type { PricingType } from '../offers/offer-rules.ts';
import { percentOf } from '../shared/money.ts';

/** How one side of a conversion is priced: a flat amount, a share of the sale, or both. */
export interface Pricing {
  type: PricingType;
  flatMicros: bigint;
  percentPpm: number;
}

export interface PricedTerms {
  payout: Pricing;
  revenue: Pricing;
  rule: PayoutRule;
}

/** Custom payouts: a partner's own, or its tier's. */
export type CustomPayoutRule = 'partner override' | 'partner tier';
export type PayoutRule = 'offer' | 'goal' | CustomPayoutRule;

export interface PricedConversion {
  payoutMicros: bigint;
  revenueMicros: bigint;
  payoutType: PricingType;
  revenueType: PricingType;
  rule: PayoutRule;
}

/** What one conversion of the given sale earns under a pricing. Click- and impression-priced terms pay nothing per conversion. */
export function amountFor(pricing: Pricing, saleMicros: bigint): bigint {
  switch (pricing.type) {
    case 'cpa_flat':
      return pricing.flatMicros;
    case 'cpa_percentage':
      return percentOf(saleMicros, pricing.percentPpm);
    case 'cpa_both':
      return pricing.flatMicros + percentOf(saleMicros, pricing.percentPpm);
    case 'cpc':
    case 'cpm':
      return 0n;
  }
}

export interface TermsSource {
  offer: { payout: Pricing; revenue: Pricing };
  goal?: { payout: Pricing; revenue: Pricing } | undefined;
  /**
   * The partner's custom payout on this offer (its own, else its tier's): for the goal converted,
   * or for the offer's default conversion.
   */
  override?: { goalId: number | null; payout: Pricing; rule: CustomPayoutRule } | undefined;
}

/**
 * Which terms price a conversion, most specific first: the partner's custom payout for exactly
 * this goal (or for the default conversion), else the goal's own terms, else the offer's. The
 * revenue side always follows the goal or offer: custom payouts change what the partner earns, not
 * what the advertiser pays.
 */
export function chooseTerms(source: TermsSource, goalId: number | null): PricedTerms {
  const base = source.goal ?? source.offer;
  const baseRule: PayoutRule = source.goal ? 'goal' : 'offer';
  const override = source.override && source.override.goalId === goalId ? source.override : undefined;
  return {
    payout: override ? override.payout : base.payout,
    revenue: base.revenue,
    rule: override ? override.rule : baseRule,
  };
}

export function priceConversion(terms: PricedTerms, saleMicros: bigint): PricedConversion {
  return {
    payoutMicros: amountFor(terms.payout, saleMicros),
    revenueMicros: amountFor(terms.revenue, saleMicros),
    payoutType: terms.payout.type,
    revenueType: terms.revenue.type,
    rule: terms.rule,
  };
}
