import { ConflictError, NotFoundError, UpstreamError } from '../shared/errors.ts';
import type { Queryable } from '../store/store.ts';
import { findAllRecords, HasOffersCallError, type HasOffersNetworkAccess } from './hasoffers-client.ts';
import { getHasOffersNetwork, NETWORK_IMPORT_SOURCE } from './hasoffers-networks.ts';

/**
 * Which offer and affiliate of a HasOffers network each offer and partner is: set by hand, or
 * matched by name. Every offer and partner is listed, the unlinked with a null external id.
 */

export interface Links {
  offers: Array<{ offerId: number; name: string; externalOfferId: number | null }>;
  partners: Array<{ partnerId: number; name: string; externalAffiliateId: number | null }>;
}

export async function listLinks(db: Queryable, networkId: number): Promise<Links> {
  await getHasOffersNetwork(db, networkId);
  const offers = await db.query<Links['offers'][number]>(
    `SELECT o.id AS "offerId", o.name, l.external_offer_id::int8 AS "externalOfferId"
     FROM offers o LEFT JOIN hasoffers_offer_links l ON l.offer_id = o.id AND l.hasoffers_network_id = $1
     WHERE o.status <> 'deleted' ORDER BY o.id`,
    [networkId],
  );
  const partners = await db.query<Links['partners'][number]>(
    `SELECT p.id AS "partnerId", p.name, l.external_affiliate_id::int8 AS "externalAffiliateId"
     FROM partners p LEFT JOIN hasoffers_partner_links l ON l.partner_id = p.id AND l.hasoffers_network_id = $1
     WHERE p.status <> 'deleted' ORDER BY p.id`,
    [networkId],
  );
  const number = (value: unknown) => (value === null ? null : Number(value));
  return {
    offers: offers.map((row) => ({ ...row, externalOfferId: number(row.externalOfferId) })),
    partners: partners.map((row) => ({ ...row, externalAffiliateId: number(row.externalAffiliateId) })),
  };
}

const SIDES = {
  offer: { table: 'hasoffers_offer_links', local: 'offer_id', external: 'external_offer_id', owner: 'offers', externalName: 'offer' },
  partner: { table: 'hasoffers_partner_links', local: 'partner_id', external: 'external_affiliate_id', owner: 'partners', externalName: 'affiliate' },
} as const;
export type LinkSide = keyof typeof SIDES;

/** Links one offer or partner to its counterpart there, or unlinks it (null). Setting the same link again changes nothing. */
export async function setLink(db: Queryable, networkId: number, side: LinkSide, localId: number, externalId: number | null): Promise<void> {
  const { table, local, external, owner, externalName } = SIDES[side];
  await getHasOffersNetwork(db, networkId);
  const [exists] = await db.query(`SELECT 1 FROM ${owner} WHERE id = $1 AND status <> 'deleted'`, [localId]);
  if (!exists) throw new NotFoundError(side, localId);
  if (externalId === null) {
    await db.query(`DELETE FROM ${table} WHERE hasoffers_network_id = $1 AND ${local} = $2`, [networkId, localId]);
    return;
  }
  const [taken] = await db.query<{ id: number }>(`SELECT ${local} AS id FROM ${table} WHERE hasoffers_network_id = $1 AND ${external} = $2 AND ${local} <> $3`, [
    networkId,
    externalId,
    localId,
  ]);
  if (taken) throw new ConflictError(`The HasOffers ${externalName} ${externalId} is already linked to ${side} ${taken.id}`);
  await db.query(
    `INSERT INTO ${table} (hasoffers_network_id, ${local}, ${external}) VALUES ($1, $2, $3)
     ON CONFLICT (hasoffers_network_id, ${local}) DO UPDATE SET ${external} = EXCLUDED.${external}`,
    [networkId, localId, externalId],
  );
}

export interface ExternalNames {
  offers: Array<{ id: number; name: string }>;
  affiliates: Array<{ id: number; name: string }>;
}

/** The network's offers and affiliates by name, read before any transaction opens: the call may take seconds. */
export async function readExternalNames(access: HasOffersNetworkAccess): Promise<ExternalNames> {
  try {
    const offers = await findAllRecords(access, 'Offer', 'Offer', { fields: ['id', 'name'], filters: { status: { NOT_EQUAL_TO: 'deleted' } } });
    const affiliates = await findAllRecords(access, 'Affiliate', 'Affiliate', { fields: ['id', 'company'], filters: { status: { NOT_EQUAL_TO: 'deleted' } } });
    return {
      offers: offers.map((offer) => ({ id: Number(offer.id), name: offer.name ?? '' })),
      affiliates: affiliates.map((affiliate) => ({ id: Number(affiliate.id), name: affiliate.company ?? '' })),
    };
  } catch (error) {
    if (error instanceof HasOffersCallError) throw new UpstreamError(`The HasOffers network could not be read: ${error.message}`);
    throw error;
  }
}

/** A name as matching compares it: case and surrounding or repeated spaces do not count. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Pairs each unlinked local name with the one external record of the same name that nothing is
 * linked to yet; a name two records share on either side is ambiguous and left for a person.
 */
export function matchByName(local: Array<{ id: number; name: string; linked: boolean }>, external: Array<{ id: number; name: string }>, takenExternal: Set<number>): Array<[number, number]> {
  const count = <T extends { name: string }>(rows: T[]) => rows.reduce((counts, row) => counts.set(nameKey(row.name), (counts.get(nameKey(row.name)) ?? 0) + 1), new Map<string, number>());
  const localCounts = count(local);
  const externalCounts = count(external);
  const externalByName = new Map(external.map((row) => [nameKey(row.name), row.id]));
  return local
    .filter((row) => !row.linked && localCounts.get(nameKey(row.name)) === 1 && externalCounts.get(nameKey(row.name)) === 1)
    .map((row) => [row.id, externalByName.get(nameKey(row.name))!] as [number, number])
    .filter(([, externalId]) => !takenExternal.has(externalId));
}

/** The offers and affiliates there that something here links to already: each links to one at most. */
function takenExternals(links: Links) {
  return {
    offer: new Set(links.offers.flatMap((row) => (row.externalOfferId === null ? [] : [row.externalOfferId]))),
    partner: new Set(links.partners.flatMap((row) => (row.externalAffiliateId === null ? [] : [row.externalAffiliateId]))),
  };
}

/** Links by name what is not linked yet; returns every link after. */
export async function linkByName(db: Queryable, networkId: number, names: ExternalNames): Promise<Links & { linkedNow: { offers: number; partners: number } }> {
  const before = await listLinks(db, networkId);
  const taken = takenExternals(before);
  const pairs = {
    offer: matchByName(before.offers.map((row) => ({ id: row.offerId, name: row.name, linked: row.externalOfferId !== null })), names.offers, taken.offer),
    partner: matchByName(before.partners.map((row) => ({ id: row.partnerId, name: row.name, linked: row.externalAffiliateId !== null })), names.affiliates, taken.partner),
  };
  for (const side of ['offer', 'partner'] as const) for (const [localId, externalId] of pairs[side]) await setLink(db, networkId, side, localId, externalId);
  return { ...(await listLinks(db, networkId)), linkedNow: { offers: pairs.offer.length, partners: pairs.partner.length } };
}

/**
 * Links the offers and partners imported from this network to the records they came from, as the
 * import remembered them: a network moving over keeps the old one in step while partners move.
 * Returns every link after.
 */
export async function linkImported(db: Queryable, networkId: number): Promise<Links & { linkedNow: { offers: number; partners: number } }> {
  const before = await listLinks(db, networkId);
  const imported = await db.query<{ kind: 'offer' | 'partner'; externalId: string; localId: string }>(
    `SELECT i.kind, i.external_id AS "externalId", i.local_id::text AS "localId"
     FROM ${NETWORK_IMPORT_SOURCE} JOIN hasoffers_imported i ON i.source_id = s.id AND i.kind IN ('offer', 'partner')
     WHERE n.id = $1 ORDER BY i.kind, i.local_id`,
    [networkId],
  );
  const linked = {
    offer: new Set(before.offers.flatMap((row) => (row.externalOfferId === null ? [] : [row.offerId]))),
    partner: new Set(before.partners.flatMap((row) => (row.externalAffiliateId === null ? [] : [row.partnerId]))),
  };
  const taken = takenExternals(before);
  const linkedNow = { offer: 0, partner: 0 };
  for (const row of imported) {
    const [localId, externalId] = [Number(row.localId), Number(row.externalId)];
    if (linked[row.kind].has(localId) || taken[row.kind].has(externalId)) continue;
    await setLink(db, networkId, row.kind, localId, externalId);
    linkedNow[row.kind] += 1;
  }
  return { ...(await listLinks(db, networkId)), linkedNow: { offers: linkedNow.offer, partners: linkedNow.partner } };
}
