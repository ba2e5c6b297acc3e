import { cursorPage } from '../shared/paging.ts';
import { SqlParams } from '../shared/sql.ts';
import { nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';
import { CONVERSION_COLUMNS, type Conversion, type ConversionStatus } from '../ledger/conversion-record.ts';
import type { StatsScope } from './stats-engine.ts';

export interface ConversionListQuery {
  /** Local calendar days (YYYY-MM-DD) of the conversion, both inclusive, in `timeZone`. */
  from?: string;
  to?: string;
  timeZone: string;
  status?: ConversionStatus;
  /** The status code it carries: 99 lists those held for review as too soon after their click. */
  statusCode?: number;
  offerId?: number;
  partnerId?: number;
  transactionId?: string;
  orderId?: string;
  /** Only conversions created or changed at or after this instant. */
  updatedSince?: Date;
  /** The last id of the page before. */
  after?: bigint;
  limit: number;
}

/**
 * One page of the conversions a caller may see, oldest first by id, so a client walks the whole
 * ledger page by page and a row added meanwhile lands on a later page instead of shifting them.
 */
export async function listConversions(db: Queryable, scope: StatsScope, query: ConversionListQuery): Promise<{ items: Conversion[]; nextCursor: string | null }> {
  const sql = new SqlParams();
  const where: string[] = [];
  const equal = (column: string, value: unknown) => {
    if (value !== undefined) where.push(`${column} = ${sql.add(value)}`);
  };
  equal('c.partner_id', scope.partnerId);
  if (scope.advertiserIds) where.push(`c.advertiser_id = ANY(${sql.add(scope.advertiserIds)}::int[])`);
  equal('c.status', query.status);
  equal('c.status_code', query.statusCode);
  equal('c.offer_id', query.offerId);
  equal('c.partner_id', query.partnerId);
  equal('c.transaction_id', query.transactionId);
  equal('c.order_id', query.orderId);
  if (query.from) where.push(`c.converted_at >= ${sql.add(startOfLocalDay(query.from, query.timeZone))}`);
  if (query.to) where.push(`c.converted_at < ${sql.add(startOfLocalDay(nextDay(query.to), query.timeZone))}`);
  if (query.updatedSince) where.push(`c.updated_at >= ${sql.add(query.updatedSince)}`);
  if (query.after !== undefined) where.push(`c.id > ${sql.add(String(query.after))}`);
  const rows = await db.query<Conversion>(
    `SELECT ${CONVERSION_COLUMNS} FROM conversions c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY c.id LIMIT ${sql.add(query.limit + 1)}`,
    sql.values,
  );
  return cursorPage(rows, query.limit, (row) => String(row.id));
}
