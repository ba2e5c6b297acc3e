import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import type { Principal, Role } from './principal.ts';

/** A key is shown once, when it is made; the store keeps only its SHA-256. */
export interface IssuedKey {
  id: number;
  userId: number;
  name: string;
  key: string;
}

export interface ApiKeyInfo {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_PREFIX = 'pl_';
const SHOWN_PREFIX_LENGTH = 10;
/** Last use is recorded at most this often per key, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function newKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The demo accounts' keys derive from the network's demo secret, so `demo` can print them again. */
export function demoKeySecret(demoSecret: Uint8Array, userId: number): string {
  return KEY_PREFIX + createHmac('sha256', demoSecret).update(`demo-user:${userId}`).digest('base64url');
}

/** The demo accounts' portal passwords derive from the same secret, so they can be printed again too. */
export function demoPassword(demoSecret: Uint8Array, userId: number): string {
  return 'demo-' + createHmac('sha256', demoSecret).update(`demo-password:${userId}`).digest('base64url').slice(0, 12);
}

export async function issueKey(db: Queryable, userId: number, name = 'default', secret = newKeySecret()): Promise<IssuedKey> {
  const users = await db.query('SELECT 1 FROM users WHERE id = $1', [userId]);
  if (users.length === 0) throw new NotFoundError('user', userId);
  const rows = await db.query<{ id: number }>(
    `INSERT INTO api_keys (user_id, name, prefix, secret_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (secret_hash) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [userId, name, secret.slice(0, SHOWN_PREFIX_LENGTH), hashKey(secret)],
  );
  return { id: rows[0]!.id, userId, name, key: secret };
}

/** Whether a key with this secret exists and still works. */
export async function isKeyActive(db: Queryable, secret: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL', [hashKey(secret)]);
  return rows.length > 0;
}

const KEY_COLUMNS = `id, user_id AS "userId", name, prefix, created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function listKeys(db: Queryable, userId?: number): Promise<ApiKeyInfo[]> {
  return userId === undefined
    ? db.query<ApiKeyInfo>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY id`)
    : db.query<ApiKeyInfo>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id`, [userId]);
}

export async function getKey(db: Queryable, keyId: number): Promise<ApiKeyInfo> {
  const key = first(await db.query<ApiKeyInfo>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [keyId]));
  if (!key) throw new NotFoundError('API key', keyId);
  return key;
}

/** Stops a key at once. Revoking a revoked key is a no-op, so the call is safe to retry. */
export async function revokeKey(db: Queryable, keyId: number): Promise<ApiKeyInfo> {
  await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [keyId]);
  return getKey(db, keyId);
}

/** Replaces a key with a new one of the same name; the old one stops working in the same transaction. */
export async function rotateKey(db: Queryable, keyId: number): Promise<IssuedKey> {
  const old = await getKey(db, keyId);
  if (old.revokedAt) throw new ConflictError(`API key ${keyId} is revoked; it can no longer be refreshed`);
  const issued = await issueKey(db, old.userId, old.name);
  await db.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()), replaced_by = $2 WHERE id = $1', [
    keyId,
    issued.id,
  ]);
  return issued;
}

const lastRecordedUse = new Map<number, number>();

/** The principal behind a working key, or undefined for an unknown, revoked or disabled one. */
export async function authenticate(db: Queryable, secret: string): Promise<Principal | undefined> {
  const row = first(
    await db.query<{
      keyId: number;
      userId: number;
      role: Role;
      advertiserId: number | null;
      partnerId: number | null;
      agencyId: number | null;
    }>(
      `SELECT k.id AS "keyId", u.id AS "userId", u.role, u.advertiser_id AS "advertiserId",
              u.partner_id AS "partnerId", u.agency_id AS "agencyId"
       FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND u.status = 'active'`,
      [hashKey(secret)],
    ),
  );
  if (!row) return undefined;
  const now = Date.now();
  if (now - (lastRecordedUse.get(row.keyId) ?? 0) >= LAST_USED_RESOLUTION_MS) {
    lastRecordedUse.set(row.keyId, now);
    await db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.keyId]);
  }
  return row;
}
