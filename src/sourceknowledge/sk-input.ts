import type { OfferSettings } from '../offers/offers.ts';
import type { Device } from '../offers/offer-rules.ts';
import { ValidationError } from '../shared/errors.ts';
import { AMOUNT_FORM, parseMoney, percentOf } from '../shared/money.ts';
import { isCalendarDate, isLocalMidnight, nextDay, startOfLocalDay } from '../shared/time-zones.ts';

/** Translation of SourceKnowledge v2 request bodies into core settings. */

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A campaign day (YYYY-MM-DD) is a local day of the network: a start begins at its first instant,
 * an end finishes with its last. A full date-time is taken as the instant it names; an end at a
 * local day's last second (as campaigns read) ends with that day.
 */
export function parseCampaignTime(field: string, value: string, edge: 'start' | 'end', timeZone: string): Date {
  if (isCalendarDate(value)) return startOfLocalDay(edge === 'start' ? value : nextDay(value), timeZone);
  if (ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
    const instant = new Date(value);
    const next = new Date(instant.getTime() + 1000);
    return edge === 'end' && isLocalMidnight(next, timeZone) ? next : instant;
  }
  throw new ValidationError(field, 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time with a zone');
}

function money(field: string, value: number): bigint {
  const micros = parseMoney(value);
  if (micros === undefined) throw new ValidationError(field, `must be an amount with ${AMOUNT_FORM}`);
  if (micros < 0n) throw new ValidationError(field, 'must not be negative');
  return micros;
}

export interface SkCampaignBody {
  name: string;
  start: string;
  end?: string | null;
  dailyBudget: number;
  cpc: number;
  trackingUrl: string;
  allowDeepLink?: boolean | 'true' | 'false';
  geoTargeting: string[];
  deviceTargeting?: string[];
  partnerChannels?: number[];
  advertiserId?: number;
  advertiser?: { id?: number };
  active?: boolean;
}

/**
 * The offer settings an SK campaign body states. A campaign is bought per click: the advertiser
 * pays the CPC, and the partner earns the network's share of it. A campaign priced per conversion
 * (made through another API) reads cpc 0, and keeps its pricing when that 0 comes back. A daily
 * budget of 0 is no daily budget, as it reads.
 */
export function campaignSettings(
  body: SkCampaignBody,
  network: { timeZone: string; cpcPartnerSharePpm: number },
  current?: { id: number; revenueType: string },
): Partial<OfferSettings> {
  const cpc = money('cpc', body.cpc);
  const perConversion = current !== undefined && current.revenueType !== 'cpc';
  if (perConversion && cpc !== 0n) {
    throw new ValidationError('cpc', `campaign ${current.id} is priced per conversion (${current.revenueType}); send 0, as it reads, to keep that`);
  }
  if (!perConversion && cpc === 0n) throw new ValidationError('cpc', 'must be greater than 0');
  const dailyBudget = money('dailyBudget', body.dailyBudget);
  const settings: Partial<OfferSettings> = {
    name: body.name,
    startsAt: parseCampaignTime('start', body.start, 'start', network.timeZone),
    endsAt: body.end == null || body.end === '' ? null : parseCampaignTime('end', body.end, 'end', network.timeZone),
    dailyBudgetMicros: dailyBudget === 0n ? null : dailyBudget,
    ...(perConversion ? {} : { revenueType: 'cpc', revenueFlatMicros: cpc, payoutType: 'cpc', payoutFlatMicros: percentOf(cpc, network.cpcPartnerSharePpm) }),
    destinationUrl: body.trackingUrl,
    allowDeepLink: body.allowDeepLink === true || body.allowDeepLink === 'true',
    geoTargeting: body.geoTargeting,
    deviceTargeting: (body.deviceTargeting ?? []) as Device[],
    channelIds: body.partnerChannels ?? [],
  };
  const advertiserId = body.advertiserId ?? body.advertiser?.id;
  if (advertiserId !== undefined) settings.advertiserId = advertiserId;
  if (body.active !== undefined) settings.status = body.active ? 'active' : 'paused';
  return settings;
}

/** Core field and entity names as the SK API calls them, for error messages. */
export const SK_FIELD_NAMES: Record<string, string> = {
  destinationUrl: 'trackingUrl',
  startsAt: 'start',
  endsAt: 'end',
  channelIds: 'partnerChannels',
  dailyBudgetMicros: 'dailyBudget',
  revenueFlatMicros: 'cpc',
  offerIds: 'campaigns',
  offer: 'campaign',
};
