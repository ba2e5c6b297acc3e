import type { Principal } from '../accounts/principal.ts';
import { OPERATOR } from '../accounts/principal.ts';
import { createAdvertiser, findAdvertiser, updateAdvertiser } from '../advertisers/advertisers.ts';
import { recordConversionIn } from '../ledger/conversions.ts';
import type { ConversionStatus } from '../ledger/conversion-record.ts';
import { adjustSaleAmount, approveConversion, markPending, overrideAmounts, rejectConversion } from '../ledger/corrections.ts';
import { advertiserScopeOf } from '../ledger/ledger-access.ts';
import { createOffer, findOffer, partnerSeesOffer, updateOffer } from '../offers/offers.ts';
import type { PricingSide } from '../offers/offer-rules.ts';
import { createGoal, removeCustomTermsOf, setCustomTerms, updateGoal } from '../offers/offer-terms.ts';
import { APPROVAL_STATUSES, setApproval, type ApprovalStatus } from '../partners/approvals.ts';
import { applyToOffer } from '../partners/offer-applications.ts';
import { createPartner, getPartner, updatePartner, type PartnerStatus } from '../partners/partners.ts';
import { setPartnerTier } from '../partners/partner-tiers.ts';
import type { Platform } from '../platform.ts';
import { createPostback, getPostback, deletePostback, type PostbackInput } from '../postbacks/postbacks.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { parseId } from '../shared/ids.ts';
import { SqlParams } from '../shared/sql.ts';
import { localDateTime } from '../shared/time-zones.ts';
import type { Queryable, Transaction } from '../store/store.ts';
import { shortLinkFor } from '../tracking/short-links.ts';
import { HasOffersError, invalidAttribute, missingArgument, type Params } from './envelope.ts';
import { findResponse, findRows, type ModelDef } from './find.ts';
import {
  ADVERTISER,
  AFFILIATE,
  AFFILIATE_OFFER_FIELDS,
  affiliateOfferModel,
  CONVERSION,
  GOAL,
  OFFER,
  AFFILIATE_TIER,
  AFFILIATE_USER,
  OFFER_APPROVAL,
  OFFER_CATEGORY,
  OFFER_PIXEL,
} from './models.ts';
import { containList, offerContains, trackingLinks, type Contain } from './offer-contains.ts';
import { getConversions, getStats, type ReportCaller } from './reports.ts';
import { amountAttribute, applyOfferCaps, attributeReader, goalSettings, idAttribute, offerCaps, offerSettings } from './record-settings.ts';
import { intParam, list, param } from './values.ts';

export type Api = 'network' | 'affiliate' | 'advertiser';

export interface MethodContext {
  platform: Platform;
  principal: Principal;
  params: Params;
  timeZone: string;
  /** Where tracking links point: this server's own address. */
  trackingBase: string;
  /** The store for a read; for a write, the one transaction the whole method runs in. */
  db: Queryable;
}

export interface WriteContext extends MethodContext {
  db: Transaction;
}

type Read = (context: MethodContext) => Promise<unknown>;

/** A method that writes: its caller runs it whole in one transaction, so it changes all it should or nothing, and can be replayed. */
export interface Write {
  /** What must happen before that transaction opens: a click still on its way to the store is written first. */
  prepare?: (context: MethodContext) => Promise<void>;
  write: (context: WriteContext) => Promise<unknown>;
  /** Makes a new record each time it runs, so a plain retry would make a second one. */
  makesRecord?: boolean;
}

export type Method = Read | Write;

/** A write's data[...] fields, each one value as every model's field is: `data[name][x]=1` is refused, not stored as "[object Object]". */
const data = (context: MethodContext): Params => {
  const value = context.params.data;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  for (const [name, field] of Object.entries(value)) {
    if (field !== null && typeof field === 'object') throw new HasOffersError(`Invalid value for data[${name}]: one value is expected, not a list or nested fields`);
  }
  return value as Params;
};
const requireId = (context: MethodContext, name = 'id'): number => {
  const value = param(context.params, name);
  if (value === undefined || value === '') throw missingArgument(name);
  const id = intParam(context.params, name);
  if (id === undefined) throw new HasOffersError(Number(value) < 0 ? 'Row id is negative' : `Invalid ${name} '${value}'`);
  return id;
};


/** The amounts of one side's custom terms, as Offer::setPayout|setRevenue and their tier forms name them. */
const CUSTOM_TERMS_PARAMS: Record<PricingSide, { flat: string; percent: string }> = {
  payout: { flat: 'payout', percent: 'percent_payout' },
  revenue: { flat: 'revenue', percent: 'percent_revenue' },
};

/** The core's names for one side's custom terms, as HasOffers calls them, for its errors. */
const customTermsNames = (side: PricingSide) => ({
  [`${side}FlatMicros`]: CUSTOM_TERMS_PARAMS[side].flat,
  [`${side}PercentPpm`]: CUSTOM_TERMS_PARAMS[side].percent,
  goalId: 'goal_id',
  partnerId: 'affiliate_id',
  tierId: 'affiliate_tier_id',
});

/** goal_id of custom terms: absent, empty or 0 for the offer's default conversion. */
const customTermsGoal = (action: string, context: MethodContext) => idAttribute(action, context.params, 'goal_id') || null;

type Whose = { partnerId?: number; tierId?: number };
const oneAffiliate = (context: MethodContext): Whose => ({ partnerId: requireId(context, 'affiliate_id') });
const oneTier = (context: MethodContext): Whose => ({ tierId: requireId(context, 'affiliate_tier_id') });

/**
 * Offer::setPayout, setTierPayout, setRevenue and setTierRevenue: what an affiliate (or a tier's
 * affiliates) earns, or what the advertiser pays for their traffic, on the offer or one goal, in
 * amounts alone: the offer's or goal's pricing type on that side stays.
 */
async function setAffiliateTerms(context: WriteContext, side: PricingSide, whose: Whose): Promise<true> {
  const action = `Could not set ${side}.`;
  const read = attributeReader(action, context.params);
  await setCustomTerms(context.db, OPERATOR, requireId(context), side, {
    ...whose,
    goalId: customTermsGoal(action, context),
    flatMicros: read.money(CUSTOM_TERMS_PARAMS[side].flat),
    percentPpm: read.percent(CUSTOM_TERMS_PARAMS[side].percent),
  });
  return true;
}

/** Offer::removePayout, removeRevenue and their tier forms: the offer's or goal's own terms apply again. Removing terms that are not there changes nothing. */
async function removeAffiliateTerms(context: WriteContext, side: PricingSide, whose: Whose): Promise<true> {
  await removeCustomTermsOf(context.db, OPERATOR, requireId(context), side, { ...whose, goalId: customTermsGoal(`Could not remove ${side}.`, context) });
  return true;
}

/** data[affiliate_tier_id]: the partner tier whose payouts the affiliate shares; 0 takes it out of any. */
async function setTierAttribute(context: WriteContext, action: string, input: Params, partnerId: number): Promise<void> {
  const tierId = idAttribute(action, input, 'affiliate_tier_id');
  if (tierId !== undefined) await setPartnerTier(context.db, context.principal, partnerId, tierId || null);
}


/** Conversion::create's `number` at most: adjustments, not a bulk import. */
const MAX_CONVERSIONS_PER_CREATE = 100;

/** Affiliates and advertisers are named by their company. */
const COMPANY = { names: { name: 'company' } };

/** A create: a call sent again without a key of its own is taken for a retry for a while (see the plugin). */
const makesRecord = (write: Write): Write => ({ ...write, makesRecord: true });

/** A write whose core errors are said the HasOffers way; `names` are the model's own attribute names for core fields. */
function writes(
  action: string,
  work: (context: WriteContext) => Promise<unknown>,
  { names = {}, prepare }: { names?: Record<string, string>; prepare?: Write['prepare'] } = {},
): Write {
  return {
    prepare,
    write: async (context) => {
      try {
        return await work(context);
      } catch (error) {
        if (error instanceof ValidationError) throw invalidAttribute(action, names[error.field] ?? snakeCase(error.field), error.detail);
        if (error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof ConflictError) throw new HasOffersError(error.message);
        throw error;
      }
    },
  };
}

function snakeCase(name: string): string {
  const known: Record<string, string> = {
    destinationUrl: 'offer_url',
    payoutFlatMicros: 'default_payout',
    revenueFlatMicros: 'max_payout',
    payoutPercentPpm: 'percent_payout',
    revenuePercentPpm: 'max_percent_payout',
    endsAt: 'expiration_date',
    attributionWindowHours: 'session_hours',
    advertiserId: 'advertiser_id',
    businessUrl: 'website',
    name: 'name',
    url: 'code',
  };
  return known[name] ?? name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

async function findOne(context: MethodContext, model: ModelDef, id: number, where: string[] = [], sql = new SqlParams(), visible?: readonly string[]) {
  const found = await findRows(context.db, model, { params: { fields: context.params.fields }, where: [...where, `${model.idSql} = ${sql.add(id)}`], sql, visible });
  return found.rows[0];
}

async function findMany(context: MethodContext, model: ModelDef, where: string[] = [], sql = new SqlParams(), visible?: readonly string[]) {
  return findRows(context.db, model, { params: context.params, where, sql, visible });
}

// ---- Offers -------------------------------------------------------------------------------

function offerWhereForAffiliate(context: MethodContext, sql: SqlParams, approvedOnly: boolean): { model: ModelDef; where: string[] } {
  const partner = sql.add(context.principal.partnerId);
  const model = affiliateOfferModel(partner);
  const where = [`o.status = 'active'`, `a.status = 'active'`, partnerSeesOffer(partner)];
  // Approved offers: the open marketplace, plus the approval and invite-only offers this affiliate was approved for.
  if (approvedOnly) where.push(`(o.visibility = 'open' OR (SELECT ap.status FROM approvals ap WHERE ap.offer_id = o.id AND ap.partner_id = ${partner}) = 'approved')`);
  return { model, where };
}

async function offersWithContains(context: MethodContext, model: ModelDef, where: string[], sql: SqlParams, visible: readonly string[] | undefined, network: boolean) {
  const contain = containList(context.params.contain, network);
  const found = await findMany(context, model, where, sql, visible);
  const contains = await offerContains(
    { db: context.db, trackingBase: context.trackingBase, partnerId: context.principal.partnerId ?? undefined, network },
    contain,
    found.rows.map((row) => Number(row.id)),
  );
  return findResponse(found, 'Offer', contains);
}

async function offerById(context: MethodContext, model: ModelDef, where: string[], sql: SqlParams, visible: readonly string[] | undefined, network: boolean) {
  const id = requireId(context);
  const row = await findOne(context, model, id, where, sql, visible);
  if (!row) return null;
  const contains = await offerContains(
    { db: context.db, trackingBase: context.trackingBase, partnerId: context.principal.partnerId ?? undefined, network },
    containList(context.params.contain, network),
    [id],
  );
  return { Offer: row.record, ...contains(row.id) };
}

async function trackingLink(context: MethodContext, offerId: number, partnerId: number) {
  const offer = await findOffer(context.db, offerId);
  if (!offer) throw new HasOffersError(`Offer ${offerId} does not exist`);
  const raw = context.params.params;
  const linkParams: Record<string, string> = {};
  if (raw && typeof raw === 'object') for (const [key, value] of Object.entries(raw)) linkParams[key] = String(value);
  const options = (context.params.options && typeof context.params.options === 'object' ? context.params.options : {}) as Params;
  const links = trackingLinks(context.trackingBase, offerId, partnerId, linkParams);
  if (param(options, 'tiny_url') === '1') {
    const short = await shortLinkFor(context.db, offerId, partnerId, linkParams);
    links.click_url = `${context.trackingBase}/t/${short.code}`;
  }
  return { affiliate_id: String(partnerId), offer_id: String(offerId), ...links };
}

// ---- The methods, by Target ------------------------------------------------------------------

const network = (context: MethodContext): ReportCaller => ({ role: 'network_admin', scope: {}, timeZone: context.timeZone });

async function conversionRecord(context: MethodContext, id: bigint | number) {
  return (await findOne(context, CONVERSION, Number(id)))?.record;
}

async function conversionByAnyId(context: MethodContext): Promise<bigint> {
  const transactionId = param(context.params, 'transaction_id') ?? param(context.params, 'ad_id');
  const tuneEventId = param(context.params, 'tune_event_id');
  if (param(context.params, 'id') === undefined && transactionId === undefined && tuneEventId === undefined) throw missingArgument('id');
  const [row] = await context.db.query<{ id: bigint }>(
    `SELECT id FROM conversions WHERE id::text = $1 OR (transaction_id IS NOT NULL AND transaction_id = $2) OR seq::text = $3
     ORDER BY replaced_by_id IS NULL DESC, id DESC LIMIT 1`,
    [param(context.params, 'id') ?? '', transactionId ?? '', tuneEventId ?? ''],
  );
  if (!row) throw new HasOffersError('Failed to hydrate rows: conversion not found');
  return row.id;
}

/** The click a Conversion::create names by its transaction id. */
const adIdOf = (input: Params): string | undefined => (input.ad_id === undefined ? undefined : String(input.ad_id));

async function applyConversionChanges(context: WriteContext, id: bigint, input: Params): Promise<void> {
  const tx = context.db;
  const corrector = { actor: `user:${context.principal.userId}` };
  const status = input.status === undefined ? undefined : String(input.status);
  const reason = input.note === undefined ? null : String(input.note);
  const amount = (name: string) => amountAttribute('Could not update conversion.', input, name);
  const saleMicros = amount('sale_amount');
  if (saleMicros !== undefined) await adjustSaleAmount(tx, corrector, id, saleMicros, reason);
  const payoutMicros = amount('payout');
  const revenueMicros = amount('revenue');
  if (payoutMicros !== undefined || revenueMicros !== undefined) await overrideAmounts(tx, corrector, id, { payoutMicros, revenueMicros }, reason);
  if (status !== undefined) await setConversionStatus(context, id, status, reason);
}

async function setConversionStatus(context: WriteContext, id: bigint, status: string, reason: string | null) {
  const tx = context.db;
  const corrector = { actor: `user:${context.principal.userId}` };
  if (status === 'approved') return approveConversion(tx, corrector, id, reason);
  if (status === 'pending') return markPending(tx, corrector, id, reason);
  if (status === 'rejected') return rejectConversion(tx, corrector, id, reason ?? 'rejected by the network');
  throw invalidAttribute('Could not update conversion.', 'status', 'Status must be one of: approved, pending, rejected');
}

/** The ids a method names in `ids[]`, at least one. */
function requireIds(context: MethodContext, name = 'ids'): number[] {
  const raw = list(context.params[name]);
  if (raw.length === 0) throw missingArgument(name);
  return raw.map((value) => {
    const id = parseId(value);
    if (id === undefined) throw new HasOffersError(`Invalid ${name} '${value}'`);
    return id;
  });
}

/** The affiliates whose approval for the offer `id` stands at one of these statuses, as id strings. */
async function affiliateIdsByApproval(context: MethodContext, statuses: ApprovalStatus[]): Promise<string[]> {
  const id = requireId(context);
  if (!(await findOffer(context.db, id))) throw new HasOffersError(`Offer ${id} does not exist`);
  const rows = await context.db.query<{ partnerId: number }>(
    'SELECT partner_id AS "partnerId" FROM approvals WHERE offer_id = $1 AND status = ANY($2::text[]) ORDER BY partner_id',
    [id, statuses],
  );
  return rows.map((row) => String(row.partnerId));
}

/** Every affiliate's approval for an offer, each with its affiliate's company and its offer's name. */
async function affiliateApprovals(context: MethodContext) {
  const found = await findMany(context, OFFER_APPROVAL);
  const names = new Map(
    (
      await context.db.query<{ id: number; partnerId: number; company: string; offerId: number; offer: string }>(
        `SELECT ap.id, p.id AS "partnerId", p.name AS company, o.id AS "offerId", o.name AS offer
         FROM approvals ap JOIN partners p ON p.id = ap.partner_id JOIN offers o ON o.id = ap.offer_id WHERE ap.id = ANY($1::int[])`,
        [found.rows.map((row) => Number(row.id))],
      )
    ).map((row) => [String(row.id), row]),
  );
  return findResponse(found, 'AffiliateOffer', (id) => {
    const row = names.get(id)!;
    return { Affiliate: { id: String(row.partnerId), company: row.company }, Offer: { id: String(row.offerId), name: row.offer } };
  });
}

/**
 * Conversion::findAddedConversions and findUpdatedConversions: those made (or last changed) from
 * `start_date` until `end_date` (or now), network wall-clock times, with the usual find parameters.
 */
async function conversionsChangedBetween(context: MethodContext, column: 'created_at' | 'updated_at') {
  const bound = (name: string) => {
    const text = param(context.params, name);
    if (text === undefined || text === '') return undefined;
    const at = localDateTime(text.length === 10 ? `${text} 00:00:00` : text, context.timeZone);
    if (!at) throw new HasOffersError(`${name} must be YYYY-MM-DD or YYYY-MM-DD hh:mm:ss in the network time zone`);
    return at;
  };
  const from = bound('start_date');
  if (!from) throw missingArgument('start_date');
  const to = bound('end_date');
  const sql = new SqlParams();
  const where = [`c.${column} >= ${sql.add(from)}`, ...(to ? [`c.${column} <= ${sql.add(to)}`] : [])];
  return findResponse(await findMany(context, CONVERSION, where, sql), 'Conversion');
}

/** Affiliate_Offer's getters by `ids[]`: one entry per offer with what `contain[]` would set beside it. */
async function perOffer(context: MethodContext, contain: Contain, key: string) {
  const ids = (
    await context.db.query<{ id: number }>(`SELECT id FROM offers WHERE id = ANY($1::int[]) AND status <> 'deleted' ORDER BY id`, [requireIds(context)])
  ).map((row) => row.id);
  const contains = await offerContains({ db: context.db, trackingBase: context.trackingBase, partnerId: context.principal.partnerId ?? undefined, network: false }, [contain], ids);
  return ids.map((id) => ({ offer_id: String(id), [key]: contains(String(id))[contain] }));
}

const NETWORK: Record<string, Record<string, Method>> = {
  Application: {
    validNetworkApiKey: async () => true,
    findAllOfferCategories: async (context) => findResponse(await findMany(context, OFFER_CATEGORY), 'OfferCategory'),
    findAllAffiliateTiers: async (context) => findResponse(await findMany(context, AFFILIATE_TIER), 'AffiliateTier'),
  },
  Offer: {
    findAll: (context) => offersWithContains(context, OFFER, [], new SqlParams(), undefined, true),
    findById: (context) => offerById(context, OFFER, [], new SqlParams(), undefined, true),
    findAllIds: async (context) => (await findMany(context, OFFER)).rows.map((row) => row.id),
    findAllByIds: (context) => {
      const sql = new SqlParams();
      return offersWithContains(context, OFFER, [`o.id = ANY(${sql.add(requireIds(context))}::int[])`], sql, undefined, true);
    },
    getApprovedAffiliateIds: (context) => affiliateIdsByApproval(context, ['approved']),
    getBlockedAffiliateIds: (context) => affiliateIdsByApproval(context, ['blocked']),
    getUnapprovedAffiliateIds: (context) => affiliateIdsByApproval(context, ['pending', 'rejected']),
    findAllAffiliateApprovals: affiliateApprovals,
    create: makesRecord(writes('Could not create offer.', async (context) => {
      const input = data(context);
      for (const name of ['name', 'advertiser_id', 'offer_url']) if (input[name] === undefined) throw missingArgument(`data[${name}]`);
      const settings = offerSettings(input, context.timeZone);
      const caps = offerCaps(input);
      const offer = await createOffer(context.db, OPERATOR, {
        ...settings,
        advertiserId: settings.advertiserId!,
        name: settings.name!,
        destinationUrl: settings.destinationUrl!,
        payoutType: settings.payoutType ?? 'cpa_flat',
        revenueType: settings.revenueType ?? settings.payoutType ?? 'cpa_flat',
      });
      await applyOfferCaps(context.db, offer.id, caps);
      return { Offer: (await findOne(context, OFFER, offer.id))!.record };
    })),
    update: writes('Could not update offer.', async (context) => {
      const id = requireId(context);
      const caps = offerCaps(data(context));
      await updateOffer(context.db, OPERATOR, id, offerSettings(data(context), context.timeZone));
      await applyOfferCaps(context.db, id, caps);
      return { Offer: (await findOne(context, OFFER, id))!.record };
    }),
    setAffiliateApproval: writes('Could not set affiliate approval.', async (context) => {
      const id = requireId(context);
      const partnerId = requireId(context, 'affiliate_id');
      const status = param(context.params, 'status');
      if (!status) throw missingArgument('status');
      if (!(APPROVAL_STATUSES as readonly string[]).includes(status)) {
        throw invalidAttribute('Could not set affiliate approval.', 'status', `Status must be one of: ${APPROVAL_STATUSES.join(', ')}`);
      }
      if (!(await findOffer(context.db, id))) throw new HasOffersError(`Offer ${id} does not exist`);
      await getPartner(context.db, partnerId);
      await setApproval(context.db, id, partnerId, status as ApprovalStatus, param(context.params, 'notes') ?? null);
      return true;
    }),
    setPayout: writes('Could not set payout.', (context) => setAffiliateTerms(context, 'payout', oneAffiliate(context)), { names: customTermsNames('payout') }),
    removePayout: writes('Could not remove payout.', (context) => removeAffiliateTerms(context, 'payout', oneAffiliate(context))),
    setTierPayout: writes('Could not set tier payout.', (context) => setAffiliateTerms(context, 'payout', oneTier(context)), { names: customTermsNames('payout') }),
    removeTierPayout: writes('Could not remove tier payout.', (context) => removeAffiliateTerms(context, 'payout', oneTier(context))),
    setRevenue: writes('Could not set revenue.', (context) => setAffiliateTerms(context, 'revenue', oneAffiliate(context)), { names: customTermsNames('revenue') }),
    removeRevenue: writes('Could not remove revenue.', (context) => removeAffiliateTerms(context, 'revenue', oneAffiliate(context))),
    setTierRevenue: writes('Could not set tier revenue.', (context) => setAffiliateTerms(context, 'revenue', oneTier(context)), { names: customTermsNames('revenue') }),
    removeTierRevenue: writes('Could not remove tier revenue.', (context) => removeAffiliateTerms(context, 'revenue', oneTier(context))),
    getAffiliateApprovalStatus: async (context) => {
      const id = requireId(context);
      const partnerId = requireId(context, 'affiliate_id');
      const offer = await findOffer(context.db, id);
      if (!offer) throw new HasOffersError(`Offer ${id} does not exist`);
      const [row] = await context.db.query<{ status: string }>('SELECT status FROM approvals WHERE offer_id = $1 AND partner_id = $2', [id, partnerId]);
      return row?.status ?? (offer.visibility === 'open' ? 'approved' : null);
    },
    generateTrackingLink: async (context) => trackingLink(context, requireId(context, 'offer_id'), requireId(context, 'affiliate_id')),
  },
  Affiliate: {
    findAll: async (context) => findResponse(await findMany(context, AFFILIATE), 'Affiliate'),
    findAllIds: async (context) => (await findMany(context, AFFILIATE)).rows.map((row) => row.id),
    block: writes('Could not block affiliate.', async (context) => {
      await updatePartner(context.db, requireId(context), { status: 'blocked' });
      return true;
    }),
    findById: async (context) => {
      const row = await findOne(context, AFFILIATE, requireId(context));
      return row ? { Affiliate: row.record } : null;
    },
    create: makesRecord(writes('Could not create affiliate.', async (context) => {
      const input = data(context);
      if (input.company === undefined) throw missingArgument('data[company]');
      const partner = await createPartner(context.db, {
        name: String(input.company),
        website: input.website === undefined ? null : String(input.website),
        status: (input.status === undefined ? 'active' : String(input.status)) as PartnerStatus,
      });
      await setTierAttribute(context, 'Could not create affiliate.', input, partner.id);
      return { Affiliate: (await findOne(context, AFFILIATE, partner.id))!.record };
    }, COMPANY)),
    update: writes('Could not update affiliate.', async (context) => {
      const id = requireId(context);
      const input = data(context);
      await updatePartner(context.db, id, {
        ...(input.company !== undefined ? { name: String(input.company) } : {}),
        ...(input.website !== undefined ? { website: String(input.website) } : {}),
        ...(input.status !== undefined ? { status: String(input.status) as PartnerStatus } : {}),
      });
      await setTierAttribute(context, 'Could not update affiliate.', input, id);
      return { Affiliate: (await findOne(context, AFFILIATE, id))!.record };
    }, COMPANY),
  },
  Advertiser: {
    findAll: async (context) => findResponse(await findMany(context, ADVERTISER), 'Advertiser'),
    findAllIds: async (context) => (await findMany(context, ADVERTISER)).rows.map((row) => row.id),
    findById: async (context) => {
      const row = await findOne(context, ADVERTISER, requireId(context));
      return row ? { Advertiser: row.record } : null;
    },
    create: makesRecord(writes('Could not create advertiser.', async (context) => {
      const input = data(context);
      if (input.company === undefined) throw missingArgument('data[company]');
      const advertiser = await createAdvertiser(context.db, OPERATOR, {
        name: String(input.company),
        businessUrl: input.website === undefined ? '' : String(input.website),
        categoryId: null,
      });
      if (input.status !== undefined || input.conversion_security_token !== undefined) {
        await updateAdvertiserExtras(context.db, advertiser.id, input);
      }
      return { Advertiser: (await findOne(context, ADVERTISER, advertiser.id))!.record };
    }, COMPANY)),
    update: writes('Could not update advertiser.', async (context) => {
      const id = requireId(context);
      const input = data(context);
      const current = await findAdvertiser(context.db, id);
      if (!current) throw new HasOffersError(`Advertiser ${id} does not exist`);
      await updateAdvertiser(context.db, OPERATOR, id, {
        name: input.company === undefined ? current.name : String(input.company),
        businessUrl: input.website === undefined ? current.businessUrl : String(input.website),
        categoryId: current.categoryId,
      });
      await updateAdvertiserExtras(context.db, id, input);
      return { Advertiser: (await findOne(context, ADVERTISER, id))!.record };
    }, COMPANY),
  },
  Goal: {
    findAll: async (context) => findResponse(await findMany(context, GOAL), 'Goal'),
    findById: async (context) => {
      const row = await findOne(context, GOAL, requireId(context));
      return row ? { Goal: row.record } : null;
    },
    create: makesRecord(writes('Could not create goal.', async (context) => {
      const input = data(context);
      for (const name of ['offer_id', 'name']) if (input[name] === undefined) throw missingArgument(`data[${name}]`);
      const offerId = idAttribute('Could not create goal.', input, 'offer_id')!;
      const settings = goalSettings(input);
      const goal = await createGoal(context.db, OPERATOR, offerId, {
        ...settings,
        name: settings.name!,
        payoutType: settings.payoutType ?? 'cpa_flat',
        revenueType: settings.revenueType ?? settings.payoutType ?? 'cpa_flat',
      });
      return { Goal: (await findOne(context, GOAL, goal.id))!.record };
    })),
    update: writes('Could not update goal.', async (context) => {
      const id = requireId(context);
      const [goal] = await context.db.query<{ offerId: number }>('SELECT offer_id AS "offerId" FROM goals WHERE id = $1', [id]);
      if (!goal) throw new HasOffersError(`Goal ${id} does not exist`);
      await updateGoal(context.db, OPERATOR, goal.offerId, id, goalSettings(data(context)));
      return { Goal: (await findOne(context, GOAL, id))!.record };
    }),
  },
  Conversion: {
    findAll: async (context) => findResponse(await findMany(context, CONVERSION), 'Conversion'),
    findAddedConversions: (context) => conversionsChangedBetween(context, 'created_at'),
    findUpdatedConversions: (context) => conversionsChangedBetween(context, 'updated_at'),
    findById: async (context) => {
      const id = param(context.params, 'id') !== undefined ? BigInt(requireId(context)) : await conversionByAnyId(context).catch(() => undefined);
      if (id === undefined) return null;
      const record = await conversionRecord(context, id);
      return record ? { Conversion: record } : null;
    },
    create: writes(
      'Could not create conversion.',
      async (context) => {
        const input = data(context);
        const transactionId = adIdOf(input);
        if (!transactionId) for (const name of ['offer_id', 'affiliate_id']) if (input[name] === undefined) throw missingArgument(`data[${name}]`);
        const status = input.status === undefined ? undefined : String(input.status);
        if (status !== undefined && !['approved', 'pending', 'rejected'].includes(status)) {
          throw invalidAttribute('Could not create conversion.', 'status', 'Status must be one of: approved, pending, rejected');
        }
        const saleAmount = amountAttribute('Could not create conversion.', input, 'sale_amount');
        // HasOffers datetimes are the network's wall clock, as this API also writes them.
        const datetime = input.datetime === undefined ? undefined : localDateTime(String(input.datetime), context.timeZone);
        if (input.datetime !== undefined && !datetime) {
          throw invalidAttribute('Could not create conversion.', 'datetime', 'datetime must be YYYY-MM-DD hh:mm:ss in the network time zone');
        }
        // HasOffers' `number`: that many identical conversions, made together or not at all.
        const number = param(context.params, 'number') === undefined ? 1 : intParam(context.params, 'number');
        if (number === undefined || number < 1 || number > MAX_CONVERSIONS_PER_CREATE) {
          throw new HasOffersError(`number must be a whole number from 1 to ${MAX_CONVERSIONS_PER_CREATE}`);
        }
        const offerId = idAttribute('Could not create conversion.', input, 'offer_id');
        const partnerId = idAttribute('Could not create conversion.', input, 'affiliate_id');
        const goalId = idAttribute('Could not create conversion.', input, 'goal_id') || undefined;
        const createAdjustment = async (copy: number): Promise<bigint> => {
          const outcome = await recordConversionIn(context.db, {
            channel: 'adjustment',
            actor: `user:${context.principal.userId}`,
            transactionId,
            offerId,
            partnerId,
            goalId,
            saleAmountMicros: saleAmount,
            // HasOffers refuses a second conversion with an offer's unique id, as the ledger refuses a second order id;
            // advertiser_info is kept, and limits nothing.
            orderId: input.conversion_unique_id === undefined ? null : String(input.conversion_unique_id),
            advSubs: [input.advertiser_info === undefined ? undefined : String(input.advertiser_info)],
            status: status as ConversionStatus | undefined,
            convertedAt: datetime,
            copy,
          });
          if (!outcome.ok) throw new HasOffersError(outcome.reason);
          const overrides: Params = {};
          if (input.payout !== undefined) overrides.payout = input.payout;
          if (input.revenue !== undefined) overrides.revenue = input.revenue;
          if (Object.keys(overrides).length > 0) await applyConversionChanges(context, outcome.conversion.id, overrides);
          return outcome.conversion.id;
        };
        const ids: bigint[] = [];
        for (let copy = 0; copy < number; copy += 1) ids.push(await createAdjustment(copy));
        return { Conversion: await conversionRecord(context, ids[0]!) };
      },
      {
        prepare: async (context) => {
          const transactionId = adIdOf(data(context));
          if (transactionId) await context.platform.tracker.writer.ensureWritten(transactionId);
        },
      },
    ),
    update: writes('Could not update conversion.', async (context) => {
      const id = await conversionByAnyId(context);
      await applyConversionChanges(context, id, data(context));
      return { Conversion: await conversionRecord(context, id) };
    }),
    updateStatus: writes('Could not update conversion.', async (context) => {
      const id = await conversionByAnyId(context);
      const status = param(context.params, 'status');
      if (!status) throw missingArgument('status');
      await setConversionStatus(context, id, status, param(context.params, 'note') ?? null);
      return true;
    }),
  },
  Report: {
    getStats: (context) => getStats(context.db, network(context), context.params),
    getConversions: (context) => getConversions(context.db, network(context), context.params),
  },
};

async function updateAdvertiserExtras(db: Queryable, id: number, input: Params): Promise<void> {
  if (input.status !== undefined) {
    const status = String(input.status);
    if (!['active', 'paused', 'pending', 'blocked', 'deleted'].includes(status)) {
      throw invalidAttribute('Could not update advertiser.', 'status', 'Status must be one of: active, paused, pending, blocked, deleted');
    }
    await db.query('UPDATE advertisers SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
  }
  if (input.conversion_security_token !== undefined) {
    await db.query('UPDATE advertisers SET conversion_security_token = nullif($2, \'\'), updated_at = now() WHERE id = $1', [id, String(input.conversion_security_token)]);
  }
}

const affiliate = (context: MethodContext): ReportCaller => ({ role: 'partner', scope: { partnerId: context.principal.partnerId! }, timeZone: context.timeZone });

const AFFILIATE_API: Record<string, Record<string, Method>> = {
  Affiliate_Report: {
    getStats: (context) => getStats(context.db, affiliate(context), context.params),
    getConversions: (context) => getConversions(context.db, affiliate(context), context.params),
  },
  Affiliate_Offer: {
    findMyApprovedOffers: (context) => {
      const sql = new SqlParams();
      const { model, where } = offerWhereForAffiliate(context, sql, true);
      return offersWithContains(context, model, where, sql, AFFILIATE_OFFER_FIELDS, false);
    },
    findAll: (context) => {
      const sql = new SqlParams();
      const { model, where } = offerWhereForAffiliate(context, sql, false);
      return offersWithContains(context, model, where, sql, AFFILIATE_OFFER_FIELDS, false);
    },
    findById: (context) => {
      const sql = new SqlParams();
      const { model, where } = offerWhereForAffiliate(context, sql, false);
      return offerById(context, model, where, sql, AFFILIATE_OFFER_FIELDS, false);
    },
    generateTrackingLink: async (context) => {
      const offerId = requireId(context, 'offer_id');
      const sql = new SqlParams();
      const { model, where } = offerWhereForAffiliate(context, sql, true);
      if (!(await findOne(context, model, offerId, where, sql, AFFILIATE_OFFER_FIELDS))) {
        throw new HasOffersError(`Offer ${offerId} is not approved for this affiliate`);
      }
      return trackingLink(context, offerId, context.principal.partnerId!);
    },
    // HasOffers' "apply to run this offer": the application waits for the advertiser or the network.
    requestOfferAccess: writes('Could not request offer access.', async (context) => {
      const application = await applyToOffer(context.db, context.principal, requireId(context, 'offer_id'), param(context.params, 'notes') ?? param(context.params, 'answers') ?? null);
      return { AffiliateOffer: { offer_id: String(application.offerId), affiliate_id: String(application.partnerId), approval_status: application.status, notes: application.note } };
    }),
    getCategories: (context) => perOffer(context, 'OfferCategory', 'categories'),
    getThumbnail: (context) => perOffer(context, 'Thumbnail', 'Thumbnail'),
    getTargetCountries: (context) => perOffer(context, 'Country', 'countries'),
    getPixels: async (context) => {
      const sql = new SqlParams();
      const status = param(context.params, 'status');
      const where = [`pp.partner_id = ${sql.add(context.principal.partnerId)}`, `pp.offer_id = ${sql.add(requireId(context))}`, `pp.status <> 'deleted'`];
      const found = await findMany(context, OFFER_PIXEL, status ? [...where, `pp.status = ${sql.add(status)}`] : where, sql);
      return found.rows.map((row) => ({ OfferPixel: row.record }));
    },
  },
  Affiliate_OfferPixel: {
    // Partnerline fires server postbacks and image pixels for every offer; it runs no partner's HTML.
    getAllowedTypes: async (context) => {
      const offerId = requireId(context, 'offer_id');
      if (!(await findOffer(context.db, offerId))) throw new HasOffersError(`Offer ${offerId} does not exist`);
      return ['image', 'url'];
    },
    findAll: async (context) => {
      const sql = new SqlParams();
      return findResponse(await findMany(context, OFFER_PIXEL, [`pp.partner_id = ${sql.add(context.principal.partnerId)}`, `pp.status <> 'deleted'`], sql), 'OfferPixel');
    },
    create: makesRecord(writes('Could not create offer pixel.', async (context) => {
      const input = data(context);
      for (const name of ['offer_id', 'type', 'code']) if (input[name] === undefined) throw missingArgument(`data[${name}]`);
      const type = String(input.type);
      if (type !== 'url' && type !== 'image') {
        throw invalidAttribute('Could not create offer pixel.', 'type', 'Type must be one of: url, image');
      }
      const offerId = idAttribute('Could not create offer pixel.', input, 'offer_id');
      const pixel: PostbackInput = {
        offerId: offerId || null,
        goalId: input.goal_id === '' ? null : idAttribute('Could not create offer pixel.', input, 'goal_id') || null,
        type,
        url: String(input.code),
      };
      await createPostback(context.db, context.principal, pixel, { allowPrivateDestinations: context.platform.config.postbackAllowPrivate });
      return true;
    })),
    updateStatus: writes('Could not update offer pixel.', (context) => deletePixel(context, param(context.params, 'status'))),
    updateField: writes('Could not update offer pixel.', async (context) => {
      if (param(context.params, 'field') !== 'status') throw new HasOffersError('Only the status of a pixel can be changed');
      return deletePixel(context, param(context.params, 'value'));
    }),
  },
  Affiliate_AffiliateUser: {
    findAll: async (context) => {
      const sql = new SqlParams();
      return findResponse(await findMany(context, AFFILIATE_USER, [`u.partner_id = ${sql.add(context.principal.partnerId)}`], sql), 'AffiliateUser');
    },
  },
  Affiliate_Affiliate: {
    findById: async (context) => {
      const row = await findOne(context, AFFILIATE, context.principal.partnerId!);
      return row ? { Affiliate: row.record } : null;
    },
  },
};

/** An affiliate may only move its pixel to deleted; changing the code means a new pixel. */
async function deletePixel(context: WriteContext, status: string | undefined) {
  const id = requireId(context);
  if (status !== 'deleted') throw invalidAttribute('Could not update offer pixel.', 'status', 'Affiliates may only set status to deleted');
  await getPostback(context.db, context.principal, id);
  await deletePostback(context.db, context.principal, id);
  return true;
}

const ADVERTISER_API: Record<string, Record<string, Method>> = {
  Advertiser_Report: {
    getStats: async (context) =>
      getStats(context.db, { role: 'advertiser', scope: { advertiserIds: (await advertiserScopeOf(context.db, context.principal))! }, timeZone: context.timeZone }, context.params),
    getConversions: async (context) =>
      getConversions(context.db, { role: 'advertiser', scope: { advertiserIds: (await advertiserScopeOf(context.db, context.principal))! }, timeZone: context.timeZone }, context.params),
  },
  Advertiser_Offer: {
    findAll: async (context) => {
      const sql = new SqlParams();
      const scope = (await advertiserScopeOf(context.db, context.principal))!;
      return offersWithContains(context, OFFER, [`o.advertiser_id = ANY(${sql.add(scope)}::int[])`, `o.status <> 'deleted'`], sql, undefined, false);
    },
  },
};

export function apiOf(target: string): Api {
  return target.startsWith('Affiliate_') ? 'affiliate' : target.startsWith('Advertiser_') ? 'advertiser' : 'network';
}

export function methodOf(target: string, method: string): Method | undefined {
  const table = apiOf(target) === 'affiliate' ? AFFILIATE_API : apiOf(target) === 'advertiser' ? ADVERTISER_API : NETWORK;
  const methods = Object.hasOwn(table, target) ? table[target] : undefined;
  if (!methods) return undefined;
  const name = Object.keys(methods).find((candidate) => candidate.toLowerCase() === method.toLowerCase());
  return name ? methods[name] : undefined;
}

/** Every Target and Method answered, each API's in turn: what the documentation lists, and what the sweeps of the tests call. */
export function allMethods(): Array<{ target: string; method: string }> {
  return [NETWORK, AFFILIATE_API, ADVERTISER_API].flatMap((table) =>
    Object.entries(table).flatMap(([target, methods]) => Object.keys(methods).map((method) => ({ target, method }))),
  );
}

export function targetExists(target: string): boolean {
  return Object.hasOwn(NETWORK, target) || Object.hasOwn(AFFILIATE_API, target) || Object.hasOwn(ADVERTISER_API, target);
}

