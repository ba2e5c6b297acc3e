import type { CapMetric, CapPeriod } from '../offers/offer-rules.ts';

/**
 * Conversion status codes, as HasOffers numbers them (11-83), and Partnerline's own for outcomes
 * HasOffers leaves unnumbered (90s).
 */
export const STATUS_CODE = {
  DUPLICATE: 12,
  DAILY_CONVERSION_CAP: 17,
  DUPLICATE_UNIQUE_ID: 18,
  INVALID_SECURITY_TOKEN: 19,
  PENDING_APPROVAL: 31,
  CLIENT_COOKIE: 41,
  SERVER_POSTBACK: 43,
  ADJUSTMENT: 52,
  MONTHLY_CONVERSION_CAP: 61,
  DAILY_PAYOUT_CAP: 62,
  MONTHLY_PAYOUT_CAP: 63,
  DAILY_REVENUE_CAP: 64,
  MONTHLY_REVENUE_CAP: 65,
  PARTNER_DAILY_CONVERSION_CAP: 80,
  PARTNER_MONTHLY_CONVERSION_CAP: 81,
  PARTNER_DAILY_PAYOUT_CAP: 82,
  PARTNER_MONTHLY_PAYOUT_CAP: 83,
  PARTNER_DAILY_REVENUE_CAP: 84,
  PARTNER_MONTHLY_REVENUE_CAP: 85,
  LIFETIME_CAP: 86,
  BUDGET_CAP: 87,
  WEEKLY_CAP: 88,
  BOT_CLICK: 89,
  INVALID_REQUEST: 90,
  UNKNOWN_TRANSACTION: 91,
  SESSION_EXPIRED: 92,
  UNKNOWN_OFFER: 93,
  UNKNOWN_GOAL: 94,
  OFFER_MISMATCH: 95,
  UNKNOWN_PARTNER: 96,
  ADVERTISER_STATUS: 97,
  MANUAL: 98,
  TOO_SOON_AFTER_CLICK: 99,
} as const;

export type StatusCode = (typeof STATUS_CODE)[keyof typeof STATUS_CODE];


/** The code a conversion refused by a cap carries. */
export function capStatusCode(metric: CapMetric, period: CapPeriod, perPartner: boolean): StatusCode {
  if (period === 'lifetime') return STATUS_CODE.LIFETIME_CAP;
  if (period === 'week') return STATUS_CODE.WEEKLY_CAP;
  if (metric === 'budget' || metric === 'clicks') return STATUS_CODE.BUDGET_CAP;
  const daily = period === 'day';
  const table = perPartner
    ? {
        conversions: [STATUS_CODE.PARTNER_DAILY_CONVERSION_CAP, STATUS_CODE.PARTNER_MONTHLY_CONVERSION_CAP],
        payout: [STATUS_CODE.PARTNER_DAILY_PAYOUT_CAP, STATUS_CODE.PARTNER_MONTHLY_PAYOUT_CAP],
        revenue: [STATUS_CODE.PARTNER_DAILY_REVENUE_CAP, STATUS_CODE.PARTNER_MONTHLY_REVENUE_CAP],
      }
    : {
        conversions: [STATUS_CODE.DAILY_CONVERSION_CAP, STATUS_CODE.MONTHLY_CONVERSION_CAP],
        payout: [STATUS_CODE.DAILY_PAYOUT_CAP, STATUS_CODE.MONTHLY_PAYOUT_CAP],
        revenue: [STATUS_CODE.DAILY_REVENUE_CAP, STATUS_CODE.MONTHLY_REVENUE_CAP],
      };
  return table[metric][daily ? 0 : 1]!;
}
