import type { Advertiser } from '../advertisers/advertisers.ts';
import type { Offer } from '../offers/offers.ts';
import type { Device } from '../offers/offer-rules.ts';
import { moneyToNumber } from '../shared/money.ts';
import { isLocalMidnight, isoInZone } from '../shared/time-zones.ts';
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

/** The last second of a campaign that ends with a local day (at the next midnight): that day's, as it was sent. */
function lastSecond(endsAt: Date, timeZone: string): Date {
  return isLocalMidnight(endsAt, timeZone) ? new Date(endsAt.getTime() - 1000) : endsAt;
}

/**
 * A campaign in the network's zone, with its offset: one sent with end 2027-01-31 reads back
 * ending 2027-01-31T23:59:59 there, and its first ten characters are the days it was sent with.
 */
export function skCampaignSummary(offer: Offer, timeZone: string) {
  const active = offer.status === 'active';
  return {
    id: offer.id,
    name: offer.name,
    active,
    status: active ? 1 : 0,
    start: isoInZone(offer.startsAt, timeZone),
    end: offer.endsAt ? isoInZone(lastSecond(offer.endsAt, timeZone), timeZone) : null,
    updated: isoSeconds(offer.updatedAt),
    advertiser: { id: offer.advertiserId, name: offer.advertiserName },
  };
}

export function skCampaign(offer: Offer, timeZone: string) {
  return {
    ...skCampaignSummary(offer, timeZone),
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
