import type { Queryable } from './store.ts';

/**
 * The logs that grow with every request and are kept only for a while: refused conversions, and
 * each call of a partner's postback. The ledger, its events and the statistics are kept for good.
 */
const LOGS = [
  { table: 'conversion_attempts', dated: 'created_at' },
  { table: 'delivery_attempts', dated: 'attempted_at' },
] as const;

/** A bounded delete, so the first purge of a long-kept log does not hold the store for one long statement. */
const ROWS_A_STATEMENT = 10_000;

/** Forgets the log rows older than `retentionDays` (0 keeps them for good); answers how many went. */
export async function forgetOldLogs(db: Queryable, retentionDays: number): Promise<number> {
  if (retentionDays === 0) return 0;
  let forgotten = 0;
  for (const { table, dated } of LOGS) {
    for (;;) {
      const [gone] = await db.query<{ count: number }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE id IN (
             SELECT id FROM ${table} WHERE ${dated} < now() - make_interval(days => $1) ORDER BY ${dated} LIMIT ${ROWS_A_STATEMENT})
           RETURNING 1)
         SELECT count(*)::int AS count FROM gone`,
        [retentionDays],
      );
      forgotten += gone!.count;
      if (gone!.count < ROWS_A_STATEMENT) break;
    }
  }
  return forgotten;
}
