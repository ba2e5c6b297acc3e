import type { Conversion } from '../ledger/conversion-record.ts';
import type { Queryable } from '../store/store.ts';
import { expandMacros, macrosFrom } from '../tracking/macros.ts';
import { postbackValues, type ClickContext, type PostbackOperation } from './postback-macros.ts';

interface PostbackRow {
  id: number;
  partnerId: number;
  offerId: number | null;
  goalId: number | null;
  events: PostbackOperation[];
  url: string;
  status: string;
}

/**
 * Queues a delivery to every postback of each conversion's partner that listens for the operation
 * on that offer and goal (or on all offers). Called in the ledger event's transaction, so a change
 * and the news of it are committed together or not at all.
 */
export async function enqueuePostbacks(db: Queryable, conversions: Conversion[], operation: PostbackOperation): Promise<number> {
  if (conversions.length === 0) return 0;
  const postbacks = await db.query<PostbackRow>(
    `SELECT id, partner_id AS "partnerId", offer_id AS "offerId", goal_id AS "goalId", events, url, status
     FROM partner_postbacks WHERE partner_id = ANY($1::int[]) AND status <> 'deleted' AND $2 = ANY(events) ORDER BY id`,
    [[...new Set(conversions.map((conversion) => conversion.partnerId))], operation],
  );
  const deliveries: Array<{ postback: PostbackRow; conversion: Conversion }> = [];
  for (const conversion of conversions) {
    for (const postback of postbacks) {
      if (postback.partnerId !== conversion.partnerId) continue;
      if (postback.offerId !== null && postback.offerId !== conversion.offerId) continue;
      if (postback.goalId !== null && postback.goalId !== conversion.goalId) continue;
      deliveries.push({ postback, conversion });
    }
  }
  if (deliveries.length === 0) return 0;
  const transactionIds = [...new Set(deliveries.map(({ conversion }) => conversion.transactionId).filter((id) => id !== null))];
  const clicks = new Map(
    (
      await db.query<ClickContext & { transactionId: string }>(
        `SELECT transaction_id AS "transactionId", source, ARRAY[aff_sub1, aff_sub2, aff_sub3, aff_sub4, aff_sub5] AS "affSubs",
                aff_click_id AS "affClickId", params, ip, created_at AS "createdAt" FROM clicks WHERE transaction_id = ANY($1::text[])`,
        [transactionIds],
      )
    ).map((click) => [click.transactionId, click]),
  );
  const offerNames = new Map(
    (
      await db.query<{ id: number; name: string }>('SELECT id, name FROM offers WHERE id = ANY($1::int[])', [
        [...new Set(deliveries.map(({ conversion }) => conversion.offerId))],
      ])
    ).map((offer) => [offer.id, offer.name]),
  );
  await db.query(
    `INSERT INTO outbox (postback_id, conversion_id, operation, url, status)
     SELECT postback_id, conversion_id, operation, url, status FROM json_populate_recordset(NULL::outbox, $1)`,
    [
      JSON.stringify(
        deliveries.map(({ postback, conversion }) => ({
          postback_id: postback.id,
          conversion_id: String(conversion.id),
          operation,
          url: expandMacros(
            postback.url,
            macrosFrom(postbackValues(conversion, clicks.get(conversion.transactionId ?? ''), operation, offerNames.get(conversion.offerId) ?? '')),
          ),
          // A parked endpoint keeps its messages, parked too, for the replay that follows its repair.
          status: postback.status === 'parked' ? 'parked' : 'pending',
        })),
      ),
    ],
  );
  return deliveries.length;
}
