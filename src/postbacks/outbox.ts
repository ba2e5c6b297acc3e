import type { Conversion } from '../ledger/conversion-record.ts';
import type { Queryable } from '../store/store.ts';
import { expandMacros, macrosFrom } from '../tracking/macros.ts';
import type { ConversionStatus } from '../ledger/conversion-record.ts';
import { operationFor, postbackValues, type ClickContext, type PostbackOperation } from './postback-macros.ts';

interface PostbackRow {
  id: number;
  partnerId: number;
  offerId: number | null;
  goalId: number | null;
  events: PostbackOperation[];
  url: string;
  status: string;
}

/** A conversion as it is now, and its status before the change (null for a new one). */
export interface ConversionChange {
  before: ConversionStatus | null;
  after: Conversion;
}

/**
 * Queues a delivery of what each change tells its partner (see operationFor) to every postback of
 * the partner that listens for that operation on the offer and goal (or on all offers). Called in
 * the ledger event's transaction, so a change and the news of it are committed together or not at all.
 */
export async function enqueuePostbacks(db: Queryable, changes: ConversionChange[]): Promise<number> {
  const told = changes.flatMap(({ before, after }) => {
    const operation = operationFor(before, after.status);
    return operation ? [{ conversion: after, operation }] : [];
  });
  if (told.length === 0) return 0;
  const postbacks = await db.query<PostbackRow>(
    `SELECT id, partner_id AS "partnerId", offer_id AS "offerId", goal_id AS "goalId", events, url, status
     FROM partner_postbacks WHERE partner_id = ANY($1::int[]) AND status <> 'deleted' AND events && $2::text[] ORDER BY id`,
    [[...new Set(told.map(({ conversion }) => conversion.partnerId))], [...new Set(told.map(({ operation }) => operation))]],
  );
  const deliveries: Array<{ postback: PostbackRow; conversion: Conversion; operation: PostbackOperation }> = [];
  for (const { conversion, operation } of told) {
    for (const postback of postbacks) {
      if (postback.partnerId !== conversion.partnerId || !postback.events.includes(operation)) continue;
      if (postback.offerId !== null && postback.offerId !== conversion.offerId) continue;
      if (postback.goalId !== null && postback.goalId !== conversion.goalId) continue;
      deliveries.push({ postback, conversion, operation });
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
        deliveries.map(({ postback, conversion, operation }) => ({
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
