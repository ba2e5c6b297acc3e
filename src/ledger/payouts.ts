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
export type PayoutRule = 'offer' | 'goal' | 'volume step' | CustomPayoutRule;

/** The rate one side was priced at, kept with the conversion; null where it was not priced per conversion. */
export interface AppliedRate {
  flatMicros: bigint | null;
  percentPpm: number | null;
}

export interface PricedConversion {
  payoutMicros: bigint;
  revenueMicros: bigint;
  payoutType: PricingType;
  revenueType: PricingType;
  rule: PayoutRule;
  payoutFlatMicros: bigint | null;
  payoutPercentPpm: number | null;
  revenueFlatMicros: bigint | null;
  revenuePercentPpm: number | null;
}

/** Click- and impression-priced terms have no rate per conversion. */
export function appliedRate(pricing: Pricing): AppliedRate {
  const perConversion = pricing.type !== 'cpc' && pricing.type !== 'cpm';
  return { flatMicros: perConversion ? pricing.flatMicros : null, percentPpm: perConversion ? pricing.percentPpm : null };
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

/** A partner's custom terms on one side (its own, else its tier's): for one goal, or for the offer's default conversion (null). */
export interface CustomTerm {
  goalId: number | null;
  pricing: Pricing;
  rule: CustomPayoutRule;
}

export interface TermsSource {
  offer: { payout: Pricing; revenue: Pricing };
  goal?: { payout: Pricing; revenue: Pricing } | undefined;
  /** What the partner earns by terms of its own on this offer. */
  customPayout?: CustomTerm | undefined;
  /** What the advertiser pays for the partner's traffic by terms of its own on this offer. */
  customRevenue?: CustomTerm | undefined;
}

/**
 * Which terms price a conversion, side by side, most specific first: the partner's custom terms for
 * exactly this goal (or for the default conversion), else the goal's own, else the offer's. The
 * rule names where the payout came from.
 */
export function chooseTerms(source: TermsSource, goalId: number | null): PricedTerms {
  const base = source.goal ?? source.offer;
  const applies = (custom: CustomTerm | undefined) => (custom?.goalId === goalId ? custom : undefined);
  const payout = applies(source.customPayout);
  return {
    payout: payout?.pricing ?? base.payout,
    revenue: applies(source.customRevenue)?.pricing ?? base.revenue,
    rule: payout?.rule ?? (source.goal ? 'goal' : 'offer'),
  };
}

/** One step of a payout that rises with volume: what the partner earns from its `fromConversion`th conversion of a period on. */
export interface VolumeStep {
  fromConversion: number;
  pricing: Pricing;
}

/** The step that prices a partner's `ordinal`th conversion of the period: the highest it has reached; none before the first. */
export function volumeStepFor(steps: readonly VolumeStep[], ordinal: number): VolumeStep | undefined {
  let reached: VolumeStep | undefined;
  for (const step of steps) if (step.fromConversion <= ordinal && (!reached || step.fromConversion > reached.fromConversion)) reached = step;
  return reached;
}

/**
 * A conversion priced by its offer's or goal's own payout, priced again by the volume step it
 * reached. A partner's custom payout, its own or its tier's, ranks above volume.
 */
export function withVolumeStep<T extends PricedConversion & { saleAmountMicros: bigint }>(priced: T, step: VolumeStep | undefined): T {
  if (!step || (priced.rule !== 'offer' && priced.rule !== 'goal')) return priced;
  return {
    ...priced,
    payoutMicros: amountFor(step.pricing, priced.saleAmountMicros),
    payoutType: step.pricing.type,
    rule: 'volume step',
    payoutFlatMicros: step.pricing.flatMicros,
    payoutPercentPpm: step.pricing.percentPpm,
  };
}

export function priceConversion(terms: PricedTerms, saleMicros: bigint): PricedConversion {
  const payoutRate = appliedRate(terms.payout);
  const revenueRate = appliedRate(terms.revenue);
  return {
    payoutMicros: amountFor(terms.payout, saleMicros),
    revenueMicros: amountFor(terms.revenue, saleMicros),
    payoutType: terms.payout.type,
    revenueType: terms.revenue.type,
    rule: terms.rule,
    payoutFlatMicros: payoutRate.flatMicros,
    payoutPercentPpm: payoutRate.percentPpm,
    revenueFlatMicros: revenueRate.flatMicros,
    revenuePercentPpm: revenueRate.percentPpm,
  };
}

/** One side of a conversion as it was priced: its amount, its type and the rate it kept. */
interface PricedSide {
  micros: bigint;
  type: PricingType;
  flatMicros: bigint | null;
  percentPpm: number | null;
}

/**
 * One side priced again for a new sale amount at the rate it kept. A side priced per click or
 * impression, or set by hand, kept no rate and keeps its amount. Undefined where a side priced per
 * conversion kept no rate although nobody set it: it was recorded before conversions kept rates.
 */
function repriceSide(side: PricedSide, saleMicros: bigint, setByHand: boolean): bigint | undefined {
  if (side.flatMicros !== null && side.percentPpm !== null) {
    return amountFor({ type: side.type, flatMicros: side.flatMicros, percentPpm: side.percentPpm }, saleMicros);
  }
  return setByHand || side.type === 'cpc' || side.type === 'cpm' ? side.micros : undefined;
}

/** What a conversion keeps of how it was priced. */
export interface KeptPricing {
  payoutRule: string;
  payoutMicros: bigint;
  revenueMicros: bigint;
  payoutType: PricingType;
  revenueType: PricingType;
  payoutFlatMicros: bigint | null;
  payoutPercentPpm: number | null;
  revenueFlatMicros: bigint | null;
  revenuePercentPpm: number | null;
}

/** A conversion's amounts for a corrected sale amount at the rates it was priced at; undefined where it kept none to go by. */
export function repriceAtKeptRates(kept: KeptPricing, saleMicros: bigint): { payoutMicros: bigint; revenueMicros: bigint } | undefined {
  const setByHand = kept.payoutRule === 'manual';
  const payoutMicros = repriceSide(
    { micros: kept.payoutMicros, type: kept.payoutType, flatMicros: kept.payoutFlatMicros, percentPpm: kept.payoutPercentPpm },
    saleMicros,
    setByHand,
  );
  const revenueMicros = repriceSide(
    { micros: kept.revenueMicros, type: kept.revenueType, flatMicros: kept.revenueFlatMicros, percentPpm: kept.revenuePercentPpm },
    saleMicros,
    setByHand,
  );
  return payoutMicros === undefined || revenueMicros === undefined ? undefined : { payoutMicros, revenueMicros };
}
