import type { Queryable } from './store.ts';

/**
 * What grows with every request and is kept only for a while: refused conversions, each call of a
 * partner's postback, the deliveries that are done, and the notifications (but the alerts of
 * lifetime caps, raised once for good). A delivery still to be made or parked (waiting for its
 * partner's replay) is kept, and so are the ledger, its events and the statistics. A delivery goes
 * only once its calls have gone: each call was made before it was delivered.
 */
const LOGS: ReadonlyArray<{ table: string; dated: string; only?: string }> = [
  { table: 'conversion_attempts', dated: 'created_at' },
  { table: 'delivery_attempts', dated: 'attempted_at' },
  {
    table: 'outbox',
    dated: 'delivered_at',
    only: "status = 'delivered' AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.outbox_id = outbox.id)",
  },
  // A lifetime cap's alert is kept: forgotten, it would be raised again for the same lifetime.
  { table: 'notifications', dated: 'created_at', only: "(dedupe_key IS NULL OR dedupe_key NOT LIKE '%:lifetime:%')" },
];

/** A bounded delete, so the first purge of a long-kept log does not hold the store for one long statement. */
const ROWS_A_STATEMENT = 10_000;

/** Forgets the log rows older than `retentionDays` (0 keeps them for good); answers how many went. */
export async function forgetOldLogs(db: Queryable, retentionDays: number): Promise<number> {
  if (retentionDays === 0) return 0;
  let forgotten = 0;
  for (const { table, dated, only } of LOGS) {
    // The conditions are checked again by the delete itself, on the row as it is when deleted.
    const old = [`${dated} < now() - make_interval(days => $1)`, ...(only ? [only] : [])].join(' AND ');
    for (;;) {
      const [gone] = await db.query<{ count: number }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${old} ORDER BY ${dated} LIMIT ${ROWS_A_STATEMENT}) AND ${old}
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
