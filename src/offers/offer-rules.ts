import countries from 'i18n-iso-countries';

export const PRICING_TYPES = ['cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];
/** The two sides of a price: what the partner earns, and what the advertiser pays. */
export type PricingSide = 'payout' | 'revenue';

export const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
export type Device = (typeof DEVICES)[number];

export const OFFER_STATUSES = ['active', 'paused', 'pending', 'expired', 'deleted'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export const VISIBILITIES = ['open', 'approval', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Uppercased ISO 3166-1 alpha-2 codes, or the first code that is not one. */
export function normalizeCountries(codes: string[]): { codes: string[]; invalid?: string } {
  const normalized: string[] = [];
  for (const code of codes) {
    const upper = code.trim().toUpperCase();
    if (upper.length !== 2 || !countries.isValid(upper)) return { codes: normalized, invalid: code };
    if (!normalized.includes(upper)) normalized.push(upper);
  }
  return { codes: normalized };
}

/** Lowercased device classes, or the first value that is not one. */
export function normalizeDevices(values: string[]): { devices: Device[]; invalid?: string } {
  const devices: Device[] = [];
  for (const value of values) {
    const lower = value.trim().toLowerCase() as Device;
    if (!DEVICES.includes(lower)) return { devices, invalid: value };
    if (!devices.includes(lower)) devices.push(lower);
  }
  return { devices };
}

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code);
}

/** The terms a goal may pay and earn by: a goal is a kind of conversion, never a click or an impression. */
export const CPA_TYPES = ['cpa_flat', 'cpa_percentage', 'cpa_both'] as const satisfies readonly PricingType[];
export type CpaType = (typeof CPA_TYPES)[number];

/** One side (payout or revenue) of an offer's, goal's or partner's terms. */
export interface PricingInput {
  type: PricingType;
  flatMicros: bigint;
  percentPpm: number;
}

/** The part of one side's pricing that is wrong, and why; undefined when it is sound. */
export function pricingProblem({ type, flatMicros, percentPpm }: PricingInput, allowed: readonly PricingType[]): { part: 'Type' | 'FlatMicros' | 'PercentPpm'; detail: string } | undefined {
  if (!allowed.includes(type)) return { part: 'Type', detail: `must be one of ${allowed.join(', ')}` };
  if (flatMicros < 0n) return { part: 'FlatMicros', detail: 'must not be negative' };
  if (!Number.isInteger(percentPpm) || percentPpm < 0 || percentPpm > 1_000_000) return { part: 'PercentPpm', detail: 'must be between 0 and 100 percent' };
  return undefined;
}

export const CAP_METRICS = ['clicks', 'conversions', 'payout', 'revenue', 'budget'] as const;
export type CapMetric = (typeof CAP_METRICS)[number];
/** Local days, weeks (Monday to Sunday, as ISO 8601 counts them) and months of the network's time zone, or for ever. */
export const CAP_PERIODS = ['day', 'week', 'month', 'lifetime'] as const;
export type CapPeriod = (typeof CAP_PERIODS)[number];
export const PERIOD_ADJECTIVES: Record<CapPeriod, string> = { day: 'daily', week: 'weekly', month: 'monthly', lifetime: 'lifetime' };

/** Caps on money hold micros of the offer's currency; the others hold counts. */
export const isMoneyMetric = (metric: CapMetric) => metric === 'payout' || metric === 'revenue' || metric === 'budget';

/** Only what conversions count can be capped per goal: clicks and the click budget belong to no goal. */
export function capProblem(cap: { metric: CapMetric; goalId: number | null; limit: bigint }): { field: 'goalId' | 'limit'; detail: string } | undefined {
  if (cap.goalId !== null && (cap.metric === 'clicks' || cap.metric === 'budget')) {
    return { field: 'goalId', detail: `a ${cap.metric} cap counts every click of the offer and cannot be set per goal` };
  }
  if (cap.limit <= 0n) return { field: 'limit', detail: 'must be more than 0 (remove the cap instead)' };
  return undefined;
}
