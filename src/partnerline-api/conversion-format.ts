import type { Role } from '../accounts/principal.ts';
import type { Conversion } from '../ledger/conversion-record.ts';
import type { LedgerEntry } from '../ledger/ledger-access.ts';
import { formatMoney, ppmToPercent } from '../shared/money.ts';

const rateFlat = (micros: bigint | null) => (micros === null ? null : formatMoney(micros));
const ratePercent = (ppm: number | null) => (ppm === null ? null : ppmToPercent(ppm));

/** A conversion as the v1 API shows it: money as exact decimal strings; a partner never sees revenue. */
export function conversionView(conversion: Conversion, role: Role) {
  const view: Record<string, unknown> = {
    id: String(conversion.id),
    seq: conversion.seq,
    transactionId: conversion.transactionId,
    offerId: conversion.offerId,
    goalId: conversion.goalId,
    partnerId: conversion.partnerId,
    advertiserId: conversion.advertiserId,
    status: conversion.status,
    statusCode: conversion.statusCode,
    reason: conversion.reason,
    currency: conversion.currency,
    saleAmount: formatMoney(conversion.saleAmountMicros),
    payout: formatMoney(conversion.payoutMicros),
    payoutType: conversion.payoutType,
    payoutRule: conversion.payoutRule,
    payoutFlat: rateFlat(conversion.payoutFlatMicros),
    payoutPercent: ratePercent(conversion.payoutPercentPpm),
    orderId: conversion.orderId,
    advSubs: conversion.advSubs,
    convertedAt: conversion.convertedAt.toISOString(),
    clickAt: conversion.clickAt?.toISOString() ?? null,
    holdUntil: conversion.holdUntil?.toISOString() ?? null,
    replacesId: conversion.replacesId === null ? null : String(conversion.replacesId),
    replacedById: conversion.replacedById === null ? null : String(conversion.replacedById),
  };
  if (role !== 'partner') {
    view.revenue = formatMoney(conversion.revenueMicros);
    view.revenueType = conversion.revenueType;
    view.revenueFlat = rateFlat(conversion.revenueFlatMicros);
    view.revenuePercent = ratePercent(conversion.revenuePercentPpm);
  }
  return view;
}

const CSV_COLUMNS = [
  'id', 'seq', 'transactionId', 'offerId', 'goalId', 'partnerId', 'advertiserId', 'status', 'statusCode', 'reason', 'currency',
  'saleAmount', 'payout', 'payoutType', 'payoutRule', 'payoutFlat', 'payoutPercent', 'revenue', 'revenueType', 'revenueFlat',
  'revenuePercent', 'orderId', 'advSub1', 'advSub2', 'advSub3', 'advSub4',
  'advSub5', 'convertedAt', 'clickAt', 'holdUntil', 'replacesId', 'replacedById',
];

/** The columns of a CSV of conversions: the view's fields, one per advertiser sub-ID. */
export function conversionCsvColumns(role: Role): string[] {
  return role === 'partner' ? CSV_COLUMNS.filter((column) => !column.startsWith('revenue')) : CSV_COLUMNS;
}

export function conversionCsvRow({ advSubs, ...view }: ReturnType<typeof conversionView>): Record<string, unknown> {
  return { ...view, ...Object.fromEntries((advSubs as Array<string | null>).map((value, index) => [`advSub${index + 1}`, value])) };
}

function figures(snapshot: Record<string, unknown> | null, role: Role) {
  if (!snapshot) return null;
  const { revenue, ...rest } = snapshot;
  return role === 'partner' ? rest : { ...rest, revenue };
}

export function historyView(history: LedgerEntry[], role: Role) {
  return history.map((entry) => ({
    type: entry.type,
    actor: role === 'partner' && entry.actor.startsWith('user:') ? 'advertiser or network' : entry.actor,
    reason: entry.reason,
    before: figures(entry.before, role),
    after: figures(entry.after, role),
    at: entry.createdAt,
  }));
}
