import type { Principal } from '../accounts/principal.ts';
import { requireAdvertiserSide, visibleAdvertisers } from '../accounts/scope.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { first, SqlParams } from '../shared/sql.ts';
import { sqlState, SQLSTATE, type Queryable } from '../store/store.ts';
import { normalizeSubId } from './sub-ids.ts';

export type ControlListType = 'allow' | 'block';

export interface ControlList {
  id: number;
  name: string;
  type: ControlListType;
  global: boolean;
  agencyId: number | null;
  advertiserId: number | null;
  subIdCount: number;
  updatedAt: Date;
}

export interface ControlListDetail extends ControlList {
  offers: Array<{ id: number; name: string }>;
  subIds: string[];
}

export interface ControlListInput {
  name: string;
  type: ControlListType;
  global: boolean;
  offerIds: number[];
  subIds: string[];
  /** Drop the bid factors of the listed sub-IDs on the attached offers. */
  resetBidFactors?: boolean;
}

/** The message SourceKnowledge clients know for a bad or doubly-allowed campaign. */
export const INVALID_CAMPAIGNS = 'Some of the specified campaign are invalid or associated to another list!';

const SELECT_LIST = `SELECT l.id, l.name, l.type, l.global, l.agency_id AS "agencyId", l.advertiser_id AS "advertiserId",
  (SELECT count(*)::int FROM control_list_sub_ids s WHERE s.control_list_id = l.id) AS "subIdCount",
  l.updated_at AS "updatedAt" FROM control_lists l`;

/** A list is the caller's when it belongs to the caller's agency or advertiser; admins see all. */
function visibleLists(principal: Principal, params: SqlParams): string {
  switch (principal.role) {
    case 'network_admin':
      return 'TRUE';
    case 'agency':
      return `(l.agency_id = ${params.add(principal.agencyId)} OR l.advertiser_id IN
        (SELECT id FROM advertisers WHERE agency_id = ${params.add(principal.agencyId)}))`;
    case 'advertiser':
      return `l.advertiser_id = ${params.add(principal.advertiserId)}`;
    case 'partner':
      return 'FALSE';
  }
}

export async function listControlLists(
  db: Queryable,
  principal: Principal,
  page: number,
  perPage: number,
): Promise<Page<ControlList>> {
  requireAdvertiserSide(principal);
  const params = new SqlParams();
  const { limit, offset } = pageWindow(page, perPage);
  const rows = await db.query<ControlList>(
    `${SELECT_LIST} WHERE ${visibleLists(principal, params)} ORDER BY l.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  return toPage(rows, page, perPage);
}

export async function getControlList(db: Queryable, principal: Principal, id: number): Promise<ControlListDetail> {
  requireAdvertiserSide(principal);
  const list = first(await db.query<ControlList>(`${SELECT_LIST} WHERE l.id = $1`, [id]));
  if (!list) throw new NotFoundError('control list', id);
  const params = new SqlParams();
  const visible = first(
    await db.query(`SELECT 1 FROM control_lists l WHERE l.id = ${params.add(id)} AND ${visibleLists(principal, params)}`, params.values),
  );
  if (!visible) throw new ForbiddenError(`Your API key may not access control list ${id}`);
  const offers = await db.query<{ id: number; name: string }>(
    `SELECT o.id, o.name FROM control_list_offers lo JOIN offers o ON o.id = lo.offer_id WHERE lo.control_list_id = $1 ORDER BY o.id`,
    [id],
  );
  const subIds = await db.query<{ subId: string }>(
    `SELECT sub_id AS "subId" FROM control_list_sub_ids WHERE control_list_id = $1 ORDER BY sub_id`,
    [id],
  );
  return { ...list, offers, subIds: subIds.map((row) => row.subId) };
}

function normalize(input: ControlListInput): ControlListInput {
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  if (input.type !== 'allow' && input.type !== 'block') throw new ValidationError('type', 'must be allow or block');
  const subIds = [...new Set(input.subIds.map((subId, index) => normalizeSubId(`subIds[${index}]`, subId)))];
  return { ...input, name: input.name.trim(), subIds, offerIds: [...new Set(input.offerIds)] };
}

/** Every offer must exist and be the caller's; otherwise the whole change is refused. */
async function requireOwnOffers(db: Queryable, principal: Principal, offerIds: number[]): Promise<void> {
  if (offerIds.length === 0) return;
  const params = new SqlParams();
  const rows = await db.query<{ id: number }>(
    `SELECT o.id FROM offers o JOIN advertisers a ON a.id = o.advertiser_id
     WHERE o.id = ANY(${params.add(offerIds)}::int[]) AND o.status <> 'deleted' AND ${visibleAdvertisers(principal, 'a', params)}`,
    params.values,
  );
  if (rows.length !== offerIds.length) throw new ValidationError('campaigns', INVALID_CAMPAIGNS);
}

async function writeMembers(db: Queryable, id: number, input: ControlListInput): Promise<void> {
  await db.query('DELETE FROM control_list_offers WHERE control_list_id = $1', [id]);
  await db.query('DELETE FROM control_list_sub_ids WHERE control_list_id = $1', [id]);
  try {
    await db.query(
      `INSERT INTO control_list_offers (control_list_id, list_type, offer_id) SELECT $1, $2, unnest($3::int[])`,
      [id, input.type, input.offerIds],
    );
  } catch (error) {
    if (sqlState(error) === SQLSTATE.UNIQUE_VIOLATION) throw new ValidationError('campaigns', INVALID_CAMPAIGNS);
    throw error;
  }
  await db.query(`INSERT INTO control_list_sub_ids (control_list_id, sub_id) SELECT $1, unnest($2::text[])`, [id, input.subIds]);
  if (input.resetBidFactors) {
    await db.query(`DELETE FROM bid_factors WHERE offer_id = ANY($1::int[]) AND sub_id = ANY($2::text[])`, [
      input.offerIds,
      input.subIds,
    ]);
  }
}

/** Call inside a transaction: a refused change must leave the list as it was. */
export async function createControlList(
  db: Queryable,
  principal: Principal,
  raw: ControlListInput,
): Promise<ControlListDetail> {
  requireAdvertiserSide(principal);
  const input = normalize(raw);
  await requireOwnOffers(db, principal, input.offerIds);
  const rows = await db.query<{ id: number }>(
    `INSERT INTO control_lists (name, type, global, agency_id, advertiser_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [input.name, input.type, input.global, principal.agencyId, principal.advertiserId],
  );
  await writeMembers(db, rows[0]!.id, input);
  return getControlList(db, principal, rows[0]!.id);
}

/** Replaces the list whole. Call inside a transaction: a refused change must leave the list as it was. */
export async function updateControlList(
  db: Queryable,
  principal: Principal,
  id: number,
  raw: ControlListInput,
): Promise<ControlListDetail> {
  await getControlList(db, principal, id);
  const input = normalize(raw);
  await requireOwnOffers(db, principal, input.offerIds);
  // Members go first: the type change cascades to them and must not meet a stale allow entry.
  await db.query('DELETE FROM control_list_offers WHERE control_list_id = $1', [id]);
  await db.query(`UPDATE control_lists SET name = $2, type = $3, global = $4, updated_at = now() WHERE id = $1`, [
    id,
    input.name,
    input.type,
    input.global,
  ]);
  await writeMembers(db, id, input);
  return getControlList(db, principal, id);
}
