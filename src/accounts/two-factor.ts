import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { ConflictError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

const RECOVERY_CODES = 10;
/** A code from the step before or after is taken too: phones' clocks drift. */
const EPOCH_TOLERANCE_SECONDS = 30;

const hashOf = (code: string) => createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest();

export interface TotpEnrolment {
  secret: string;
  /** What an authenticator app reads (as a QR code or typed in). */
  uri: string;
}

/** Starts enrolment: a new secret, not in force until a code from it is confirmed. */
export async function beginTotp(db: Queryable, userId: number, email: string, issuer: string): Promise<TotpEnrolment> {
  const secret = generateSecret();
  const rows = await db.query('UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL RETURNING 1', [userId, secret]);
  if (rows.length === 0) throw new ConflictError('Two-factor sign-in is already on; turn it off first');
  return { secret, uri: generateURI({ issuer, label: email, secret }) };
}

export async function codeMatches(secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verify({ secret, token: code, epochTolerance: EPOCH_TOLERANCE_SECONDS });
  return result.valid;
}

/** Turns two-factor sign-in on with a first code; answers the recovery codes, shown once. */
export async function confirmTotp(db: Queryable, userId: number, code: string): Promise<string[]> {
  const user = first(await db.query<{ secret: string | null; on: boolean }>(
    'SELECT totp_secret AS secret, totp_enabled_at IS NOT NULL AS on FROM users WHERE id = $1', [userId]));
  if (!user?.secret) throw new ConflictError('Start two-factor set-up first');
  if (user.on) throw new ConflictError('Two-factor sign-in is already on');
  if (!(await codeMatches(user.secret, code))) throw new ValidationError('code', 'does not match; check the time on your phone and try the current code');
  await db.query('UPDATE users SET totp_enabled_at = now() WHERE id = $1', [userId]);
  return newRecoveryCodes(db, userId);
}

export async function newRecoveryCodes(db: Queryable, userId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODES }, () => randomBytes(5).toString('hex').replace(/^(.{5})/, '$1-'));
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  for (const code of codes) await db.query('INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)', [userId, hashOf(code)]);
  return codes;
}

export async function disableTotp(db: Queryable, userId: number): Promise<void> {
  await db.query('UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE id = $1', [userId]);
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
}

/** Whether a second factor is right: a current code, or a recovery code not used before (then used up). */
export async function secondFactorMatches(db: Queryable, userId: number, secret: string, code: string): Promise<boolean> {
  if (await codeMatches(secret, code.trim())) return true;
  const used = await db.query(
    'UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1',
    [userId, hashOf(code)],
  );
  return used.length > 0;
}
