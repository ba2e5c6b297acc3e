import type { Advertiser } from '../advertisers/advertisers.ts';
import type { Offer } from '../offers/offers.ts';
import type { Device } from '../offers/offer-rules.ts';
import { moneyToNumber } from '../shared/money.ts';
import type { ControlList, ControlListDetail } from '../traffic-control/control-lists.ts';

/** Translation of core records into SourceKnowledge v2 wire shapes. */

/** ISO-8601 in UTC to the second, as SK writes campaign times: 2026-03-01T05:00:00Z. */
export function isoSeconds(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Control lists carry `updated` as YYYY-MM-DD HH:MM:SS (UTC). */
function sqlDateTime(instant: Date): string {
  return isoSeconds(instant).replace('T', ' ').replace('Z', '');
}

const DEVICE_LABEL: Record<Device, string> = { desktop: 'Desktop', mobile: 'Mobile', tablet: 'Tablet' };

export function skAdvertiser(advertiser: Advertiser) {
  return {
    id: advertiser.id,
    name: advertiser.name,
    businessUrl: advertiser.businessUrl,
    categoryId: advertiser.categoryId,
    categoryName: advertiser.categoryName,
  };
}

export function skCampaignSummary(offer: Offer) {
  const active = offer.status === 'active';
  return {
    id: offer.id,
    name: offer.name,
    active,
    status: active ? 1 : 0,
    start: isoSeconds(offer.startsAt),
    end: offer.endsAt ? isoSeconds(offer.endsAt) : null,
    updated: isoSeconds(offer.updatedAt),
    advertiser: { id: offer.advertiserId, name: offer.advertiserName },
  };
}

export function skCampaign(offer: Offer) {
  return {
    ...skCampaignSummary(offer),
    dailyBudget: moneyToNumber(offer.dailyBudgetMicros ?? 0n),
    cpc: moneyToNumber(offer.revenueType === 'cpc' ? offer.revenueFlatMicros : 0n),
    trackingUrl: offer.destinationUrl,
    allowDeepLink: offer.allowDeepLink,
    geoTargeting: offer.geoTargeting,
    deviceTargeting: offer.deviceTargeting.map((device) => DEVICE_LABEL[device]),
    partnerChannels: offer.channelIds,
  };
}

export function skControlListSummary(list: ControlList) {
  return {
    id: list.id,
    name: list.name,
    itemsCount: list.subIdCount,
    type: list.type,
    global: list.global,
    updated: sqlDateTime(list.updatedAt),
  };
}

export function skControlList(list: ControlListDetail) {
  return { ...skControlListSummary(list), campaigns: list.offers, subIds: list.subIds };
}

export function skPage<T>(page: { items: T[]; hasMore: boolean; page: number }) {
  return { itemsCount: page.items.length, items: page.items, hasMore: page.hasMore, page: page.page };
}
