import type { Principal } from '../accounts/principal.ts';
import { visibleAdvertisers } from '../accounts/scope.ts';
import { findOffer } from '../offers/offers.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first, SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/**
 * Applications to approval-required offers: a partner applies with a note; the offer's
 * advertiser (or its agency) or the network approves or rejects with a reason.
 */
export interface OfferApplication {
  offerId: number;
  offerName: string;
  advertiserId: number;
  partnerId: number;
  partnerName: string;
  status: 'pending' | 'approved' | 'rejected' | 'blocked';
  note: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `ap.offer_id AS "offerId", o.name AS "offerName", o.advertiser_id AS "advertiserId", ap.partner_id AS "partnerId",
  p.name AS "partnerName", ap.status, ap.notes AS note, ap.reason, ap.created_at AS "createdAt", ap.updated_at AS "updatedAt"`;
const FROM = `approvals ap JOIN offers o ON o.id = ap.offer_id JOIN advertisers a ON a.id = o.advertiser_id JOIN partners p ON p.id = ap.partner_id`;

function visibleTo(principal: Principal, params: SqlParams): string {
  return principal.role === 'partner' ? `ap.partner_id = ${params.add(principal.partnerId)}` : visibleAdvertisers(principal, 'a', params);
}

export async function listOfferApplications(
  db: Queryable,
  principal: Principal,
  filter: { status?: OfferApplication['status']; offerId?: number },
): Promise<OfferApplication[]> {
  const params = new SqlParams();
  const conditions = [visibleTo(principal, params)];
  if (filter.status) conditions.push(`ap.status = ${params.add(filter.status)}`);
  if (filter.offerId) conditions.push(`ap.offer_id = ${params.add(filter.offerId)}`);
  return db.query<OfferApplication>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${conditions.join(' AND ')} ORDER BY ap.updated_at DESC LIMIT 1000`, params.values);
}

async function getApplication(db: Queryable, principal: Principal, offerId: number, partnerId: number): Promise<OfferApplication> {
  const params = new SqlParams();
  const application = first(
    await db.query<OfferApplication>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ap.offer_id = ${params.add(offerId)} AND ap.partner_id = ${params.add(partnerId)} AND ${visibleTo(principal, params)}`,
      params.values,
    ),
  );
  if (!application) throw new NotFoundError('application', `${offerId}/${partnerId}`);
  return application;
}

/** A partner applies to an offer that asks for approval; applying again while it waits changes nothing. */
export async function applyToOffer(db: Queryable, principal: Principal, offerId: number, note: string | null): Promise<OfferApplication> {
  if (principal.role !== 'partner') throw new ForbiddenError('Only partners apply to offers');
  const partnerId = principal.partnerId!;
  const offer = await findOffer(db, offerId);
  // A private offer is invisible to partners not invited: it answers as an unknown one.
  if (!offer || offer.status === 'deleted' || offer.visibility === 'private') throw new NotFoundError('offer', offerId);
  if (offer.visibility === 'open') throw new ConflictError('This offer is open to every partner: no application is needed');
  const current = first(await db.query<{ status: string }>('SELECT status FROM approvals WHERE offer_id = $1 AND partner_id = $2', [offerId, partnerId]));
  if (current?.status === 'blocked') throw new NotFoundError('offer', offerId);
  if (current?.status !== 'pending' && current?.status !== 'approved') {
    await db.query(
      `INSERT INTO approvals (offer_id, partner_id, status, notes) VALUES ($1, $2, 'pending', $3)
       ON CONFLICT (offer_id, partner_id) DO UPDATE SET status = 'pending', notes = EXCLUDED.notes, reason = NULL, decided_by = NULL, updated_at = now()`,
      [offerId, partnerId, note?.trim() || null],
    );
    await db.query(`INSERT INTO notifications (advertiser_id, offer_id, kind, message) VALUES ($1, $2, 'offer_application', $3)`, [
      offer.advertiserId,
      offerId,
      `A partner applied to offer ${offerId} (${offer.name})`,
    ]);
  }
  return getApplication(db, principal, offerId, partnerId);
}

/** The advertiser's, agency's or network's answer; the same answer again changes nothing. */
export async function decideOfferApplication(
  db: Queryable,
  principal: Principal,
  offerId: number,
  partnerId: number,
  approve: boolean,
  reason: string | null,
): Promise<OfferApplication> {
  if (principal.role === 'partner') throw new ForbiddenError('Partners cannot decide applications');
  const application = await getApplication(db, principal, offerId, partnerId);
  const status = approve ? 'approved' : 'rejected';
  if (application.status === status) return application;
  if (!approve && !reason?.trim()) throw new ValidationError('reason', 'say why; the partner reads it');
  await db.query('UPDATE approvals SET status = $3, reason = $4, decided_by = $5, updated_at = now() WHERE offer_id = $1 AND partner_id = $2', [
    offerId,
    partnerId,
    status,
    reason?.trim() || null,
    principal.userId || null,
  ]);
  await db.query(`INSERT INTO notifications (partner_id, offer_id, kind, message) VALUES ($1, $2, $3, $4)`, [
    partnerId,
    offerId,
    approve ? 'application_approved' : 'application_rejected',
    approve
      ? `Your application to offer ${offerId} (${application.offerName}) is approved: build your tracking link`
      : `Your application to offer ${offerId} (${application.offerName}) was rejected: ${reason}`,
  ]);
  return getApplication(db, principal, offerId, partnerId);
}
