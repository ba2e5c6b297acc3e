import { NotFoundError } from '../shared/errors.ts';
import { first, SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/**
 * Offers as a partner sees them: those it may promote or apply to, each with its own payout
 * (whichever rule gives it: its own, its tier's, the offer's) and where its application stands,
 * a rejected one with its reason. Nothing of what the advertiser pays is here.
 */
export interface MarketplaceOffer {
  id: number;
  name: string;
  description: string | null;
  advertiserName: string;
  category: string | null;
  previewUrl: string | null;
  currency: string;
  visibility: 'open' | 'approval' | 'private';
  /** approved (may promote), pending, rejected, or null: may apply. */
  applicationStatus: string | null;
  applicationReason: string | null;
  payoutType: string;
  payoutFlatMicros: bigint;
  payoutPercentPpm: number;
  payoutRule: 'partner override' | 'partner tier' | 'offer';
  geoTargeting: string[];
  deviceTargeting: string[];
  allowDeepLink: boolean;
  startsAt: Date;
  endsAt: Date | null;
  landingPages: Array<{ id: number; name: string; previewUrl: string | null }>;
  caps: Array<{ metric: string; period: string; limit: bigint; partnerOnly: boolean }>;
}

const SELECT = (partner: string) => `
  SELECT o.id, o.name, o.description, a.name AS "advertiserName", c.name AS category, o.preview_url AS "previewUrl",
         trim(o.currency) AS currency, o.visibility,
         coalesce(ap.status, CASE WHEN o.visibility = 'open' THEN 'approved' END) AS "applicationStatus", ap.reason AS "applicationReason",
         coalesce(t.payout_type, o.payout_type) AS "payoutType", coalesce(t.payout_flat_micros, o.payout_flat_micros) AS "payoutFlatMicros",
         coalesce(t.payout_percent_ppm, o.payout_percent_ppm) AS "payoutPercentPpm", coalesce(t.rule, 'offer') AS "payoutRule",
         o.geo_targeting AS "geoTargeting", o.device_targeting AS "deviceTargeting", o.allow_deep_link AS "allowDeepLink",
         o.starts_at AS "startsAt", o.ends_at AS "endsAt",
         array(SELECT json_build_object('id', u.id, 'name', u.name, 'previewUrl', u.preview_url) FROM offer_urls u
               WHERE u.offer_id = o.id AND u.status = 'active' ORDER BY u.id) AS "landingPages",
         array(SELECT json_build_object('metric', cp.metric, 'period', cp.period, 'limit', cp.cap_limit::text, 'partnerOnly', cp.partner_id IS NOT NULL)
               FROM caps cp WHERE cp.offer_id = o.id AND cp.goal_id IS NULL AND (cp.partner_id IS NULL OR cp.partner_id = ${partner})
                 AND cp.metric IN ('clicks', 'conversions', 'payout') ORDER BY cp.id) AS caps
  FROM offers o JOIN advertisers a ON a.id = o.advertiser_id LEFT JOIN categories c ON c.id = a.category_id
  LEFT JOIN approvals ap ON ap.offer_id = o.id AND ap.partner_id = ${partner}
  LEFT JOIN partner_payout_terms t ON t.offer_id = o.id AND t.goal_id IS NULL AND t.partner_id = ${partner}
  WHERE o.status = 'active' AND a.status = 'active'
    AND coalesce(ap.status, '') <> 'blocked' AND (o.visibility <> 'private' OR ap.status = 'approved')`;

type Row = Omit<MarketplaceOffer, 'caps'> & { caps: Array<{ metric: string; period: string; limit: string; partnerOnly: boolean }> };

const withCaps = (row: Row): MarketplaceOffer => ({ ...row, caps: row.caps.map((cap) => ({ ...cap, limit: BigInt(cap.limit) })) });

export async function listMarketplace(db: Queryable, partnerId: number, filter: { search?: string; status?: 'approved' | 'available' }): Promise<MarketplaceOffer[]> {
  const params = new SqlParams();
  let sql = SELECT(params.add(partnerId));
  if (filter.search) sql += ` AND o.name ILIKE ${params.add(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
  if (filter.status === 'approved') sql += ` AND coalesce(ap.status, CASE WHEN o.visibility = 'open' THEN 'approved' END) = 'approved'`;
  if (filter.status === 'available') sql += ` AND coalesce(ap.status, CASE WHEN o.visibility = 'open' THEN 'approved' END) IS DISTINCT FROM 'approved'`;
  return (await db.query<Row>(`${sql} ORDER BY o.id LIMIT 1000`, params.values)).map(withCaps);
}

export async function getMarketplaceOffer(db: Queryable, partnerId: number, offerId: number): Promise<MarketplaceOffer> {
  const params = new SqlParams();
  const sql = `${SELECT(params.add(partnerId))} AND o.id = ${params.add(offerId)}`;
  const row = first(await db.query<Row>(sql, params.values));
  if (!row) throw new NotFoundError('offer', offerId);
  return withCaps(row);
}
