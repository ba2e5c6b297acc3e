import { cursorPage } from '../shared/paging.ts';
import { SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import type { StatsScope } from './stats-engine.ts';

export interface RefusedConversion {
  id: string;
  at: Date;
  channel: string;
  offerId: number | null;
  transactionId: string | null;
  statusCode: number;
  reason: string;
  existingConversionId: string | null;
  /** What the request asked for: goal, sale amount, status, advertiser sub-IDs, order. */
  request: Record<string, unknown>;
}

export interface RefusedConversionQuery {
  offerId?: number;
  transactionId?: string;
  statusCode?: number;
  /** The last id of the page before. */
  before?: bigint;
  limit: number;
}

/**
 * One page of the refused conversion requests (postbacks, pixels, API calls) a caller may read,
 * newest first: the network all, an advertiser those on its offers. A request that names no known
 * offer and no click is the network's alone to see.
 */
export async function listRefusedConversions(
  db: Queryable,
  scope: Pick<StatsScope, 'advertiserIds'>,
  query: RefusedConversionQuery,
): Promise<{ items: RefusedConversion[]; nextCursor: string | null }> {
  const sql = new SqlParams();
  const where: string[] = [];
  if (scope.advertiserIds) where.push(`a.offer_id IN (SELECT id FROM offers WHERE advertiser_id = ANY(${sql.add(scope.advertiserIds)}::int[]))`);
  if (query.offerId !== undefined) where.push(`a.offer_id = ${sql.add(query.offerId)}`);
  if (query.transactionId !== undefined) where.push(`a.transaction_id = ${sql.add(query.transactionId)}`);
  if (query.statusCode !== undefined) where.push(`a.status_code = ${sql.add(query.statusCode)}`);
  if (query.before !== undefined) where.push(`a.id < ${sql.add(String(query.before))}`);
  const rows = await db.query<RefusedConversion>(
    `SELECT a.id::text, a.created_at AS at, a.channel, a.offer_id AS "offerId", a.transaction_id AS "transactionId",
            a.status_code AS "statusCode", a.reason, a.existing_conversion_id::text AS "existingConversionId",
            coalesce(a.params, '{}') AS request
     FROM conversion_attempts a ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.id DESC LIMIT ${sql.add(query.limit + 1)}`,
    sql.values,
  );
  return cursorPage(rows, query.limit, (row) => row.id);
}
