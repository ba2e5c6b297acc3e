import type { Conversion } from '../ledger/conversion-record.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { expandMacros } from '../tracking/macros.ts';
import { postbackValues, type ClickContext, type PostbackOperation } from './postback-macros.ts';

/**
 * Queues a delivery to every postback of the conversion's partner that listens for this
 * operation on this offer and goal (or on all offers). Called in the ledger event's transaction,
 * so a change and the news of it are committed together or not at all.
 */
export async function enqueuePostbacks(db: Queryable, conversion: Conversion, operation: PostbackOperation): Promise<number> {
  const postbacks = await db.query<{ id: number; url: string; status: string }>(
    `SELECT id, url, status FROM partner_postbacks
     WHERE partner_id = $1 AND status <> 'deleted' AND $2 = ANY(events)
       AND (offer_id IS NULL OR offer_id = $3) AND (goal_id IS NULL OR goal_id IS NOT DISTINCT FROM $4)
     ORDER BY id`,
    [conversion.partnerId, operation, conversion.offerId, conversion.goalId],
  );
  if (postbacks.length === 0) return 0;
  const click = conversion.transactionId
    ? first(
        await db.query<ClickContext>(
          `SELECT source, ARRAY[aff_sub1, aff_sub2, aff_sub3, aff_sub4, aff_sub5] AS "affSubs", aff_click_id AS "affClickId",
                  params, ip, created_at AS "createdAt" FROM clicks WHERE transaction_id = $1`,
          [conversion.transactionId],
        ),
      )
    : undefined;
  const [offer] = await db.query<{ name: string }>('SELECT name FROM offers WHERE id = $1', [conversion.offerId]);
  const values = postbackValues(conversion, click, operation, offer!.name);
  for (const postback of postbacks) {
    // A parked endpoint keeps its messages, parked too, for the replay that follows its repair.
    await db.query(`INSERT INTO outbox (postback_id, conversion_id, operation, url, status) VALUES ($1, $2, $3, $4, $5)`, [
      postback.id,
      String(conversion.id),
      operation,
      expandMacros(postback.url, values),
      postback.status === 'parked' ? 'parked' : 'pending',
    ]);
  }
  return postbacks.length;
}
