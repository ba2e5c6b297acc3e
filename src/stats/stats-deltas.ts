import type { Queryable } from '../store/store.ts';

/** A change to one cell of the hourly statistics. */
export interface StatsDelta {
  hour: Date;
  offerId: number;
  partnerId: number;
  goalId: number;
  country: string;
  device: string;
  metrics: Partial<Record<StatsMetric, bigint>>;
}

export const STATS_METRICS = [
  'impressions',
  'gross_clicks',
  'unique_clicks',
  'click_cost_micros',
  'click_payout_micros',
  'approved',
  'pending',
  'rejected',
  'approved_payout_micros',
  'approved_revenue_micros',
  'approved_sale_micros',
  'pending_payout_micros',
  'pending_revenue_micros',
  'pending_sale_micros',
] as const;
export type StatsMetric = (typeof STATS_METRICS)[number];

export function hourOf(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 3_600_000) * 3_600_000);
}

/** What a conversion in a given state adds to its cell; the difference of two states is what a change moves. */
export interface ConversionFigures {
  status: 'approved' | 'pending' | 'rejected';
  payoutMicros: bigint;
  revenueMicros: bigint;
  saleMicros: bigint;
}

export function conversionMetrics(figures: ConversionFigures | null): Partial<Record<StatsMetric, bigint>> {
  if (!figures) return {};
  switch (figures.status) {
    case 'approved':
      return {
        approved: 1n,
        approved_payout_micros: figures.payoutMicros,
        approved_revenue_micros: figures.revenueMicros,
        approved_sale_micros: figures.saleMicros,
      };
    case 'pending':
      return {
        pending: 1n,
        pending_payout_micros: figures.payoutMicros,
        pending_revenue_micros: figures.revenueMicros,
        pending_sale_micros: figures.saleMicros,
      };
    case 'rejected':
      return { rejected: 1n };
  }
}

export function metricsDifference(
  after: Partial<Record<StatsMetric, bigint>>,
  before: Partial<Record<StatsMetric, bigint>>,
): Partial<Record<StatsMetric, bigint>> {
  const difference: Partial<Record<StatsMetric, bigint>> = {};
  for (const metric of STATS_METRICS) {
    const change = (after[metric] ?? 0n) - (before[metric] ?? 0n);
    if (change !== 0n) difference[metric] = change;
  }
  return difference;
}

function cellKey(delta: StatsDelta): string {
  return `${delta.hour.getTime()}|${delta.offerId}|${delta.partnerId}|${delta.goalId}|${delta.country}|${delta.device}`;
}

/** Sums deltas per cell, so a batch touches each cell once. */
export function mergeDeltas(deltas: Iterable<StatsDelta>): StatsDelta[] {
  const cells = new Map<string, StatsDelta>();
  for (const delta of deltas) {
    const key = cellKey(delta);
    const cell = cells.get(key);
    if (!cell) {
      cells.set(key, { ...delta, metrics: { ...delta.metrics } });
      continue;
    }
    for (const metric of STATS_METRICS) {
      const value = delta.metrics[metric];
      if (value !== undefined) cell.metrics[metric] = (cell.metrics[metric] ?? 0n) + value;
    }
  }
  // One order for every writer, so concurrent transactions lock shared cells in the same order and never deadlock.
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
}

/** Adds the deltas to the statistics in one statement; call it in the transaction of their cause. */
export async function applyStatsDeltas(db: Queryable, deltas: StatsDelta[]): Promise<void> {
  const cells = mergeDeltas(deltas).filter((cell) => STATS_METRICS.some((metric) => (cell.metrics[metric] ?? 0n) !== 0n));
  if (cells.length === 0) return;
  const columns = STATS_METRICS.map((metric) => cells.map((cell) => String(cell.metrics[metric] ?? 0n)));
  await db.query(
    `INSERT INTO stats_hourly (hour, offer_id, partner_id, goal_id, country, device, ${STATS_METRICS.join(', ')})
     SELECT * FROM unnest($1::timestamptz[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[],
       ${STATS_METRICS.map((_, index) => `$${index + 7}::int8[]`).join(', ')})
     ON CONFLICT (hour, offer_id, partner_id, goal_id, country, device) DO UPDATE SET
       ${STATS_METRICS.map((metric) => `${metric} = stats_hourly.${metric} + EXCLUDED.${metric}`).join(', ')}`,
    [
      cells.map((cell) => cell.hour.toISOString()),
      cells.map((cell) => cell.offerId),
      cells.map((cell) => cell.partnerId),
      cells.map((cell) => cell.goalId),
      cells.map((cell) => cell.country),
      cells.map((cell) => cell.device),
      ...columns,
    ],
  );
}
