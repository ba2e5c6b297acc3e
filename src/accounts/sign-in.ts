import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { verifyPassword } from './passwords.ts';
import { secondFactorMatches } from './two-factor.ts';

/**
 * What a sign-in attempt comes to. A wrong email and a wrong password are one answer, so the
 * answer never tells whether an email exists; only someone who knows the password learns more.
 */
export type SignInOutcome =
  | { ok: true; userId: number }
  | { ok: false; userId: number | null; problem: 'wrong_credentials' | 'code_needed' | 'wrong_code' | 'application_pending' | 'application_rejected'; reason?: string };

interface Candidate {
  id: number;
  passwordHash: string | null;
  status: string;
  totpSecret: string | null;
  twoFactor: boolean;
  partnerStatus: string | null;
  reviewReason: string | null;
}

export async function checkSignIn(db: Queryable, attempt: { email: string; password: string; code?: string }): Promise<SignInOutcome> {
  const user = first(
    await db.query<Candidate>(
      `SELECT u.id, u.password_hash AS "passwordHash", u.status, u.totp_secret AS "totpSecret",
              u.totp_enabled_at IS NOT NULL AS "twoFactor", p.status AS "partnerStatus", p.review_reason AS "reviewReason"
       FROM users u LEFT JOIN partners p ON p.id = u.partner_id WHERE lower(u.email) = lower($1)`,
      [attempt.email],
    ),
  );
  const passwordMatches = await verifyPassword(attempt.password, user?.passwordHash ?? null);
  if (!user || !passwordMatches || user.status !== 'active') return { ok: false, userId: user?.id ?? null, problem: 'wrong_credentials' };
  if (user.partnerStatus === 'pending') return { ok: false, userId: user.id, problem: 'application_pending' };
  if (user.partnerStatus === 'rejected') {
    return { ok: false, userId: user.id, problem: 'application_rejected', reason: user.reviewReason ?? undefined };
  }
  if (user.partnerStatus !== null && user.partnerStatus !== 'active') return { ok: false, userId: user.id, problem: 'wrong_credentials' };
  if (user.twoFactor && user.totpSecret) {
    if (!attempt.code) return { ok: false, userId: user.id, problem: 'code_needed' };
    if (!(await secondFactorMatches(db, user.id, user.totpSecret, attempt.code))) return { ok: false, userId: user.id, problem: 'wrong_code' };
  }
  return { ok: true, userId: user.id };
}

export const SIGN_IN_MESSAGES: Record<Exclude<SignInOutcome, { ok: true }>['problem'], string> = {
  wrong_credentials: 'The email or the password is wrong',
  code_needed: 'Enter the six-digit code from your authenticator app, or a recovery code',
  wrong_code: 'That code is wrong or has expired; try the current one',
  application_pending: 'Your application to the network is being reviewed; we will email you when it is decided',
  application_rejected: 'Your application to the network was not accepted',
};
