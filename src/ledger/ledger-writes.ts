import { applyStatsDeltas, conversionMetrics, hourOf, metricsDifference, type StatsDelta } from '../stats/stats-deltas.ts';
import type { Queryable } from '../store/store.ts';
import { snapshot, type Conversion } from './conversion-record.ts';

export type LedgerEventType = 'created' | 'approved' | 'pending' | 'rejected' | 'reversed' | 'adjusted' | 'reattributed';

/** Appends to a conversion's history: nothing about a conversion changes without one of these. */
export async function recordEvent(
  db: Queryable,
  type: LedgerEventType,
  actor: string,
  reason: string | null,
  before: Conversion | null,
  after: Conversion,
): Promise<void> {
  await db.query(
    `INSERT INTO conversion_events (conversion_id, type, actor, reason, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
    [String(after.id), type, actor, reason, before ? JSON.stringify(snapshot(before)) : null, JSON.stringify(snapshot(after))],
  );
}

function cellOf(conversion: Conversion): Omit<StatsDelta, 'metrics'> {
  return {
    hour: hourOf(conversion.convertedAt),
    offerId: conversion.offerId,
    partnerId: conversion.partnerId,
    goalId: conversion.goalId ?? 0,
    country: conversion.country,
    device: conversion.device,
  };
}

function figures(conversion: Conversion | null) {
  return conversion
    ? conversionMetrics({
        status: conversion.status,
        payoutMicros: conversion.payoutMicros,
        revenueMicros: conversion.revenueMicros,
        saleMicros: conversion.saleAmountMicros,
      })
    : {};
}

/** Moves the statistics by what a conversion's change moved, in the hour the conversion happened. */
export async function moveStats(db: Queryable, before: Conversion | null, after: Conversion): Promise<void> {
  await applyStatsDeltas(db, [{ ...cellOf(after), metrics: metricsDifference(figures(after), figures(before)) }]);
}
