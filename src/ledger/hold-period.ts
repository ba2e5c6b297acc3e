import type { Store } from '../store/store.ts';
import { approveConversion } from './corrections.ts';

/** Approves pending conversions whose hold period has ended, oldest first; returns how many. */
export async function approveHeldConversions(store: Store, now = new Date(), limit = 500): Promise<number> {
  const due = await store.query<{ id: bigint }>(
    `SELECT id FROM conversions WHERE status = 'pending' AND hold_until IS NOT NULL AND hold_until <= $1 ORDER BY hold_until LIMIT $2`,
    [now, limit],
  );
  for (const { id } of due) {
    await store.transaction(async (tx) => {
      // Checked again under the row lock: someone may have decided it meanwhile.
      const [still] = await tx.query(`SELECT 1 FROM conversions WHERE id = $1 AND status = 'pending' AND hold_until <= $2 FOR UPDATE`, [String(id), now]);
      if (still) await approveConversion(tx, { actor: 'system' }, id, 'hold period ended');
    });
  }
  return due.length;
}
