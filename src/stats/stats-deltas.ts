import type { Queryable } from '../store/store.ts';

/** A change to the statistics: what moved, where and when. */
export interface StatsDelta {
  /** When it happened; cells are kept by quarter hour, which every time zone's days are made of. */
  at: Date;
  offerId: number;
  partnerId: number;
  goalId: number;
  country: string;
  device: string;
  source: string;
  sub1: string;
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

const QUARTER_HOUR_MS = 900_000;

export function quarterHourOf(instant: Date): number {
  return Math.floor(instant.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
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
  return `${quarterHourOf(delta.at)}|${delta.offerId}|${delta.partnerId}|${delta.goalId}|${delta.country}|${delta.device}|${delta.source}|${delta.sub1}`;
}

/** Sums deltas per cell, so a batch touches each cell once. */
export function mergeDeltas(deltas: Iterable<StatsDelta>): StatsDelta[] {
  const cells = new Map<string, StatsDelta>();
  for (const delta of deltas) {
    const key = cellKey(delta);
    const cell = cells.get(key);
    if (!cell) {
      cells.set(key, { ...delta, at: new Date(quarterHourOf(delta.at)), metrics: { ...delta.metrics } });
      continue;
    }
    for (const metric of STATS_METRICS) {
      const value = delta.metrics[metric];
      if (value !== undefined) cell.metrics[metric] = (cell.metrics[metric] ?? 0n) + value;
    }
  }
  return inLockOrder(cells);
}

/** Cells by their key: one order for every writer, so concurrent transactions lock shared cells in the same order and never deadlock. */
export function inLockOrder<T>(cells: Map<string, T>): T[] {
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
}

const DELTA_PARAMETERS = [
  ['at', 'timestamptz'],
  ['offer_id', 'int'],
  ['partner_id', 'int'],
  ['goal_id', 'int'],
  ['country', 'text'],
  ['device', 'text'],
  ['source', 'text'],
  ['sub1', 'text'],
  ...STATS_METRICS.map((metric) => [metric, 'int8']),
];

/** The roll-ups and their SQL live in the store (apply_stats_deltas, migration 004), which keeps its plans. */
const APPLY_DELTAS_SQL = `SELECT apply_stats_deltas(${DELTA_PARAMETERS.map(([name, type], index) => `p_${name} => $${index + 1}::${type}[]`).join(', ')})`;

/** Adds the deltas to every roll-up in one call; make it in the transaction of their cause. */
export async function applyStatsDeltas(db: Queryable, deltas: StatsDelta[]): Promise<void> {
  const cells = mergeDeltas(deltas).filter((cell) => STATS_METRICS.some((metric) => (cell.metrics[metric] ?? 0n) !== 0n));
  if (cells.length === 0) return;
  await db.query(APPLY_DELTAS_SQL, [
    cells.map((cell) => cell.at.toISOString()),
    cells.map((cell) => cell.offerId),
    cells.map((cell) => cell.partnerId),
    cells.map((cell) => cell.goalId),
    cells.map((cell) => cell.country),
    cells.map((cell) => cell.device),
    cells.map((cell) => cell.source),
    cells.map((cell) => cell.sub1),
    ...STATS_METRICS.map((metric) => cells.map((cell) => String(cell.metrics[metric] ?? 0n))),
  ]);
}
