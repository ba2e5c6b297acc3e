import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../src/store/store.ts';

/**
 * Runs a HasOffers sync (`runOnce`, one pass of the worker) until no task is left to send, or fails
 * naming the tasks still open: HasOffers' 50 calls in 10 seconds may make it wait a while.
 */
export async function settleSync(store: Store, runOnce: () => Promise<unknown>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    await runOnce();
    const [open] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM hasoffers_sync_tasks WHERE status <> 'done'`);
    if (open!.n === 0) return;
    await sleep(10);
  }
  const stuck = await store.query(
    `SELECT conversion_id::text AS conversion, status, attempts, last_error AS error, next_attempt_at::text AS next FROM hasoffers_sync_tasks WHERE status <> 'done'`,
  );
  assert.fail(`the sync did not settle: ${JSON.stringify(stuck)}`);
}
