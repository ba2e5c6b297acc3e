import countries from 'i18n-iso-countries';

export const PRICING_TYPES = ['cpc', 'cpm', 'cpa_flat', 'cpa_percentage', 'cpa_both'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];

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
