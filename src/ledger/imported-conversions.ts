import { randomUUID } from 'node:crypto';
import type { Transaction } from '../store/store.ts';
import { CONVERSION_COLUMNS, findConversion, type Conversion } from './conversion-record.ts';
import { moveStats, recordEvent } from './ledger-writes.ts';

/**
 * Conversions brought over from another network as that network recorded them: its amounts, status
 * and time stand, so no terms, caps or hold periods apply, and no partner is told (the other network
 * told them when it happened).
 */
export type ImportedConversion = Pick<
  Conversion,
  | 'offerId'
  | 'goalId'
  | 'partnerId'
  | 'advertiserId'
  | 'status'
  | 'statusCode'
  | 'currency'
  | 'saleAmountMicros'
  | 'payoutMicros'
  | 'revenueMicros'
  | 'payoutType'
  | 'revenueType'
  | 'transactionId'
  | 'ip'
  | 'country'
  | 'convertedAt'
> & {
  /** The advertiser's sub (HasOffers' advertiser_info), kept as adv_sub1. */
  advSub: string | null;
};

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

/** Writes an imported conversion, or brings the one imported before (`existingId`) to the other network's present state. */
export async function importConversion(
  tx: Transaction,
  actor: string,
  wanted: ImportedConversion,
  existingId: bigint | undefined,
): Promise<{ id: bigint; outcome: ImportOutcome }> {
  const before = existingId === undefined ? undefined : await findConversion(tx, existingId);
  if (!before) {
    const [row] = await tx.query<Conversion>(
      `INSERT INTO conversions AS c (seq, transaction_id, offer_id, goal_id, partner_id, advertiser_id, status, status_code, reason, currency,
         sale_amount_micros, payout_micros, revenue_micros, payout_type, revenue_type, payout_rule, adv_sub1, ip, country, converted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'imported', $9, $10, $11, $12, $13, $14, 'imported', $15, $16, $17, $18)
       RETURNING ${CONVERSION_COLUMNS}`,
      [
        randomUUID(),
        wanted.transactionId,
        wanted.offerId,
        wanted.goalId,
        wanted.partnerId,
        wanted.advertiserId,
        wanted.status,
        wanted.statusCode,
        wanted.currency,
        String(wanted.saleAmountMicros),
        String(wanted.payoutMicros),
        String(wanted.revenueMicros),
        wanted.payoutType,
        wanted.revenueType,
        wanted.advSub,
        wanted.ip,
        wanted.country,
        wanted.convertedAt,
      ],
    );
    await recordEvent(tx, 'created', actor, 'imported', null, row!);
    await moveStats(tx, null, row!);
    return { id: row!.id, outcome: 'created' };
  }
  // What the other network can change after the fact: the status and the amounts.
  const same =
    before.status === wanted.status &&
    before.saleAmountMicros === wanted.saleAmountMicros &&
    before.payoutMicros === wanted.payoutMicros &&
    before.revenueMicros === wanted.revenueMicros;
  if (same) return { id: before.id, outcome: 'unchanged' };
  const [after] = await tx.query<Conversion>(
    `UPDATE conversions c SET status = $2, status_code = $3, sale_amount_micros = $4, payout_micros = $5, revenue_micros = $6, updated_at = now()
     WHERE c.id = $1 RETURNING ${CONVERSION_COLUMNS}`,
    [String(before.id), wanted.status, wanted.statusCode, String(wanted.saleAmountMicros), String(wanted.payoutMicros), String(wanted.revenueMicros)],
  );
  await recordEvent(tx, before.status === wanted.status ? 'adjusted' : wanted.status, actor, 'imported again', before, after!);
  await moveStats(tx, before, after!);
  return { id: before.id, outcome: 'updated' };
}
