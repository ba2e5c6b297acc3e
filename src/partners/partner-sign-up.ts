import { createUser, type User } from '../accounts/users.ts';
import { hashPassword, checkNewPassword } from '../accounts/passwords.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/** What a would-be partner tells the network when it applies. */
export interface PartnerApplicationInput {
  company: string;
  name: string;
  email: string;
  password: string;
  website?: string;
  trafficSources: string;
  promotion: string;
}

export interface PartnerApplication {
  partnerId: number;
  company: string | null;
  contactName: string;
  email: string;
  website: string | null;
  trafficSources: string | null;
  promotion: string | null;
  status: 'pending' | 'active' | 'rejected' | 'blocked' | 'deleted';
  emailConfirmed: boolean;
  reviewReason: string | null;
  appliedAt: Date;
  reviewedAt: Date | null;
}

const APPLICATION_COLUMNS = `p.id AS "partnerId", p.company, u.name AS "contactName", u.email, p.website,
  p.traffic_sources AS "trafficSources", p.promotion, p.status, u.email_confirmed_at IS NOT NULL AS "emailConfirmed",
  p.review_reason AS "reviewReason", p.created_at AS "appliedAt", p.reviewed_at AS "reviewedAt"`;

/** Files an application: a pending partner and its first user, who may sign in once approved. */
export async function applyAsPartner(db: Queryable, input: PartnerApplicationInput): Promise<{ application: PartnerApplication; user: User }> {
  checkNewPassword(input.password);
  for (const field of ['company', 'name', 'trafficSources', 'promotion'] as const) {
    if (input[field].trim() === '') throw new ValidationError(field, 'must not be empty');
  }
  if (input.website && !URL.canParse(input.website)) throw new ValidationError('website', 'must be a URL such as https://example.com');
  const [partner] = await db.query<{ id: number }>(
    `INSERT INTO partners (name, email, website, status, company, traffic_sources, promotion)
     VALUES ($1, $2, $3, 'pending', $1, $4, $5) RETURNING id`,
    [input.company.trim(), input.email, input.website || null, input.trafficSources.trim(), input.promotion.trim()],
  );
  const user = await createUser(db, {
    email: input.email,
    name: input.name,
    role: 'partner',
    partnerId: partner!.id,
    passwordHash: await hashPassword(input.password),
    apiAccess: false,
  });
  return { application: await getPartnerApplication(db, partner!.id), user };
}

export async function getPartnerApplication(db: Queryable, partnerId: number): Promise<PartnerApplication> {
  const application = first(
    await db.query<PartnerApplication>(
      `SELECT ${APPLICATION_COLUMNS} FROM partners p JOIN LATERAL (SELECT * FROM users WHERE partner_id = p.id ORDER BY id LIMIT 1) u ON TRUE
       WHERE p.id = $1 AND p.traffic_sources IS NOT NULL`,
      [partnerId],
    ),
  );
  if (!application) throw new NotFoundError('partner application', partnerId);
  return application;
}

export async function listPartnerApplications(db: Queryable, status: 'pending' | 'active' | 'rejected' | undefined): Promise<PartnerApplication[]> {
  return db.query<PartnerApplication>(
    `SELECT ${APPLICATION_COLUMNS} FROM partners p JOIN LATERAL (SELECT * FROM users WHERE partner_id = p.id ORDER BY id LIMIT 1) u ON TRUE
     WHERE p.traffic_sources IS NOT NULL AND ($1::text IS NULL OR p.status = $1) ORDER BY p.id DESC`,
    [status ?? null],
  );
}

/** Approves or rejects a pending application; deciding it again the same way changes nothing. */
export async function decidePartnerApplication(
  db: Queryable,
  partnerId: number,
  decision: 'approve' | 'reject',
  reason: string | null,
): Promise<{ application: PartnerApplication; changed: boolean }> {
  const current = await getPartnerApplication(db, partnerId);
  const status = decision === 'approve' ? 'active' : 'rejected';
  if (current.status === status) return { application: current, changed: false };
  if (current.status !== 'pending') throw new ConflictError(`This application was already decided (${current.status})`);
  if (decision === 'reject' && !reason?.trim()) throw new ValidationError('reason', 'say why the application is rejected; the partner reads it');
  await db.query('UPDATE partners SET status = $2, review_reason = $3, reviewed_at = now(), updated_at = now() WHERE id = $1', [
    partnerId,
    status,
    reason?.trim() || null,
  ]);
  await db.query(`INSERT INTO notifications (partner_id, kind, message) VALUES ($1, $2, $3)`, [
    partnerId,
    decision === 'approve' ? 'application_approved' : 'application_rejected',
    decision === 'approve' ? 'Welcome: your application to the network is approved' : `Your application was not accepted: ${reason}`,
  ]);
  return { application: await getPartnerApplication(db, partnerId), changed: true };
}
