import { OPERATOR } from '../accounts/principal.ts';
import type { OfferSettings } from '../offers/offers.ts';
import { isMoneyMetric, OFFER_STATUSES, PRICING_TYPES, type PricingType } from '../offers/offer-rules.ts';
import { clearCap, setCap, type CapInput, type GoalSettings } from '../offers/offer-terms.ts';
import { AMOUNT_FORM, parseMoney, parsePercentToPpm, parseScaled } from '../shared/money.ts';
import { isCalendarDate, nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';
import { invalidAttribute, type Params } from './envelope.ts';
import { OFFER_CAPS } from './models.ts';
import { intParam } from './values.ts';

/**
 * HasOffers records' attributes as the core's settings: what a write's data[...] sets, and what an
 * import reads from another network's records. A malformed attribute is refused with its name.
 */

/** An id given in data[...]: undefined when absent, an invalid attribute when it is no id. */
export const idAttribute = (action: string, input: Params, name: string): number | undefined => {
  if (input[name] === undefined) return undefined;
  const id = intParam(input, name);
  if (id === undefined) throw invalidAttribute(action, name, `${name} must be a whole number`);
  return id;
};

/** An amount given in data[...], as micros: undefined when absent, an invalid attribute when it is no amount or below zero. */
export const amountAttribute = (action: string, input: Params, name: string): bigint | undefined => {
  if (input[name] === undefined) return undefined;
  const micros = parseMoney(String(input[name]));
  if (micros === undefined || micros < 0n) throw invalidAttribute(action, name, `${name} must be a non-negative amount with ${AMOUNT_FORM}`);
  return micros;
};

/** Reads a model's `data[...]` attributes, refusing a malformed one with the action's message and its name. */
export function attributeReader(action: string, input: Params) {
  const text = (name: string) => (input[name] === undefined ? undefined : String(input[name]));
  return {
    text,
    money: (name: string) => amountAttribute(action, input, name),
    percent: (name: string) => {
      const value = text(name);
      if (value === undefined) return undefined;
      const ppm = parsePercentToPpm(value);
      if (ppm === undefined || ppm < 0 || ppm > 1_000_000) throw invalidAttribute(action, name, `${name} must be a percentage from 0 to 100`);
      return ppm;
    },
    count: (name: string) => {
      const value = text(name);
      const count = value === undefined ? undefined : parseScaled(value, 0);
      if (value !== undefined && (count === undefined || count < 0n)) throw invalidAttribute(action, name, `${name} must be a whole number`);
      return count;
    },
    flag: (name: string) => (text(name) === undefined ? undefined : text(name) === '1' || text(name) === 'true'),
    type: (name: string) => {
      const value = text(name);
      if (value === undefined) return undefined;
      if (!(PRICING_TYPES as readonly string[]).includes(value)) throw invalidAttribute(action, name, `${name} must be one of: ${PRICING_TYPES.join(', ')}`);
      return value as PricingType;
    },
  };
}

type PricingSettings = Pick<OfferSettings, 'payoutType' | 'payoutFlatMicros' | 'payoutPercentPpm' | 'revenueType' | 'revenueFlatMicros' | 'revenuePercentPpm'>;

/** An offer's or goal's pricing by HasOffers' names: `max_payout` is what the advertiser pays. */
function pricingSettings(read: ReturnType<typeof attributeReader>): Partial<PricingSettings> {
  const settings: Partial<PricingSettings> = {
    payoutType: read.type('payout_type'),
    payoutFlatMicros: read.money('default_payout'),
    payoutPercentPpm: read.percent('percent_payout'),
    revenueType: read.type('revenue_type'),
    revenueFlatMicros: read.money('max_payout'),
    revenuePercentPpm: read.percent('max_percent_payout'),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

export function offerSettings(input: Params, timeZone: string): Partial<OfferSettings> {
  const read = attributeReader('Could not save offer.', input);
  const { text, flag } = read;
  const settings: Partial<OfferSettings> = pricingSettings(read);
  if (text('name') !== undefined) settings.name = text('name')!;
  if (text('description') !== undefined) settings.description = text('description')!;
  const advertiserId = idAttribute('Could not save offer.', input, 'advertiser_id');
  if (advertiserId !== undefined) settings.advertiserId = advertiserId;
  if (text('offer_url') !== undefined) settings.destinationUrl = text('offer_url')!;
  if (text('preview_url') !== undefined) settings.previewUrl = text('preview_url') || null;
  if (text('currency') !== undefined) settings.currency = text('currency')!.toUpperCase();
  if (text('status') !== undefined) {
    const status = text('status')!;
    if (!(OFFER_STATUSES as readonly string[]).includes(status)) throw invalidAttribute('Could not save offer.', 'status', `Status must be one of: ${OFFER_STATUSES.join(', ')}`);
    settings.status = status as OfferSettings['status'];
  }
  if (text('expiration_date') !== undefined) {
    const value = text('expiration_date')!;
    if (value === '' || value.startsWith('0000-00-00')) settings.endsAt = null;
    else {
      const day = value.slice(0, 10);
      if (!isCalendarDate(day)) throw invalidAttribute('Could not save offer.', 'expiration_date', 'expiration_date must be YYYY-MM-DD or YYYY-MM-DD hh:mm:ss');
      settings.endsAt = startOfLocalDay(nextDay(day), timeZone);
    }
  }
  const requireApproval = flag('require_approval');
  const isPrivate = flag('is_private');
  if (isPrivate) settings.visibility = 'private';
  else if (requireApproval !== undefined || isPrivate !== undefined) settings.visibility = requireApproval ? 'approval' : 'open';
  const approve = flag('approve_conversions');
  if (approve !== undefined) settings.approveConversions = approve;
  const multiple = flag('allow_multiple_conversions');
  if (multiple !== undefined) settings.allowMultipleConversions = multiple;
  const deepLinks = flag('allow_website_links');
  if (deepLinks !== undefined) settings.allowDeepLink = deepLinks;
  if (text('session_hours') !== undefined) settings.attributionWindowHours = Number(text('session_hours'));
  return settings;
}

/** The offer-wide caps given as fields of the offer, read before anything is written: a limit sets one, "0" removes it. */
export function offerCaps(input: Params): CapInput[] {
  const read = attributeReader('Could not save offer.', input);
  return Object.entries(OFFER_CAPS)
    .filter(([name]) => input[name] !== undefined)
    .map(([name, { metric, period }]) => ({ metric, period, limit: (isMoneyMetric(metric) ? read.money(name) : read.count(name))! }));
}

export async function applyOfferCaps(db: Queryable, offerId: number, caps: CapInput[]): Promise<void> {
  for (const cap of caps) {
    if (cap.limit === 0n) await clearCap(db, OPERATOR, offerId, cap);
    else await setCap(db, OPERATOR, offerId, cap);
  }
}

export function goalSettings(input: Params): Partial<GoalSettings> {
  const read = attributeReader('Could not save goal.', input);
  const settings: Partial<GoalSettings> = { ...(pricingSettings(read) as Partial<GoalSettings>) };
  if (read.text('name') !== undefined) settings.name = read.text('name')!;
  if (read.text('description') !== undefined) settings.description = read.text('description') || null;
  const status = read.text('status');
  if (status !== undefined) {
    if (status !== 'active' && status !== 'deleted') throw invalidAttribute('Could not save goal.', 'status', 'Status must be one of: active, deleted');
    settings.status = status;
  }
  const approve = read.flag('approve_conversions');
  if (approve !== undefined) settings.approveConversions = approve;
  const multiple = read.flag('allow_multiple_conversions');
  if (multiple !== undefined) settings.allowMultipleConversions = multiple;
  return settings;
}
