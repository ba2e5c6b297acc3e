import { parse } from 'csv-parse/sync';
import { MAX_ID, parseId } from '../shared/ids.ts';
import { AMOUNT_FORM, parseMoney } from '../shared/money.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Queryable, Store, Transaction } from '../store/store.ts';
import { findConversion, type Conversion, type ConversionStatus } from './conversion-record.ts';
import { formatMoney } from '../shared/money.ts';
import type { ClickSessions } from './conversions.ts';
import { MAX_ORDER_ID_LENGTH } from './conversion-rules.ts';
import {
  adjustSaleAmount,
  approveConversion,
  markPending,
  reattributeConversion,
  rejectConversion,
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
  /** What the row changed (or, in a preview, would change), in words: "status pending → approved; partner 1 → 2". */
  change?: string;
}

/** A preview runs the whole batch, then takes it back: the results say what each row would do. */
class PreviewDone extends Error {
  readonly results: BatchRowResult[];
  constructor(results: BatchRowResult[]) {
    super('batch preview');
    this.results = results;
  }
}

/** The differences a reader checks, between a conversion before and after a batch. */
export function describeChange(before: Conversion, after: Conversion): string {
  const parts: string[] = [];
  if (after.id !== before.id) parts.push(`re-attributed: partner ${before.partnerId} → ${after.partnerId} (conversion ${before.id} → ${after.id})`);
  if (after.status !== before.status) parts.push(`status ${before.status} → ${after.status}`);
  if (after.saleAmountMicros !== before.saleAmountMicros) parts.push(`sale amount ${formatMoney(before.saleAmountMicros, 2)} → ${formatMoney(after.saleAmountMicros, 2)}`);
  if (after.payoutMicros !== before.payoutMicros) parts.push(`payout ${formatMoney(before.payoutMicros, 2)} → ${formatMoney(after.payoutMicros, 2)}`);
  return parts.join('; ');
}

const STATUSES = ['approved', 'pending', 'rejected', 'reversed'] as const;

/** The longest text each field of a row may hold, whichever form the batch came in. */
export const BATCH_TEXT_LIMITS = { transactionId: 64, orderId: MAX_ORDER_ID_LENGTH, reason: 1000, saleAmount: 32, reattributeTo: 64 } as const;
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
 * The live conversion a row means. A conversion re-attributed since is found where its order went:
 * each match is followed to the conversion that replaced it, so a batch keyed by the old
 * transaction_id still finds the order when it is sent again, or when a refund for it comes later.
 * UNION stops the walk at a conversion it has seen, so no chain can hold it for good.
 */
async function findTarget(db: Queryable, corrector: Corrector, row: BatchRow): Promise<bigint | undefined> {
  if (!row.transactionId && !row.orderId) throw new ValidationError('row', 'name a transaction_id or an order_id');
  const matches = await db.query<{ id: bigint; advertiserId: number }>(
    `WITH RECURSIVE chain (id, advertiser_id, replaced_by_id) AS (
       SELECT id, advertiser_id, replaced_by_id FROM conversions
       WHERE ($1::text IS NULL OR transaction_id = $1) AND ($2::text IS NULL OR order_id = $2)
         AND ($3::int IS NULL OR offer_id = $3) AND ($4::int IS NULL OR goal_id = $4)
       UNION
       SELECT c.id, c.advertiser_id, c.replaced_by_id FROM conversions c JOIN chain ON c.id = chain.replaced_by_id
     )
     SELECT DISTINCT id, advertiser_id AS "advertiserId" FROM chain WHERE replaced_by_id IS NULL ORDER BY id LIMIT 2`,
    [row.transactionId ?? null, row.orderId ?? null, row.offerId ?? null, row.goalId ?? null],
  );
  if (matches.length === 0) return undefined;
  if (matches.length > 1) throw new ValidationError('row', 'more than one conversion matches; add offer_id or goal_id');
  if (corrector.advertiserScope && !corrector.advertiserScope.includes(matches[0]!.advertiserId)) {
    throw new ForbiddenError('that conversion is not on one of your offers');
  }
  return matches[0]!.id;
}

/** Everything a batch says of one conversion, in the order of its rows. */
interface Group {
  conversionId: bigint;
  rows: Array<{ index: number; row: BatchRow; saleAmountMicros?: bigint }>;
}

/** What the rows of one group leave true, and the row that last said each part of it. */
interface Intent {
  holder?: { transactionId: string; row: number; reason: string | null };
  saleAmount?: { micros: bigint; row: number; reason: string | null };
  status?: { status: ConversionStatus; reversal: boolean; row: number; reason: string | null };
}

const errorOutcome = (index: number, error: Error): BatchRowResult => ({ row: index + 1, conversionId: null, outcome: 'error', message: error.message });

const isCallersMistake = (error: unknown): error is Error =>
  error instanceof ValidationError || error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof ConflictError;

/**
 * Folds a group's rows, in file order, into what they leave true of the conversion. A row that
 * could not apply (a reversal of what is not approved) is an error and leaves the rest standing.
 */
function foldGroup(current: Conversion, group: Group, errors: Map<number, Error>): Intent {
  const intent: Intent = {};
  let status: ConversionStatus = current.status;
  for (const { index, row, saleAmountMicros } of group.rows) {
    const reason = row.reason?.trim() || null;
    if (row.status === 'reversed' && status === 'pending') {
      errors.set(index, new ConflictError(`Only an approved conversion can be reversed; ${current.id} is pending`));
      continue;
    }
    if (row.reattributeTo) intent.holder = { transactionId: row.reattributeTo, row: index, reason };
    if (saleAmountMicros !== undefined) intent.saleAmount = { micros: saleAmountMicros, row: index, reason };
    if (row.status === 'reversed') {
      intent.status = status === 'approved' || intent.status?.reversal ? { status: 'rejected', reversal: true, row: index, reason } : intent.status;
      status = 'rejected';
    } else if (row.status) {
      status = row.status;
      intent.status = { status, reversal: false, row: index, reason };
    }
  }
  return intent;
}

/**
 * Brings one conversion to what its rows leave true, changing only what differs: the order's
 * click, then its sale amount, then its status. Answers the rows whose word changed something.
 */
async function applyIntent(tx: Transaction, corrector: Corrector, current: Conversion, intent: Intent): Promise<{ id: bigint; changedRows: Set<number> }> {
  const changedRows = new Set<number>();
  let id = current.id;
  if (intent.holder && intent.holder.transactionId !== current.transactionId) {
    id = (await reattributeConversion(tx, corrector, id, intent.holder.transactionId, intent.holder.reason ?? 're-attributed')).conversion.id;
    changedRows.add(intent.holder.row);
  }
  if (intent.saleAmount && (await adjustSaleAmount(tx, corrector, id, intent.saleAmount.micros, intent.saleAmount.reason)).changed) {
    changedRows.add(intent.saleAmount.row);
  }
  if (intent.status) {
    const { status, reversal, row, reason } = intent.status;
    const fallbackReason = reason ?? `marked ${reversal ? 'reversed' : status} by batch update`;
    const result =
      status === 'approved'
        ? await approveConversion(tx, corrector, id, reason)
        : status === 'pending'
          ? await markPending(tx, corrector, id, reason)
          : await rejectConversion(tx, corrector, id, fallbackReason, reversal ? 'reversed' : 'rejected');
    if (result.changed) changedRows.add(row);
  }
  return { id, changedRows };
}

/**
 * Applies a batch in one transaction. A batch says what is now true of each conversion it names:
 * its rows for one conversion are folded in file order, and only what differs from the ledger is
 * changed, so sending any batch again changes nothing, whatever its rows. A bad row is reported
 * and skipped; the others apply, each conversion on its own savepoint.
 */
export async function applyBatch(
  store: Store,
  sessions: ClickSessions,
  corrector: Corrector,
  rows: BatchRow[],
  { preview = false }: { preview?: boolean } = {},
): Promise<BatchRowResult[]> {
  for (const row of rows) if (row.reattributeTo) await sessions.ensureWritten(row.reattributeTo);
  const applied = store.transaction(async (tx) => {
    const results = new Array<BatchRowResult>(rows.length);
    const errors = new Map<number, Error>();
    const groups = new Map<bigint, Group>();
    // A row may name the order by the click an earlier row of the batch gives it.
    const movedTo = new Map<string, bigint>();
    for (const [index, row] of rows.entries()) {
      try {
        if (row.status && !STATUSES.includes(row.status)) throw new ValidationError('status', `must be one of ${STATUSES.join(', ')}`);
        const saleAmountMicros = row.saleAmount === undefined ? undefined : parseMoney(row.saleAmount);
        if (row.saleAmount !== undefined && (saleAmountMicros === undefined || saleAmountMicros < 0n)) {
          throw new ValidationError('sale_amount', `must be an amount with ${AMOUNT_FORM}, not negative`);
        }
        const id = (await findTarget(tx, corrector, row)) ?? (row.transactionId && !row.orderId ? movedTo.get(row.transactionId) : undefined);
        if (id === undefined) throw new NotFoundError('conversion for', row.transactionId ?? row.orderId!);
        if (row.reattributeTo) movedTo.set(row.reattributeTo, id);
        const group = groups.get(id) ?? { conversionId: id, rows: [] };
        group.rows.push({ index, row, ...(saleAmountMicros === undefined ? {} : { saleAmountMicros }) });
        groups.set(id, group);
      } catch (error) {
        if (!isCallersMistake(error)) throw error;
        errors.set(index, error);
      }
    }
    for (const group of groups.values()) {
      const current = (await findConversion(tx, group.conversionId))!;
      const intent = foldGroup(current, group, errors);
      await tx.query('SAVEPOINT batch_conversion');
      try {
        const { id, changedRows } = await applyIntent(tx, corrector, current, intent);
        await tx.query('RELEASE SAVEPOINT batch_conversion');
        const change = changedRows.size > 0 ? describeChange(current, (await findConversion(tx, id))!) : undefined;
        for (const { index } of group.rows) {
          if (errors.has(index)) continue;
          const updated = changedRows.has(index);
          results[index] = { row: index + 1, conversionId: String(id), outcome: updated ? 'updated' : 'unchanged', ...(updated && change ? { change } : {}) };
        }
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT batch_conversion');
        if (!isCallersMistake(error)) throw error;
        for (const { index } of group.rows) if (!errors.has(index)) errors.set(index, error);
      }
    }
    for (const [index, error] of errors) results[index] = errorOutcome(index, error);
    if (preview) throw new PreviewDone(results);
    return results;
  });
  try {
    return await applied;
  } catch (error) {
    if (error instanceof PreviewDone) return error.results;
    throw error;
  }
}
