import type { Queryable } from '../store/store.ts';
import { inLockOrder, quarterHourOf } from './stats-deltas.ts';

/** A click sent on without being counted: a bot's, or one refused for a reason. */
export interface RefusedClick {
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  outcome: string;
  /** The sub-ID it was judged by (partner_source, else the partner); null where it had none. */
  subId: string | null;
}

/** Adds clicks to the refused-click counts, one row a cell. */
export async function countRefusedClicks(db: Queryable, clicks: readonly RefusedClick[]): Promise<void> {
  if (clicks.length === 0) return;
  const cells = new Map<string, { quarter: number; offerId: number; partnerId: number; outcome: string; subId: string; clicks: number }>();
  for (const click of clicks) {
    const [quarter, offerId, partnerId, subId] = [quarterHourOf(click.createdAt), click.offerId ?? 0, click.partnerId ?? 0, click.subId ?? ''];
    const key = `${quarter}|${offerId}|${partnerId}|${click.outcome}|${subId}`;
    const cell = cells.get(key);
    if (cell) cell.clicks += 1;
    else cells.set(key, { quarter, offerId, partnerId, outcome: click.outcome, subId, clicks: 1 });
  }
  const sorted = inLockOrder(cells);
  await db.query(
    `INSERT INTO refused_clicks (quarter, offer_id, partner_id, outcome, sub_id, clicks)
     SELECT * FROM unnest($1::timestamptz[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int8[])
     ON CONFLICT (quarter, offer_id, partner_id, outcome, sub_id) DO UPDATE SET clicks = refused_clicks.clicks + excluded.clicks`,
    [
      sorted.map((cell) => new Date(cell.quarter).toISOString()),
      sorted.map((cell) => cell.offerId),
      sorted.map((cell) => cell.partnerId),
      sorted.map((cell) => cell.outcome),
      sorted.map((cell) => cell.subId),
      sorted.map((cell) => cell.clicks),
    ],
  );
}
