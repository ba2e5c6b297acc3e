import { createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

export type LinkPurpose = 'invitation' | 'password_reset' | 'email_confirmation';

/** How long each emailed link works. */
const LIFETIME_HOURS: Record<LinkPurpose, number> = { invitation: 7 * 24, password_reset: 1, email_confirmation: 7 * 24 };

/** Where each link opens in the portal. */
export const LINK_PAGE: Record<LinkPurpose, string> = {
  invitation: '/accept-invitation',
  password_reset: '/reset-password',
  email_confirmation: '/confirm-email',
};

const hashOf = (token: string) => createHash('sha256').update(token).digest();

/** A fresh link's token; an earlier unused link of the same purpose stops working. */
export async function issueLinkToken(db: Queryable, userId: number, purpose: LinkPurpose): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('UPDATE account_links SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose]);
  await db.query(
    `INSERT INTO account_links (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [hashOf(token), userId, purpose, LIFETIME_HOURS[purpose]],
  );
  return token;
}

export function linkUrl(publicUrl: string, purpose: LinkPurpose, token: string): string {
  return `${publicUrl}${LINK_PAGE[purpose]}?token=${encodeURIComponent(token)}`;
}

/** Spends a link: the user it was for, or a validation error when it is unknown, used or expired. */
export async function useLinkToken(db: Queryable, token: string, purpose: LinkPurpose): Promise<number> {
  const row = first(
    await db.query<{ userId: number }>(
      `UPDATE account_links SET used_at = now()
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id AS "userId"`,
      [hashOf(token), purpose],
    ),
  );
  if (!row) throw new ValidationError('token', 'this link is unknown, already used or expired; ask for a new one');
  return row.userId;
}
