import type { BlockList } from 'node:net';
import type { CapMetric, CapPeriod, Device, PricingSide, PricingType } from '../offers/offer-rules.ts';
import type { ApprovalStatus } from '../partners/approvals.ts';
import type { Queryable } from '../store/store.ts';
import { ipBlockList } from '../traffic-control/ip-rules.ts';
import type { OfferTerms } from './click-rules.ts';
import { advertiserDomains } from './deep-links.ts';

/**
 * What the click path needs to know, held in memory so a click costs no database round trip.
 * It is rebuilt whenever the store's catalog version moves.
 */
export interface TrackedOffer extends OfferTerms {
  id: number;
  advertiserId: number;
  destinationUrl: string;
  fallbackUrl: string | null;
  allowDeepLink: boolean;
  domains: ReadonlySet<string>;
  currency: string;
  attributionWindowHours: number;
  dailyBudgetMicros: bigint | null;
  urls: Map<number, string>;
  bidFactors: Map<string, number>;
  /** How its clicks and impressions are priced, on each side. */
  clickPrices: Record<PricingSide, ClickPrices>;
  clickCaps: ClickCap[];
}

type ClickPrice = { type: PricingType; flatMicros: bigint };

/** One side's price of an offer's traffic: the offer's own, and the terms of partners and tiers (by id) on its default conversion. */
interface ClickPrices {
  offer: ClickPrice;
  partners: Map<number, ClickPrice>;
  tiers: Map<number, ClickPrice>;
}

/** Caps the click path enforces: on clicks, and on spend (budget). */
export interface ClickCap {
  partnerId: number | null;
  metric: Extract<CapMetric, 'clicks' | 'budget'>;
  period: CapPeriod;
  limit: bigint;
}

export interface TrackedPartner {
  id: number;
  status: string;
  channelIds: Set<number>;
  tierId: number | null;
}

/** One side's price of the partner's clicks and impressions on the offer: the partner's own terms, else its tier's, else the offer's. */
export function clickPrice(offer: TrackedOffer, partner: TrackedPartner, side: PricingSide): ClickPrice {
  const prices = offer.clickPrices[side];
  return prices.partners.get(partner.id) ?? (partner.tierId === null ? undefined : prices.tiers.get(partner.tierId)) ?? prices.offer;
}

export interface TrackingCatalog {
  version: bigint;
  timeZone: string;
  networkFallbackUrl: string | null;
  blockedIps: BlockList | null;
  blockedReferrers: ReadonlySet<string> | null;
  /** 0: no limit. */
  clickLimitPerIpPerHour: number;
  offers: Map<number, TrackedOffer>;
  partners: Map<number, TrackedPartner>;
  approvals: Map<string, ApprovalStatus>;
}

export function approvalKey(offerId: number, partnerId: number): string {
  return `${offerId}:${partnerId}`;
}

export async function catalogVersion(db: Queryable): Promise<bigint> {
  const [row] = await db.query<{ version: bigint }>('SELECT catalog_version AS version FROM network');
  return row!.version;
}

interface ListRow {
  id: number;
  type: 'allow' | 'block';
  global: boolean;
  agencyId: number | null;
  advertiserId: number | null;
  subIds: string[];
  offerIds: number[];
}

export async function loadTrackingCatalog(db: Queryable): Promise<TrackingCatalog> {
  const [network] = await db.query<{ version: bigint; timeZone: string; fallbackUrl: string | null; blockedIps: string[]; blockedReferrers: string[]; clickLimitPerIpPerHour: number }>(
    `SELECT catalog_version AS version, time_zone AS "timeZone", fallback_url AS "fallbackUrl", blocked_ips AS "blockedIps",
            blocked_referrers AS "blockedReferrers", click_limit_per_ip_hour AS "clickLimitPerIpPerHour" FROM network`,
  );
  type OfferRow = Pick<
    TrackedOffer,
    | 'id' | 'advertiserId' | 'status' | 'startsAt' | 'endsAt' | 'destinationUrl' | 'fallbackUrl' | 'allowDeepLink' | 'visibility'
    | 'currency' | 'attributionWindowHours' | 'dailyBudgetMicros'
  > & {
    revenueType: PricingType;
    revenueFlatMicros: bigint;
    payoutType: PricingType;
    payoutFlatMicros: bigint;
    agencyId: number | null;
    businessUrl: string;
    extraDomains: string[];
    geoTargeting: string[];
    deviceTargeting: Device[];
    channelIds: number[];
  };
  const offerRows = await db.query<OfferRow>(
    `SELECT o.id, o.advertiser_id AS "advertiserId", a.agency_id AS "agencyId", a.business_url AS "businessUrl",
            a.extra_domains AS "extraDomains", CASE WHEN a.status = 'active' THEN o.status ELSE 'paused' END AS status,
            o.starts_at AS "startsAt", o.ends_at AS "endsAt", o.destination_url AS "destinationUrl",
            o.fallback_url AS "fallbackUrl", o.allow_deep_link AS "allowDeepLink", o.geo_targeting AS "geoTargeting",
            o.device_targeting AS "deviceTargeting",
            array(SELECT channel_id FROM offer_channels oc WHERE oc.offer_id = o.id) AS "channelIds",
            o.visibility, trim(o.currency) AS currency, o.attribution_window_hours AS "attributionWindowHours",
            o.revenue_type AS "revenueType", o.revenue_flat_micros AS "revenueFlatMicros",
            o.payout_type AS "payoutType", o.payout_flat_micros AS "payoutFlatMicros",
            o.daily_budget_micros AS "dailyBudgetMicros"
     FROM offers o JOIN advertisers a ON a.id = o.advertiser_id WHERE o.status <> 'deleted'`,
  );
  const urls = await db.query<{ id: number; offerId: number; url: string }>(
    `SELECT id, offer_id AS "offerId", url FROM offer_urls WHERE status = 'active'`,
  );
  const factors = await db.query<{ offerId: number; subId: string; factorE4: number }>(
    `SELECT offer_id AS "offerId", sub_id AS "subId", (factor * 10000)::int AS "factorE4" FROM bid_factors`,
  );
  const caps = await db.query<ClickCap & { offerId: number }>(
    `SELECT offer_id AS "offerId", partner_id AS "partnerId", metric, period, cap_limit AS limit
     FROM caps WHERE metric IN ('clicks', 'budget') AND goal_id IS NULL`,
  );
  const customPrices = await db.query<{ side: PricingSide; offerId: number; partnerId: number | null; tierId: number | null } & ClickPrice>(
    (['payout', 'revenue'] as const)
      .map(
        (side) => `SELECT '${side}' AS side, offer_id AS "offerId", partner_id AS "partnerId", tier_id AS "tierId",
                          ${side}_type AS type, ${side}_flat_micros AS "flatMicros"
                   FROM ${side}_overrides WHERE goal_id IS NULL`,
      )
      .join(' UNION ALL '),
  );
  const lists = await db.query<ListRow>(
    `SELECT l.id, l.type, l.global, l.agency_id AS "agencyId", l.advertiser_id AS "advertiserId",
            array(SELECT sub_id FROM control_list_sub_ids s WHERE s.control_list_id = l.id) AS "subIds",
            array(SELECT offer_id FROM control_list_offers lo WHERE lo.control_list_id = l.id) AS "offerIds"
     FROM control_lists l`,
  );
  const partnerRows = await db.query<{ id: number; status: string; channelIds: number[]; tierId: number | null }>(
    `SELECT p.id, p.status, p.tier_id AS "tierId", array_remove(array_append(
              array(SELECT channel_id FROM traffic_sources t WHERE t.partner_id = p.id AND t.channel_id IS NOT NULL
                    AND t.status = 'active'), p.channel_id), NULL) AS "channelIds"
     FROM partners p`,
  );
  const approvalRows = await db.query<{ offerId: number; partnerId: number; status: ApprovalStatus }>(
    `SELECT offer_id AS "offerId", partner_id AS "partnerId", status FROM approvals`,
  );

  const offers = new Map<number, TrackedOffer>();
  for (const row of offerRows) {
    const applies = (list: ListRow) =>
      list.offerIds.includes(row.id) ||
      (list.global &&
        ((list.agencyId === null && list.advertiserId === null) ||
          (list.agencyId !== null && list.agencyId === row.agencyId) ||
          list.advertiserId === row.advertiserId));
    const applicable = lists.filter(applies);
    const allowLists = applicable.filter((list) => list.type === 'allow');
    offers.set(row.id, {
      id: row.id,
      advertiserId: row.advertiserId,
      status: row.status,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      visibility: row.visibility,
      geoTargeting: new Set(row.geoTargeting),
      deviceTargeting: new Set(row.deviceTargeting),
      channelIds: new Set(row.channelIds),
      allowedSubIds: allowLists.length > 0 ? new Set(allowLists.flatMap((list) => list.subIds)) : null,
      blockedSubIds: new Set(applicable.filter((list) => list.type === 'block').flatMap((list) => list.subIds)),
      destinationUrl: row.destinationUrl,
      fallbackUrl: row.fallbackUrl,
      allowDeepLink: row.allowDeepLink,
      domains: advertiserDomains(row.businessUrl, row.extraDomains),
      currency: row.currency,
      attributionWindowHours: row.attributionWindowHours,
      dailyBudgetMicros: row.dailyBudgetMicros,
      urls: new Map(),
      bidFactors: new Map(),
      clickPrices: {
        payout: { offer: { type: row.payoutType, flatMicros: row.payoutFlatMicros }, partners: new Map(), tiers: new Map() },
        revenue: { offer: { type: row.revenueType, flatMicros: row.revenueFlatMicros }, partners: new Map(), tiers: new Map() },
      },
      clickCaps: [],
    });
  }
  for (const url of urls) offers.get(url.offerId)?.urls.set(url.id, url.url);
  for (const factor of factors) offers.get(factor.offerId)?.bidFactors.set(factor.subId, factor.factorE4);
  for (const { side, offerId, partnerId, tierId, ...price } of customPrices) {
    const prices = offers.get(offerId)?.clickPrices[side];
    if (partnerId !== null) prices?.partners.set(partnerId, price);
    else prices?.tiers.set(tierId!, price);
  }
  for (const { offerId, ...cap } of caps) offers.get(offerId)?.clickCaps.push(cap);

  return {
    version: network!.version,
    timeZone: network!.timeZone,
    networkFallbackUrl: network!.fallbackUrl,
    blockedIps: network!.blockedIps.length > 0 ? ipBlockList(network!.blockedIps) : null,
    blockedReferrers: network!.blockedReferrers.length > 0 ? new Set(network!.blockedReferrers) : null,
    clickLimitPerIpPerHour: network!.clickLimitPerIpPerHour,
    offers,
    partners: new Map(partnerRows.map((row) => [row.id, { ...row, channelIds: new Set(row.channelIds) }])),
    approvals: new Map(approvalRows.map((row) => [approvalKey(row.offerId, row.partnerId), row.status])),
  };
}
