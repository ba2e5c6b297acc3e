import type { Principal } from '../accounts/principal.ts';
import { requireAdvertiserSide, requireNetworkAdmin } from '../accounts/scope.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { getPartner } from './partners.ts';

/**
 * Payout tiers: the network puts partners in a tier (one at most), and an offer's custom payouts
 * and revenues may name a tier instead of a partner. A partner's own terms rank above its tier's,
 * which rank above the offer's or goal's own. The network manages tiers; whoever may change an offer may read
 * them, to pay one.
 */
export interface PartnerTier {
  id: number;
  name: string;
  /** Which partners are in it: the network's to know, left out for advertisers and agencies. */
  partnerIds?: number[];
  createdAt: Date;
}

/** The tiers' columns; their members only for the network. */
const tierFields = (principal: Principal) =>
  `t.id, t.name, t.created_at AS "createdAt"` +
  (principal.role === 'network_admin' ? `, array(SELECT p.id FROM partners p WHERE p.tier_id = t.id ORDER BY p.id) AS "partnerIds"` : '');

export async function listTiers(db: Queryable, principal: Principal): Promise<PartnerTier[]> {
  requireAdvertiserSide(principal);
  return db.query<PartnerTier>(`SELECT ${tierFields(principal)} FROM partner_tiers t ORDER BY t.id`);
}

export async function getTier(db: Queryable, principal: Principal, id: number): Promise<PartnerTier> {
  requireAdvertiserSide(principal);
  const tier = first(await db.query<PartnerTier>(`SELECT ${tierFields(principal)} FROM partner_tiers t WHERE t.id = $1`, [id]));
  if (!tier) throw new NotFoundError('partner tier', id);
  return tier;
}

/** Tiers are told apart by name in any case, as people name them. */
async function checkName(db: Queryable, name: string, tierId: number | null): Promise<string> {
  const trimmed = name.trim();
  if (trimmed === '') throw new ValidationError('name', 'must not be empty');
  const [namesake] = await db.query<{ id: number }>('SELECT id FROM partner_tiers WHERE lower(name) = lower($1) AND id <> $2', [trimmed, tierId ?? 0]);
  if (namesake) throw new ConflictError(`There is already a partner tier named "${trimmed}" (tier ${namesake.id})`);
  return trimmed;
}

export async function createTier(db: Queryable, principal: Principal, name: string): Promise<PartnerTier> {
  requireNetworkAdmin(principal);
  const [row] = await db.query<{ id: number }>('INSERT INTO partner_tiers (name) VALUES ($1) RETURNING id', [await checkName(db, name, null)]);
  return getTier(db, principal, row!.id);
}

export async function renameTier(db: Queryable, principal: Principal, id: number, name: string): Promise<PartnerTier> {
  requireNetworkAdmin(principal);
  await getTier(db, principal, id);
  await db.query('UPDATE partner_tiers SET name = $2 WHERE id = $1', [id, await checkName(db, name, id)]);
  return getTier(db, principal, id);
}

/**
 * Removes a tier and the custom payouts and revenues that name it. A tier that still has partners is refused:
 * removing it would change what they are paid without anyone deciding so partner by partner.
 */
export async function removeTier(db: Queryable, principal: Principal, id: number): Promise<PartnerTier> {
  requireNetworkAdmin(principal);
  const tier = await getTier(db, principal, id);
  const members = await db.query<{ id: number }>('SELECT id FROM partners WHERE tier_id = $1 ORDER BY id', [id]);
  if (members.length > 0) {
    throw new ConflictError(`Partner tier ${id} still has partners (${members.map((member) => member.id).join(', ')}); move them out of it first`);
  }
  await db.query('DELETE FROM partner_tiers WHERE id = $1', [id]);
  return tier;
}

/**
 * Puts the partner in the tier (`tierId`), or in none (null); a partner in another tier leaves it.
 * Its next click and conversion are priced by its new tier's terms; recorded ones keep theirs.
 * The click path learns of it with the catalog's version, which any change to partners moves.
 */
export async function setPartnerTier(db: Queryable, principal: Principal, partnerId: number, tierId: number | null): Promise<void> {
  requireNetworkAdmin(principal);
  await getPartner(db, partnerId);
  if (tierId !== null) await getTier(db, principal, tierId);
  await db.query('UPDATE partners SET tier_id = $2, updated_at = now() WHERE id = $1 AND tier_id IS DISTINCT FROM $2', [partnerId, tierId]);
}

/** Takes the partner out of this tier; a partner in another tier, or in none, stays where it is. */
export async function removePartnerFromTier(db: Queryable, principal: Principal, tierId: number, partnerId: number): Promise<void> {
  requireNetworkAdmin(principal);
  await getTier(db, principal, tierId);
  await getPartner(db, partnerId);
  await db.query('UPDATE partners SET tier_id = NULL, updated_at = now() WHERE id = $1 AND tier_id = $2', [partnerId, tierId]);
}
