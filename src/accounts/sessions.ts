import { createHash, randomBytes } from 'node:crypto';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import type { Principal, Role } from './principal.ts';

/** A session ends after this long without use, and in any case this long after sign-in. */
export const SESSION_IDLE_HOURS = 12;
export const SESSION_LIFETIME_DAYS = 7;
/** Last use is recorded at most this often per session, so reads do not each cost a write. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface StartedSession {
  /** The cookie's value: shown once, kept only as its SHA-256. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionPrincipal extends Principal {
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest();

export async function startSession(db: Queryable, userId: number, where: { address: string; userAgent: string | undefined }): Promise<StartedSession> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const rows = await db.query<{ expiresAt: Date }>(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, address, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING expires_at AS "expiresAt"`,
    [hashOf(id), userId, csrfToken, where.address, where.userAgent?.slice(0, 500) ?? null, SESSION_LIFETIME_DAYS],
  );
  return { id, csrfToken, expiresAt: rows[0]!.expiresAt };
}

const lastRecordedUse = new Map<string, number>();

/** The user behind a live session, or undefined for an unknown, ended, expired or disabled one. */
export async function findSession(db: Queryable, id: string): Promise<SessionPrincipal | undefined> {
  const row = first(
    await db.query<Omit<SessionPrincipal, 'keyId' | 'sessionId'> & { role: Role }>(
      `SELECT u.id AS "userId", u.role, u.advertiser_id AS "advertiserId", u.partner_id AS "partnerId",
              u.agency_id AS "agencyId", s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - make_interval(hours => $2) AND u.status = 'active'`,
      [hashOf(id), SESSION_IDLE_HOURS],
    ),
  );
  if (!row) return undefined;
  const now = Date.now();
  if (now - (lastRecordedUse.get(id) ?? 0) >= LAST_SEEN_RESOLUTION_MS) {
    if (lastRecordedUse.size > 10_000) lastRecordedUse.clear();
    lastRecordedUse.set(id, now);
    await db.query('UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1', [hashOf(id)]);
  }
  return { ...row, keyId: null, sessionId: id };
}

export async function endSession(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL', [hashOf(id)]);
}

/** Ends every session of a user ("sign out everywhere", a new password, a disabled user). Answers how many. */
export async function endAllSessions(db: Queryable, userId: number): Promise<number> {
  const rows = await db.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1', [userId]);
  return rows.length;
}
