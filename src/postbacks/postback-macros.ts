import { createHmac } from 'node:crypto';
import { exactMoney } from '../shared/money.ts';
import type { Conversion, ConversionStatus } from '../ledger/conversion-record.ts';

export type PostbackOperation = 'create' | 'update' | 'reject';

/**
 * What a change of a conversion tells its partner, so that a partner who adds what `create` brings,
 * replaces it on `update` and takes it away on `reject` holds its ledger: `create` when the
 * conversion comes to count for it (approved or pending; at its creation, or when a rejected one
 * is approved), `update` when one that counts changes (pending to approved, a new amount), `reject`
 * when one that counted stops (rejected, reversed, re-attributed away). A rejected conversion
 * that stays rejected tells nothing. `before` is null for a new conversion.
 */
export function operationFor(before: ConversionStatus | null, after: ConversionStatus): PostbackOperation | undefined {
  const counted = (status: ConversionStatus | null) => status === 'approved' || status === 'pending';
  if (counted(after)) return counted(before) ? 'update' : 'create';
  return counted(before) ? 'reject' : undefined;
}

/** Katalys' words for the operation: a rejection is a "delete" there. */
const KATALYS_OPERATION: Record<PostbackOperation, string> = { create: 'create', update: 'update', reject: 'delete' };

export interface ClickContext {
  source: string | null;
  affSubs: Array<string | null>;
  affClickId: string | null;
  params: Record<string, string> | null;
  ip: string | null;
  createdAt: Date;
}

/**
 * The values a partner's postback URL may name (HasOffers §5.5 and Katalys' tokens). Only what the
 * partner may know: its payout, never the network's revenue.
 */
export function postbackValues(
  conversion: Conversion,
  click: ClickContext | undefined,
  operation: PostbackOperation,
  offerName: string,
): Record<string, string | number | null> {
  const [sub1, sub2, sub3, sub4, sub5] = click?.affSubs ?? [];
  const values: Record<string, string | number | null> = {
    ...(click?.params ?? {}),
    transaction_id: conversion.transactionId,
    conversion_id: String(conversion.id),
    seq: conversion.seq,
    offer_id: conversion.offerId,
    offer_name: offerName,
    goal_id: conversion.goalId ?? 0,
    affiliate_id: conversion.partnerId,
    aff_id: conversion.partnerId,
    advertiser_id: conversion.advertiserId,
    source: click?.source ?? null,
    aff_sub: sub1 ?? null,
    aff_sub1: sub1 ?? null,
    aff_sub2: sub2 ?? null,
    aff_sub3: sub3 ?? null,
    aff_sub4: sub4 ?? null,
    aff_sub5: sub5 ?? null,
    aff_click_id: click?.affClickId ?? null,
    adv_sub: conversion.advSubs[0] ?? null,
    adv_sub2: conversion.advSubs[1] ?? null,
    adv_sub3: conversion.advSubs[2] ?? null,
    adv_sub4: conversion.advSubs[3] ?? null,
    adv_sub5: conversion.advSubs[4] ?? null,
    payout: exactMoney(conversion.payoutMicros),
    sale_amount: exactMoney(conversion.saleAmountMicros),
    currency: conversion.currency,
    status: conversion.status,
    conversion_status: conversion.statusCode,
    postback_operation: KATALYS_OPERATION[operation],
    session_ip: click?.ip ?? null,
    ip: conversion.ip,
    datetime: conversion.convertedAt.toISOString(),
    order_time: conversion.convertedAt.toISOString(),
    click_time: conversion.clickAt?.toISOString() ?? '',
    ran: Math.random().toString(36).slice(2),
  };
  return values;
}

/** The signature header a partner can check: HMAC-SHA256 of the timestamp and URL with its secret. */
export function signDelivery(secret: string, url: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${url}`).digest('hex')}`;
}
