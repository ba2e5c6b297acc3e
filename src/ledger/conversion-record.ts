import type { PricingType } from '../offers/offer-rules.ts';
import { formatMoney } from '../shared/money.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

export type ConversionStatus = 'approved' | 'pending' | 'rejected';

/** A conversion's current state; its history is in conversion_events. */
export interface Conversion {
  id: bigint;
  seq: string;
  transactionId: string | null;
  offerId: number;
  goalId: number | null;
  partnerId: number;
  advertiserId: number;
  status: ConversionStatus;
  statusCode: number;
  reason: string | null;
  currency: string;
  saleAmountMicros: bigint;
  payoutMicros: bigint;
  revenueMicros: bigint;
  payoutType: PricingType;
  revenueType: PricingType;
  payoutRule: string;
  /** The rates each side was priced at (see AppliedRate): null where it was not priced per conversion. */
  payoutFlatMicros: bigint | null;
  payoutPercentPpm: number | null;
  revenueFlatMicros: bigint | null;
  revenuePercentPpm: number | null;
  orderId: string | null;
  advSubs: Array<string | null>;
  ip: string | null;
  userAgent: string | null;
  country: string;
  device: string;
  source: string | null;
  affSub1: string | null;
  clickAt: Date | null;
  convertedAt: Date;
  holdUntil: Date | null;
  isAdjustment: boolean;
  replacesId: bigint | null;
  replacedById: bigint | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CONVERSION_COLUMNS = `c.id, c.seq::text AS seq, c.transaction_id AS "transactionId", c.offer_id AS "offerId",
  c.goal_id AS "goalId", c.partner_id AS "partnerId", c.advertiser_id AS "advertiserId", c.status,
  c.status_code AS "statusCode", c.reason, trim(c.currency) AS currency, c.sale_amount_micros AS "saleAmountMicros",
  c.payout_micros AS "payoutMicros", c.revenue_micros AS "revenueMicros", c.payout_type AS "payoutType",
  c.revenue_type AS "revenueType", c.payout_rule AS "payoutRule", c.payout_flat_micros AS "payoutFlatMicros",
  c.payout_percent_ppm AS "payoutPercentPpm", c.revenue_flat_micros AS "revenueFlatMicros", c.revenue_percent_ppm AS "revenuePercentPpm",
  c.order_id AS "orderId",
  ARRAY[c.adv_sub1, c.adv_sub2, c.adv_sub3, c.adv_sub4, c.adv_sub5] AS "advSubs", c.ip, c.user_agent AS "userAgent",
  c.country, c.device, c.source, c.aff_sub1 AS "affSub1", c.click_at AS "clickAt", c.converted_at AS "convertedAt", c.hold_until AS "holdUntil",
  c.is_adjustment AS "isAdjustment", c.replaces_id AS "replacesId", c.replaced_by_id AS "replacedById",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export async function findConversion(db: Queryable, id: bigint | number): Promise<Conversion | undefined> {
  return first(await db.query<Conversion>(`SELECT ${CONVERSION_COLUMNS} FROM conversions c WHERE c.id = $1`, [String(id)]));
}

/** The figures a ledger event records before and after a change. */
export function snapshot(conversion: Conversion) {
  return {
    status: conversion.status,
    statusCode: conversion.statusCode,
    partnerId: conversion.partnerId,
    transactionId: conversion.transactionId,
    saleAmount: formatMoney(conversion.saleAmountMicros),
    payout: formatMoney(conversion.payoutMicros),
    revenue: formatMoney(conversion.revenueMicros),
    reason: conversion.reason,
  };
}
