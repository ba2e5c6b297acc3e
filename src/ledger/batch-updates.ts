import { parse } from 'csv-parse/sync';
import { MAX_ID, parseId } from '../shared/ids.ts';
import { AMOUNT_FORM, parseMoney } from '../shared/money.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Queryable, Store } from '../store/store.ts';
import type { ClickSessions } from './conversions.ts';
import {
  adjustSaleAmount,
  approveConversion,
  markPending,
  reattributeConversion,
  rejectConversion,
  reverseConversion,
  type Corrector,
} from './corrections.ts';

/** One line of an advertiser's late update: which conversion, and what is now true of it. */
export interface BatchRow {
  transactionId?: string;
  orderId?: string;
  offerId?: number;
  goalId?: number;
  status?: 'approved' | 'pending' | 'rejected' | 'reversed';
  reason?: string;
  saleAmount?: string;
  reattributeTo?: string;
}

export interface BatchRowResult {
  row: number;
  conversionId: string | null;
  outcome: 'updated' | 'unchanged' | 'error';
  message?: string;
}

const STATUSES = ['approved', 'pending', 'rejected', 'reversed'] as const;

/** The longest text each field of a row may hold, whichever form the batch came in. */
export const BATCH_TEXT_LIMITS = { transactionId: 64, orderId: 255, reason: 1000, saleAmount: 32, reattributeTo: 64 } as const;
const TEXT_LIMITS: Partial<Record<keyof BatchRow, number>> = BATCH_TEXT_LIMITS;

/** CSV columns, with the aliases advertisers' exports use. */
const CSV_COLUMNS: Record<string, keyof BatchRow> = {
  transaction_id: 'transactionId',
  order_id: 'orderId',
  adv_sub: 'orderId',
  offer_id: 'offerId',
  goal_id: 'goalId',
  status: 'status',
  reason: 'reason',
  sale_amount: 'saleAmount',
  amount: 'saleAmount',
  reattribute_to: 'reattributeTo',
  new_transaction_id: 'reattributeTo',
};

/** The header's names, each known and each field named once: an alias beside its column would leave the value to chance. */
function csvHeader(header: string[]): string[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const seen = new Map<keyof BatchRow, string>();
  for (const name of names) {
    const field = CSV_COLUMNS[name];
    if (!field) throw new Error(`unknown column "${name}"; known: ${Object.keys(CSV_COLUMNS).join(', ')}`);
    const earlier = seen.get(field);
    if (earlier !== undefined) throw new Error(earlier === name ? `column "${name}" appears twice` : `columns "${earlier}" and "${name}" name the same thing`);
    seen.set(field, name);
  }
  return names;
}

/** A CSV batch as rows, held to the limits a JSON batch's schema sets; a mistake names its row, counted as the results count them. */
export function parseBatchCsv(text: string): BatchRow[] {
  let records: Array<Record<string, string>>;
  try {
    records = parse(text, { columns: csvHeader, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ValidationError('csv', (error as Error).message);
  }
  return records.map((record, index) => {
    const row: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(record)) {
      if (value === '') continue;
      const field = CSV_COLUMNS[column]!;
      const at = `row ${index + 1}, ${column}`;
      if (field === 'offerId' || field === 'goalId') {
        const id = parseId(value);
        if (!id) throw new ValidationError(at, `must be a whole number from 1 to ${MAX_ID}`);
        row[field] = id;
      } else {
        const limit = TEXT_LIMITS[field];
        if (limit !== undefined && value.length > limit) throw new ValidationError(at, `must be at most ${limit} characters`);
        row[field] = value;
      }
    }
    return row as BatchRow;
  });
}

/**
 * The conversion a row means. A conversion re-attributed since is found where its order went: each
 * match is followed to the conversion that replaced it, so a batch keyed by the old transaction_id
 * still finds the order when it is sent again, or when a refund for it comes later.
 */
async function findTarget(db: Queryable, corrector: Corrector, row: BatchRow): Promise<bigint> {
  if (!row.transactionId && !row.orderId) throw new ValidationError('row', 'name a transaction_id or an order_id');
  const matches = await db.query<{ id: bigint; advertiserId: number }>(
    `WITH RECURSIVE chain (id, advertiser_id, replaced_by_id) AS (
       SELECT id, advertiser_id, replaced_by_id FROM conversions
       WHERE ($1::text IS NULL OR transaction_id = $1) AND ($2::text IS NULL OR order_id = $2)
         AND ($3::int IS NULL OR offer_id = $3) AND ($4::int IS NULL OR goal_id = $4)
       UNION
       SELECT c.id, c.advertiser_id, c.replaced_by_id FROM conversions c JOIN chain ON c.id = chain.replaced_by_id
     )
     SELECT id, advertiser_id AS "advertiserId" FROM chain WHERE replaced_by_id IS NULL ORDER BY id LIMIT 2`,
    [row.transactionId ?? null, row.orderId ?? null, row.offerId ?? null, row.goalId ?? null],
  );
  if (matches.length === 0) throw new NotFoundError('conversion for', row.transactionId ?? row.orderId!);
  if (matches.length > 1) throw new ValidationError('row', 'more than one conversion matches; add offer_id or goal_id');
  if (corrector.advertiserScope && !corrector.advertiserScope.includes(matches[0]!.advertiserId)) {
    throw new ForbiddenError('that conversion is not on one of your offers');
  }
  return matches[0]!.id;
}

/**
 * Applies a batch in one transaction, each row on its own savepoint: a bad row is reported and
 * skipped, the others apply. Every step sets a state rather than adding to one, so sending the
 * same batch again changes nothing.
 */
export async function applyBatch(store: Store, sessions: ClickSessions, corrector: Corrector, rows: BatchRow[]): Promise<BatchRowResult[]> {
  for (const row of rows) if (row.reattributeTo) await sessions.ensureWritten(row.reattributeTo);
  return store.transaction(async (tx) => {
    const results: BatchRowResult[] = [];
    for (const [index, row] of rows.entries()) {
      await tx.query('SAVEPOINT batch_row');
      try {
        if (row.status && !STATUSES.includes(row.status)) throw new ValidationError('status', `must be one of ${STATUSES.join(', ')}`);
        let id = await findTarget(tx, corrector, row);
        let changed = false;
        const reason = row.reason?.trim() || null;
        if (row.reattributeTo) {
          const result = await reattributeConversion(tx, corrector, id, row.reattributeTo, reason ?? 're-attributed');
          id = result.conversion.id;
          changed ||= result.changed;
        }
        if (row.saleAmount !== undefined) {
          const micros = parseMoney(row.saleAmount);
          if (micros === undefined) throw new ValidationError('sale_amount', `must be an amount with ${AMOUNT_FORM}`);
          changed ||= (await adjustSaleAmount(tx, corrector, id, micros, reason)).changed;
        }
        if (row.status) {
          const fallbackReason = reason ?? `marked ${row.status} by batch update`;
          const result =
            row.status === 'approved'
              ? await approveConversion(tx, corrector, id, reason)
              : row.status === 'pending'
                ? await markPending(tx, corrector, id, reason)
                : row.status === 'reversed'
                  ? await reverseConversion(tx, corrector, id, fallbackReason)
                  : await rejectConversion(tx, corrector, id, fallbackReason);
          changed ||= result.changed;
        }
        await tx.query('RELEASE SAVEPOINT batch_row');
        results.push({ row: index + 1, conversionId: String(id), outcome: changed ? 'updated' : 'unchanged' });
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT batch_row');
        if (!(error instanceof ValidationError || error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof ConflictError)) {
          throw error;
        }
        results.push({ row: index + 1, conversionId: null, outcome: 'error', message: error.message });
      }
    }
    return results;
  });
}
