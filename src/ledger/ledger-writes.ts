import { applyStatsDeltas, conversionMetrics, metricsDifference, type StatsDelta } from '../stats/stats-deltas.ts';
import type { Queryable } from '../store/store.ts';
import { snapshot, type Conversion } from './conversion-record.ts';

export type LedgerEventType = 'created' | 'approved' | 'pending' | 'rejected' | 'reversed' | 'adjusted' | 'reattributed';

export interface LedgerEvent {
  type: LedgerEventType;
  actor: string;
  reason: string | null;
  before: Conversion | null;
  after: Conversion;
}

/** Appends to conversions' histories: nothing about a conversion changes without one of these. */
export async function recordEvents(db: Queryable, events: LedgerEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO conversion_events (conversion_id, type, actor, reason, before, after)
     SELECT conversion_id, type, actor, reason, before, after FROM json_populate_recordset(NULL::conversion_events, $1)`,
    [
      JSON.stringify(
        events.map((event) => ({
          conversion_id: String(event.after.id),
          type: event.type,
          actor: event.actor,
          reason: event.reason,
          before: event.before ? snapshot(event.before) : null,
          after: snapshot(event.after),
        })),
      ),
    ],
  );
}

export function recordEvent(db: Queryable, type: LedgerEventType, actor: string, reason: string | null, before: Conversion | null, after: Conversion) {
  return recordEvents(db, [{ type, actor, reason, before, after }]);
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

/** What a conversion's change moves in the statistics, in the hour the conversion happened. */
export function statsMove(before: Conversion | null, after: Conversion): StatsDelta {
  return {
    at: after.convertedAt,
    offerId: after.offerId,
    partnerId: after.partnerId,
    goalId: after.goalId ?? 0,
    country: after.country,
    device: after.device,
    source: after.source ?? '',
    sub1: after.affSub1 ?? '',
    metrics: metricsDifference(figures(after), figures(before)),
  };
}

export async function moveStats(db: Queryable, before: Conversion | null, after: Conversion): Promise<void> {
  await applyStatsDeltas(db, [statsMove(before, after)]);
}
