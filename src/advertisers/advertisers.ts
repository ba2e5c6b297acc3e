import { requireAdvertiserAccess, requireAdvertiserManager, requireNetworkAdmin, visibleAdvertisers } from '../accounts/scope.ts';
import type { Principal } from '../accounts/principal.ts';
import { missingCatalogIds } from '../catalog/catalog.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { first, SqlParams } from '../shared/sql.ts';
import { isHttpUrl } from '../shared/urls.ts';
import type { Queryable } from '../store/store.ts';

export interface Advertiser {
  id: number;
  name: string;
  businessUrl: string;
  categoryId: number | null;
  categoryName: string | null;
  agencyId: number | null;
  status: string;
  /** Postbacks for its offers must carry it (security_token) when set. */
  conversionSecurityToken: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdvertiserInput {
  name: string;
  businessUrl: string;
  categoryId: number | null;
}

const SELECT_ADVERTISER = `SELECT a.id, a.name, a.business_url AS "businessUrl", a.category_id AS "categoryId",
  c.name AS "categoryName", a.agency_id AS "agencyId", a.status,
  a.conversion_security_token AS "conversionSecurityToken", a.created_at AS "createdAt", a.updated_at AS "updatedAt"
  FROM advertisers a LEFT JOIN categories c ON c.id = a.category_id`;

export async function listAdvertisers(
  db: Queryable,
  principal: Principal,
  page: number,
  perPage: number,
): Promise<Page<Advertiser>> {
  const params = new SqlParams();
  const where = visibleAdvertisers(principal, 'a', params);
  const { limit, offset } = pageWindow(page, perPage);
  const rows = await db.query<Advertiser>(
    `${SELECT_ADVERTISER} WHERE ${where} AND a.status <> 'deleted' ORDER BY a.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  return toPage(rows, page, perPage);
}

/** Any advertiser by id, regardless of the caller; callers check access. */
export async function findAdvertiser(db: Queryable, id: number): Promise<Advertiser | undefined> {
  return first(await db.query<Advertiser>(`${SELECT_ADVERTISER} WHERE a.id = $1`, [id]));
}

export async function getAdvertiser(db: Queryable, principal: Principal, id: number): Promise<Advertiser> {
  const advertiser = await findAdvertiser(db, id);
  if (!advertiser) throw new NotFoundError('advertiser', id);
  requireAdvertiserAccess(principal, advertiser);
  return advertiser;
}

async function validate(db: Queryable, input: AdvertiserInput): Promise<void> {
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  // HasOffers lets an advertiser exist without a website; where one is given it must be a real URL.
  if (input.businessUrl !== '' && !isHttpUrl(input.businessUrl)) throw new ValidationError('businessUrl', 'must be an absolute http(s) URL');
  if (input.categoryId !== null && (await missingCatalogIds(db, 'categories', [input.categoryId])).length > 0) {
    throw new ValidationError('categoryId', `unknown category ${input.categoryId}`);
  }
}

export async function createAdvertiser(db: Queryable, principal: Principal, input: AdvertiserInput): Promise<Advertiser> {
  requireAdvertiserManager(principal);
  await validate(db, input);
  const rows = await db.query<{ id: number }>(
    `INSERT INTO advertisers (name, business_url, category_id, agency_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [input.name.trim(), input.businessUrl, input.categoryId, principal.role === 'agency' ? principal.agencyId : null],
  );
  return (await findAdvertiser(db, rows[0]!.id))!;
}

export async function updateAdvertiser(
  db: Queryable,
  principal: Principal,
  id: number,
  input: AdvertiserInput,
): Promise<Advertiser> {
  await getAdvertiser(db, principal, id);
  await validate(db, input);
  await db.query(
    `UPDATE advertisers SET name = $2, business_url = $3, category_id = $4, updated_at = now() WHERE id = $1`,
    [id, input.name.trim(), input.businessUrl, input.categoryId],
  );
  return (await findAdvertiser(db, id))!;
}

/** The network pauses, blocks or reactivates an advertiser, or hands it to an agency (null: none). */
export async function setAdvertiserStanding(
  db: Queryable,
  principal: Principal,
  id: number,
  changes: { status?: 'active' | 'paused' | 'blocked'; agencyId?: number | null },
): Promise<Advertiser> {
  requireNetworkAdmin(principal);
  const current = await getAdvertiser(db, principal, id);
  const agencyId = changes.agencyId === undefined ? current.agencyId : changes.agencyId;
  if (agencyId !== null && (await db.query('SELECT 1 FROM agencies WHERE id = $1', [agencyId])).length === 0) {
    throw new ValidationError('agencyId', `unknown agency ${agencyId}`);
  }
  await db.query('UPDATE advertisers SET status = $2, agency_id = $3, updated_at = now() WHERE id = $1', [id, changes.status ?? current.status, agencyId]);
  return (await findAdvertiser(db, id))!;
}

/** Sets the token postbacks must carry, or (null) lets postbacks come without one. */
export async function setSecurityToken(db: Queryable, principal: Principal, id: number, token: string | null): Promise<Advertiser> {
  await getAdvertiser(db, principal, id);
  if (token !== null && !/^[\w-]{8,64}$/.test(token)) throw new ValidationError('conversionSecurityToken', 'must be 8 to 64 letters, digits, - or _');
  await db.query('UPDATE advertisers SET conversion_security_token = $2, updated_at = now() WHERE id = $1', [id, token]);
  return (await findAdvertiser(db, id))!;
}
