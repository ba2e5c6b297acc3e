import { SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { HasOffersError, phpMap } from './envelope.ts';
import { findRows, type ModelDef } from './find.ts';
import { ADVERTISER, AFFILIATE_GOAL_FIELDS, affiliateGoalModel, GOAL } from './models.ts';

/** contain[]: related models set beside each offer (spec §1.5); an empty one is `[]`. */

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export interface ContainContext {
  db: Queryable;
  /** The tracking host, for TrackingLink. */
  trackingBase: string;
  /** The affiliate whose links these are; undefined for the network. */
  partnerId?: number;
  network: boolean;
}

const KNOWN = ['TrackingLink', 'Country', 'OfferCategory', 'Thumbnail', 'OfferVertical', 'Goal', 'OfferUrl', 'Advertiser'] as const;
export type Contain = (typeof KNOWN)[number];

export function containList(value: unknown, network: boolean): Contain[] {
  const names = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).map(String) : [];
  for (const name of names) {
    if (!(KNOWN as readonly string[]).includes(name) || (name === 'Advertiser' && !network)) {
      throw new HasOffersError(`Contain '${name}' does not exist or is not allowed to be used.`);
    }
  }
  return names as Contain[];
}

export function trackingLinks(base: string, offerId: string | number, partnerId: number, params: Record<string, string> = {}) {
  const query = new URLSearchParams({ offer_id: String(offerId), aff_id: String(partnerId), ...params });
  const impression = new URLSearchParams({ offer_id: String(offerId), aff_id: String(partnerId) });
  if (params.file_id) impression.set('file_id', params.file_id);
  return {
    click_url: `${base}/aff_c?${query}`,
    impression_pixel: `<img src="${base}/aff_i?${impression}" width="1" height="1" />`,
  };
}

async function related(db: Queryable, model: ModelDef, where: string, ids: number[], visible?: readonly string[]) {
  const sql = new SqlParams();
  const found = await findRows(db, model, { params: {}, where: [`${where} = ANY(${sql.add(ids)}::int[])`], sql, visible });
  return found.rows;
}

/** For each offer id, the contained models it asked for. */
/** What `contain[]` sets beside each offer, by the names asked for. */
export async function offerContains(context: ContainContext, names: Contain[], offerIds: number[]): Promise<(id: string) => Record<string, unknown>> {
  const byOffer = new Map<string, Record<string, unknown>>(offerIds.map((id) => [String(id), {}]));
  if (names.length === 0 || offerIds.length === 0) return (id) => byOffer.get(id) ?? {};
  const put = (offerId: number | string, name: string, value: unknown) => {
    const entry = byOffer.get(String(offerId));
    if (entry) entry[name] = value;
  };
  for (const name of names) {
    switch (name) {
      case 'TrackingLink':
        for (const id of offerIds) {
          put(id, name, context.partnerId === undefined ? [] : { affiliate_id: String(context.partnerId), offer_id: String(id), ...trackingLinks(context.trackingBase, id, context.partnerId) });
        }
        break;
      case 'Country': {
        const rows = await context.db.query<{ id: number; geo: string[] }>(`SELECT id, geo_targeting AS geo FROM offers WHERE id = ANY($1::int[])`, [offerIds]);
        for (const row of rows) {
          put(row.id, name, phpMap(row.geo.map((code) => [code, { id: code, code, name: (countryNames.of(code) ?? code).toLowerCase(), regions: [] }])));
        }
        break;
      }
      case 'OfferCategory': {
        const rows = await context.db.query<{ offerId: number; id: number | null; name: string | null }>(
          `SELECT o.id AS "offerId", c.id, c.name FROM offers o JOIN advertisers a ON a.id = o.advertiser_id
           LEFT JOIN categories c ON c.id = a.category_id WHERE o.id = ANY($1::int[])`,
          [offerIds],
        );
        for (const row of rows) put(row.offerId, name, row.id === null ? [] : { [String(row.id)]: { id: String(row.id), name: row.name } });
        break;
      }
      case 'Goal': {
        // An affiliate sees its own payouts. Its id (a number from its key) is written in, not passed:
        // the query that counts the rows would leave the parameter unused, which the store refuses.
        const affiliate = context.network ? undefined : context.partnerId;
        const goals =
          affiliate === undefined
            ? await related(context.db, GOAL, 'g.offer_id', offerIds)
            : await related(context.db, affiliateGoalModel(String(affiliate)), 'g.offer_id', offerIds, AFFILIATE_GOAL_FIELDS);
        for (const id of offerIds) {
          put(id, name, phpMap(goals.filter((goal) => goal.record.offer_id === String(id)).map((goal) => [goal.id, goal.record])));
        }
        break;
      }
      case 'OfferUrl': {
        const rows = await context.db.query<{ id: number; offerId: number; name: string; url: string; previewUrl: string | null }>(
          `SELECT id, offer_id AS "offerId", name, url, preview_url AS "previewUrl" FROM offer_urls WHERE offer_id = ANY($1::int[]) AND status = 'active'`,
          [offerIds],
        );
        for (const id of offerIds) {
          put(
            id,
            name,
            phpMap(
              rows
                .filter((row) => row.offerId === id)
                .map((row) => [String(row.id), { id: String(row.id), offer_id: String(id), name: row.name, preview_url: row.previewUrl, status: 'active', ...(context.network ? { offer_url: row.url } : {}) }]),
            ),
          );
        }
        break;
      }
      case 'Advertiser': {
        const rows = await context.db.query<{ offerId: number; advertiserId: number }>(`SELECT id AS "offerId", advertiser_id AS "advertiserId" FROM offers WHERE id = ANY($1::int[])`, [offerIds]);
        const advertisers = await related(context.db, ADVERTISER, 'a.id', [...new Set(rows.map((row) => row.advertiserId))]);
        for (const row of rows) put(row.offerId, name, advertisers.find((advertiser) => advertiser.id === String(row.advertiserId))?.record ?? null);
        break;
      }
      case 'Thumbnail': {
        // An offer's image creatives, as HasOffers' offer files, served from Partnerline's own address.
        const rows = await context.db.query<{ id: number; offerId: number; name: string; size: number; width: number | null; height: number | null; createdAt: string }>(
          `SELECT id, offer_id AS "offerId", name, length(content) AS size, width, height, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS "createdAt"
           FROM creatives WHERE offer_id = ANY($1::int[]) AND kind = 'image' AND status = 'active' ORDER BY id`,
          [offerIds],
        );
        for (const id of offerIds) {
          const files = rows.filter((row) => row.offerId === id).map((row) => {
            const url = `${context.trackingBase}/api/v1/creatives/${row.id}`;
            const file = { id: String(row.id), offer_id: String(id), display: row.name, filename: row.name, size: String(row.size), status: 'active', type: 'image banner' };
            return [String(row.id), { ...file, width: String(row.width ?? 0), height: String(row.height ?? 0), url, thumbnail: url, created: row.createdAt, modified: row.createdAt }] as [string, unknown];
          });
          put(id, name, phpMap(files));
        }
        break;
      }
      case 'OfferVertical':
        for (const id of offerIds) put(id, name, []);
        break;
    }
  }
  return (id) => byOffer.get(id) ?? {};
}
