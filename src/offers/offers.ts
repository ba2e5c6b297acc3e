import type { Principal } from '../accounts/principal.ts';
import { requireAdvertiserAccess, requireAdvertiserSide, visibleAdvertisers } from '../accounts/scope.ts';
import { findAdvertiser } from '../advertisers/advertisers.ts';
import { missingCatalogIds } from '../catalog/catalog.ts';
import { PRICING_COLUMNS } from '../ledger/pricing-sql.ts';
import { getNetwork } from '../network/network.ts';
import { notifyOfferPartners } from '../notifications/notifications.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { first, SqlParams } from '../shared/sql.ts';
import { isHttpUrl, isHttpUrlTemplate } from '../shared/urls.ts';
import type { Queryable } from '../store/store.ts';
import {
  isCurrency,
  normalizeCountries,
  normalizeDevices,
  OFFER_STATUSES,
  pricingProblem,
  PRICING_TYPES,
  VISIBILITIES,
  type Device,
  type OfferStatus,
  type PricingSide,
  type PricingType,
  type Visibility,
} from './offer-rules.ts';

/** Everything a caller may set on an offer. */
export interface OfferSettings {
  advertiserId: number;
  name: string;
  description: string | null;
  status: OfferStatus;
  startsAt: Date;
  endsAt: Date | null;
  destinationUrl: string;
  previewUrl: string | null;
  fallbackUrl: string | null;
  allowDeepLink: boolean;
  geoTargeting: string[];
  deviceTargeting: Device[];
  channelIds: number[];
  currency: string;
  visibility: Visibility;
  attributionWindowHours: number;
  approveConversions: boolean;
  holdHours: number | null;
  allowMultipleConversions: boolean;
  payoutType: PricingType;
  payoutFlatMicros: bigint;
  payoutPercentPpm: number;
  revenueType: PricingType;
  revenueFlatMicros: bigint;
  revenuePercentPpm: number;
  dailyBudgetMicros: bigint | null;
}

export interface Offer extends OfferSettings {
  id: number;
  advertiserName: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewOffer = Pick<OfferSettings, 'advertiserId' | 'name' | 'destinationUrl' | 'payoutType' | 'revenueType'> &
  Partial<OfferSettings>;

const SELECT_OFFER = `SELECT o.id, o.advertiser_id AS "advertiserId", a.name AS "advertiserName", o.name, o.description,
  o.status, o.starts_at AS "startsAt", o.ends_at AS "endsAt", o.destination_url AS "destinationUrl",
  o.preview_url AS "previewUrl", o.fallback_url AS "fallbackUrl", o.allow_deep_link AS "allowDeepLink",
  o.geo_targeting AS "geoTargeting", o.device_targeting AS "deviceTargeting",
  array(SELECT oc.channel_id FROM offer_channels oc WHERE oc.offer_id = o.id ORDER BY oc.channel_id) AS "channelIds",
  trim(o.currency) AS currency, o.visibility, o.attribution_window_hours AS "attributionWindowHours",
  o.approve_conversions AS "approveConversions", o.hold_hours AS "holdHours",
  o.allow_multiple_conversions AS "allowMultipleConversions", o.payout_type AS "payoutType",
  o.payout_flat_micros AS "payoutFlatMicros", o.payout_percent_ppm AS "payoutPercentPpm",
  o.revenue_type AS "revenueType", o.revenue_flat_micros AS "revenueFlatMicros",
  o.revenue_percent_ppm AS "revenuePercentPpm", o.daily_budget_micros AS "dailyBudgetMicros",
  o.created_at AS "createdAt", o.updated_at AS "updatedAt"
  FROM offers o JOIN advertisers a ON a.id = o.advertiser_id`;

export interface OfferFilter {
  advertiserId?: number;
  status?: OfferStatus;
  page: number;
  perPage: number;
}

/**
 * SQL conditions on offers `o` joined to advertisers `a` for the live offers a caller may see,
 * optionally of one advertiser (which must exist and be the caller's).
 */
export async function visibleOfferConditions(
  db: Queryable,
  principal: Principal,
  advertiserId: number | undefined,
  params: SqlParams,
): Promise<string> {
  requireAdvertiserSide(principal);
  const conditions = [visibleAdvertisers(principal, 'a', params), `o.status <> 'deleted'`];
  if (advertiserId !== undefined) {
    const advertiser = await findAdvertiser(db, advertiserId);
    if (!advertiser) throw new NotFoundError('advertiser', advertiserId);
    requireAdvertiserAccess(principal, advertiser);
    conditions.push(`o.advertiser_id = ${params.add(advertiserId)}`);
  }
  return conditions.join(' AND ');
}

export async function listOffers(db: Queryable, principal: Principal, filter: OfferFilter): Promise<Page<Offer>> {
  const params = new SqlParams();
  const where = await visibleOfferConditions(db, principal, filter.advertiserId, params);
  const status = filter.status === undefined ? '' : ` AND o.status = ${params.add(filter.status)}`;
  const { limit, offset } = pageWindow(filter.page, filter.perPage);
  const rows = await db.query<Offer>(
    `${SELECT_OFFER} WHERE ${where}${status} ORDER BY o.id LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
    params.values,
  );
  return toPage(rows, filter.page, filter.perPage);
}

/**
 * SQL: the partner (a bound parameter) may see and promote offer `o`: it is not blocked or rejected
 * there, and an invite-only (private) offer has approved it.
 */
export function partnerSeesOffer(partner: string): string {
  const standing = `(SELECT ap.status FROM approvals ap WHERE ap.offer_id = o.id AND ap.partner_id = ${partner})`;
  return `coalesce(${standing}, '') NOT IN ('blocked', 'rejected') AND (o.visibility <> 'private' OR ${standing} = 'approved')`;
}

/**
 * Checks that the caller may act on an offer: the network on any, an advertiser or agency on its
 * own, a partner on those it may see. Any other is as unknown as one that does not exist, so the
 * answer tells nothing of offers outside the caller's scope.
 */
export async function requireOfferInScope(db: Queryable, principal: Principal, offerId: number, field = 'offerId'): Promise<void> {
  const params = new SqlParams();
  const conditions = [`o.id = ${params.add(offerId)}`, `o.status <> 'deleted'`];
  if (principal.role === 'partner') conditions.push(partnerSeesOffer(params.add(principal.partnerId)));
  else conditions.push(visibleAdvertisers(principal, 'a', params));
  const found = await db.query(`SELECT 1 FROM offers o JOIN advertisers a ON a.id = o.advertiser_id WHERE ${conditions.join(' AND ')}`, params.values);
  if (found.length === 0) throw new ValidationError(field, `unknown offer ${offerId}`);
}

/** Any offer by id, regardless of the caller. */
export async function findOffer(db: Queryable, id: number): Promise<Offer | undefined> {
  return first(await db.query<Offer>(`${SELECT_OFFER} WHERE o.id = $1`, [id]));
}

export async function getOffer(db: Queryable, principal: Principal, id: number): Promise<Offer> {
  requireAdvertiserSide(principal);
  const offer = await findOffer(db, id);
  if (!offer) throw new NotFoundError('offer', id);
  const advertiser = (await findAdvertiser(db, offer.advertiserId))!;
  requireAdvertiserAccess(principal, advertiser);
  return offer;
}

/** One side's pricing checked, with the field at fault named as the caller wrote it (`payoutType`, `revenuePercentPpm`...). */
export function checkPricing(side: PricingSide, type: PricingType, flatMicros: bigint, percentPpm: number, allowed: readonly PricingType[]): void {
  const problem = pricingProblem({ type, flatMicros, percentPpm }, allowed);
  if (problem) throw new ValidationError(`${side}${problem.part}`, problem.detail);
}

/** An offer the caller may change: visible to it, and not archived. */
export async function changeableOffer(db: Queryable, principal: Principal, id: number): Promise<Offer> {
  const offer = await getOffer(db, principal, id);
  if (offer.status === 'deleted') throw new ForbiddenError(`Offer ${id} is archived and cannot be changed`);
  return offer;
}

/** Ten years: longer than any session or hold a network means, and within the store's integer column. */
const MAX_HOURS = 87_600;
const HOURS_RULE = `must be a whole number of hours from 1 to ${MAX_HOURS}`;
const isWholeHours = (hours: number) => Number.isInteger(hours) && hours > 0 && hours <= MAX_HOURS;

async function validate(db: Queryable, principal: Principal, settings: OfferSettings): Promise<OfferSettings> {
  if (settings.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  const advertiser = await findAdvertiser(db, settings.advertiserId);
  if (!advertiser || advertiser.status === 'deleted') {
    throw new ValidationError('advertiserId', `unknown advertiser ${settings.advertiserId}`);
  }
  requireAdvertiserAccess(principal, advertiser);
  if (!isHttpUrlTemplate(settings.destinationUrl)) {
    throw new ValidationError('destinationUrl', 'must be an absolute http(s) URL');
  }
  for (const field of ['previewUrl', 'fallbackUrl'] as const) {
    const url = settings[field];
    if (url !== null && !isHttpUrl(url)) throw new ValidationError(field, 'must be an absolute http(s) URL');
  }
  if (settings.endsAt !== null && settings.endsAt <= settings.startsAt) {
    throw new ValidationError('endsAt', 'must be after the start');
  }
  const countries = normalizeCountries(settings.geoTargeting);
  if (countries.invalid !== undefined) {
    throw new ValidationError('geoTargeting', `"${countries.invalid}" is not an ISO 3166-1 alpha-2 country code`);
  }
  const devices = normalizeDevices(settings.deviceTargeting);
  if (devices.invalid !== undefined) {
    throw new ValidationError('deviceTargeting', `"${devices.invalid}" is not one of desktop, mobile, tablet`);
  }
  const unknownChannels = await missingCatalogIds(db, 'channels', settings.channelIds);
  if (unknownChannels.length > 0) throw new ValidationError('channelIds', `unknown channel ${unknownChannels[0]}`);
  if (!isCurrency(settings.currency)) throw new ValidationError('currency', 'must be an ISO 4217 currency code');
  if (!OFFER_STATUSES.includes(settings.status)) throw new ValidationError('status', 'is not an offer status');
  if (!VISIBILITIES.includes(settings.visibility)) throw new ValidationError('visibility', 'must be open, approval or private');
  for (const side of ['payout', 'revenue'] as const) {
    checkPricing(side, settings[`${side}Type`], settings[`${side}FlatMicros`], settings[`${side}PercentPpm`], PRICING_TYPES);
  }
  if (settings.dailyBudgetMicros !== null && settings.dailyBudgetMicros < 0n) throw new ValidationError('dailyBudgetMicros', 'must not be negative');
  if (!isWholeHours(settings.attributionWindowHours)) throw new ValidationError('attributionWindowHours', HOURS_RULE);
  if (settings.holdHours !== null && !isWholeHours(settings.holdHours)) throw new ValidationError('holdHours', HOURS_RULE);
  return { ...settings, name: settings.name.trim(), geoTargeting: countries.codes, deviceTargeting: devices.devices };
}

const COLUMNS: Array<[keyof OfferSettings, string]> = [
  ['advertiserId', 'advertiser_id'],
  ['name', 'name'],
  ['description', 'description'],
  ['status', 'status'],
  ['startsAt', 'starts_at'],
  ['endsAt', 'ends_at'],
  ['destinationUrl', 'destination_url'],
  ['previewUrl', 'preview_url'],
  ['fallbackUrl', 'fallback_url'],
  ['allowDeepLink', 'allow_deep_link'],
  ['geoTargeting', 'geo_targeting'],
  ['deviceTargeting', 'device_targeting'],
  ['currency', 'currency'],
  ['visibility', 'visibility'],
  ['attributionWindowHours', 'attribution_window_hours'],
  ['approveConversions', 'approve_conversions'],
  ['holdHours', 'hold_hours'],
  ['allowMultipleConversions', 'allow_multiple_conversions'],
  ...PRICING_COLUMNS,
  ['dailyBudgetMicros', 'daily_budget_micros'],
];

async function writeChannels(db: Queryable, offerId: number, channelIds: number[]): Promise<void> {
  await db.query('DELETE FROM offer_channels WHERE offer_id = $1', [offerId]);
  if (channelIds.length > 0) {
    await db.query(
      'INSERT INTO offer_channels (offer_id, channel_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING',
      [offerId, channelIds],
    );
  }
}

export async function createOffer(db: Queryable, principal: Principal, input: NewOffer): Promise<Offer> {
  requireAdvertiserSide(principal);
  const network = await getNetwork(db);
  const settings = await validate(db, principal, {
    description: null,
    status: 'active',
    startsAt: new Date(),
    endsAt: null,
    previewUrl: null,
    fallbackUrl: null,
    allowDeepLink: false,
    geoTargeting: [],
    deviceTargeting: [],
    channelIds: [],
    currency: network.currency,
    visibility: 'open',
    attributionWindowHours: 720,
    approveConversions: false,
    holdHours: null,
    allowMultipleConversions: false,
    payoutFlatMicros: 0n,
    payoutPercentPpm: 0,
    revenueFlatMicros: 0n,
    revenuePercentPpm: 0,
    dailyBudgetMicros: null,
    ...input,
  });
  const params = new SqlParams();
  const values = COLUMNS.map(([field]) => params.add(settings[field]));
  const rows = await db.query<{ id: number }>(
    `INSERT INTO offers (${COLUMNS.map(([, column]) => column).join(', ')}) VALUES (${values.join(', ')}) RETURNING id`,
    params.values,
  );
  await writeChannels(db, rows[0]!.id, settings.channelIds);
  return (await findOffer(db, rows[0]!.id))!;
}

/** Applies the given settings over the offer's current ones; settings not given stay as they are. */
export async function updateOffer(
  db: Queryable,
  principal: Principal,
  id: number,
  changes: Partial<OfferSettings>,
): Promise<Offer> {
  const current = await changeableOffer(db, principal, id);
  const settings = await validate(db, principal, { ...current, ...changes });
  const params = new SqlParams();
  const assignments = COLUMNS.map(([field, column]) => `${column} = ${params.add(settings[field])}`);
  await db.query(`UPDATE offers SET ${assignments.join(', ')}, updated_at = now() WHERE id = ${params.add(id)}`, params.values);
  await writeChannels(db, id, settings.channelIds);
  // Its partners' clicks now go to the fallback and count for nothing, or count again: they hear of it at once.
  if (current.status === 'active' && settings.status !== 'active') {
    await notifyOfferPartners(
      db,
      id,
      'offer_stopped',
      `Offer ${id} (${settings.name}) is now ${settings.status}: its clicks go to the fallback URL and are not counted until it is active again.`,
    );
  } else if (current.status !== 'active' && settings.status === 'active') {
    await notifyOfferPartners(db, id, 'offer_resumed', `Offer ${id} (${settings.name}) is active again: its clicks count from now on.`);
  }
  return (await findOffer(db, id))!;
}

/** Pauses or resumes an offer; an archived or expired one keeps its status and the call is refused. */
export async function setOfferActive(db: Queryable, principal: Principal, id: number, active: boolean): Promise<Offer> {
  const current = await getOffer(db, principal, id);
  if (current.status !== 'active' && current.status !== 'paused') {
    throw new ValidationError('active', `You cannot change the status of campaign with id "${id}".`);
  }
  return updateOffer(db, principal, id, { status: active ? 'active' : 'paused' });
}
