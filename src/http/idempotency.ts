import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../accounts/principal.ts';
import { setAuditActor } from '../audit/audit-log.ts';
import { requestFingerprint } from './api-key.ts';
import { ConflictError, ValidationError } from '../shared/errors.ts';
import type { Store, Transaction } from '../store/store.ts';

export interface WriteResult {
  statusCode: number;
  /** The exact response body, so a replay answers byte for byte what the first call did. */
  body: string;
  replayed: boolean;
}

export interface WriteRequest {
  principal: Principal;
  idempotencyKey: string | undefined;
  method: string;
  url: string;
  body: unknown;
  /** The caller's address, for the audit log. */
  address?: string;
  /** How long the key answers its first response: IDEMPOTENCY_KEY_LIFETIME unless said. */
  keyLifetime?: string;
}

/** The Idempotency-Key a request carries, the first when it repeats the header. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['idempotency-key'];
  return Array.isArray(header) ? header[0] : header;
}

const MAX_KEY_LENGTH = 255;
/** How long a key answers its first response, as payment APIs keep theirs; after it the key is free again. */
export const IDEMPOTENCY_KEY_LIFETIME = '24 hours';

/**
 * Runs a write in one transaction. With an Idempotency-Key, the key is claimed and the response
 * stored in that same transaction: a retry, even one racing the first call, answers the stored
 * response and changes nothing.
 */
export interface WorkResult {
  statusCode: number;
  body: unknown;
  /** What a replay answers instead, where the first answer holds a secret that is shown once. */
  replayBody?: unknown;
}

export async function runWrite(
  store: Store,
  request: WriteRequest,
  work: (tx: Transaction) => Promise<WorkResult>,
): Promise<WriteResult> {
  const key = request.idempotencyKey;
  const audited = async (tx: Transaction) => {
    await setAuditActor(tx, request.principal, request.address);
    return work(tx);
  };
  if (key === undefined) {
    const result = await store.transaction(audited);
    return { statusCode: result.statusCode, body: JSON.stringify(result.body), replayed: false };
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ValidationError('Idempotency-Key', `must be 1 to ${MAX_KEY_LENGTH} characters`);
  }
  const requestHash = requestFingerprint(request);
  return store.transaction(async (tx) => {
    // An expired key is taken over in the same statement, under its row's lock.
    const claimed = await tx.query(
      `INSERT INTO idempotency_keys AS k (user_id, key, request_hash, status_code, response_body)
       VALUES ($1, $2, $3, 0, '')
       ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status_code = 0, response_body = '', created_at = now()
         WHERE k.created_at < now() - $4::interval
       RETURNING 1`,
      [request.principal.userId, key, requestHash, request.keyLifetime ?? IDEMPOTENCY_KEY_LIFETIME],
    );
    if (claimed.length === 0) {
      const [stored] = await tx.query<{ requestHash: string; statusCode: number; body: string }>(
        `SELECT request_hash AS "requestHash", status_code AS "statusCode", response_body AS body
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [request.principal.userId, key],
      );
      if (stored!.requestHash !== requestHash) {
        throw new ConflictError('This Idempotency-Key was already used with a different request');
      }
      return { statusCode: stored!.statusCode, body: stored!.body, replayed: true };
    }
    const result = await audited(tx);
    const body = JSON.stringify(result.body);
    await tx.query(`UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE user_id = $1 AND key = $2`, [
      request.principal.userId,
      key,
      result.statusCode,
      'replayBody' in result ? JSON.stringify(result.replayBody) : body,
    ]);
    return { statusCode: result.statusCode, body, replayed: false };
  });
}

/** Forgets keys past their lifetime, whose responses no retry can ask for any more; returns how many. */
export async function purgeExpiredIdempotencyKeys(store: Store): Promise<number> {
  const [purged] = await store.query<{ count: number }>(
    `WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - interval '${IDEMPOTENCY_KEY_LIFETIME}' RETURNING 1)
     SELECT count(*)::int AS count FROM gone`,
  );
  return purged!.count;
}
