import type { Store } from '../store/store.ts';
import { approveConversion } from './corrections.ts';

/**
 * Approves every pending conversion whose hold period has ended, oldest first, `batch` at a time
 * until none is left; returns how many. A run drains the backlog, so more conversions maturing in
 * a minute than one batch holds cannot fall further behind with every run.
 */
export async function approveHeldConversions(store: Store, now = new Date(), batch = 500): Promise<number> {
  let approved = 0;
  for (;;) {
    const due = await store.query<{ id: bigint }>(
      `SELECT id FROM conversions WHERE status = 'pending' AND hold_until IS NOT NULL AND hold_until <= $1 ORDER BY hold_until, id LIMIT $2`,
      [now, batch],
    );
    for (const { id } of due) {
      await store.transaction(async (tx) => {
        // Checked again under the row lock: someone may have decided it meanwhile.
        const [still] = await tx.query(`SELECT 1 FROM conversions WHERE id = $1 AND status = 'pending' AND hold_until <= $2 FOR UPDATE`, [String(id), now]);
        if (still) await approveConversion(tx, { actor: 'system' }, id, 'hold period ended');
      });
    }
    approved += due.length;
    if (due.length < batch) return approved;
  }
}
