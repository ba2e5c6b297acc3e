import type { Principal } from '../accounts/principal.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { isHttpUrl, isHttpUrlTemplate } from '../shared/urls.ts';
import type { Queryable } from '../store/store.ts';
import { changeableOffer, getOffer } from './offers.ts';

/** An offer's other landing pages (HasOffers' offer URLs): a tracking link picks one with url_id. */
export interface LandingPage {
  id: number;
  offerId: number;
  name: string;
  url: string;
  previewUrl: string | null;
  createdAt: Date;
}

const COLUMNS = `id, offer_id AS "offerId", name, url, preview_url AS "previewUrl", created_at AS "createdAt"`;

export async function listLandingPages(db: Queryable, principal: Principal, offerId: number): Promise<LandingPage[]> {
  await getOffer(db, principal, offerId);
  return db.query<LandingPage>(`SELECT ${COLUMNS} FROM offer_urls WHERE offer_id = $1 AND status = 'active' ORDER BY id`, [offerId]);
}

type LandingPageInput = { name: string; url: string; previewUrl?: string | null };

function checkedLandingPage(input: LandingPageInput): LandingPageInput {
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  if (!isHttpUrlTemplate(input.url)) throw new ValidationError('url', 'must be an absolute http(s) URL');
  if (input.previewUrl && !isHttpUrl(input.previewUrl)) throw new ValidationError('previewUrl', 'must be an absolute http(s) URL');
  return { name: input.name.trim(), url: input.url, previewUrl: input.previewUrl || null };
}

export async function addLandingPage(db: Queryable, principal: Principal, offerId: number, input: LandingPageInput): Promise<LandingPage> {
  await changeableOffer(db, principal, offerId);
  const page = checkedLandingPage(input);
  const [added] = await db.query<LandingPage>(
    `INSERT INTO offer_urls (offer_id, name, url, preview_url) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [offerId, page.name, page.url, page.previewUrl],
  );
  return added!;
}

/** Changes a landing page in place: links that pick it by url_id open the new address. */
export async function updateLandingPage(db: Queryable, principal: Principal, offerId: number, pageId: number, input: LandingPageInput): Promise<LandingPage> {
  await changeableOffer(db, principal, offerId);
  const page = checkedLandingPage(input);
  const [updated] = await db.query<LandingPage>(
    `UPDATE offer_urls SET name = $3, url = $4, preview_url = $5, status = 'active' WHERE id = $1 AND offer_id = $2 RETURNING ${COLUMNS}`,
    [pageId, offerId, page.name, page.url, page.previewUrl],
  );
  if (!updated) throw new NotFoundError('landing page', pageId);
  return updated;
}

/** Removes a landing page; its links then open the offer's own destination. Removing it again changes nothing. */
export async function removeLandingPage(db: Queryable, principal: Principal, offerId: number, pageId: number): Promise<void> {
  await changeableOffer(db, principal, offerId);
  const found = await db.query(`UPDATE offer_urls SET status = 'deleted' WHERE id = $1 AND offer_id = $2 RETURNING 1`, [pageId, offerId]);
  if (found.length === 0) throw new NotFoundError('landing page', pageId);
}
