import { createHash } from 'node:crypto';
import type { Conversion, ConversionStatus } from './conversion-record.ts';
import { chooseTerms, priceConversion, type CustomTerm, type Pricing, type PricedConversion } from './payouts.ts';
import { STATUS_CODE } from './status-codes.ts';

/** How a conversion reached us; it sets the approved status code and whether the token applies. */
export type ConversionChannel = 'server_postback' | 'pixel' | 'api' | 'adjustment';

/** The longest order id (and adv_sub) the ledger keeps: a longer one is refused, never cut, so two orders sharing a beginning stay two. */
export const MAX_ORDER_ID_LENGTH = 255;

export interface ConversionRequest {
  channel: ConversionChannel;
  actor: string;
  transactionId?: string;
  offerId?: number;
  partnerId?: number;
  goalId?: number;
  goalName?: string;
  saleAmountMicros?: bigint;
  advSubs?: Array<string | undefined>;
  /** The advertiser's order id; adv_sub when not given, none when null. */
  orderId?: string | null;
  status?: ConversionStatus;
  securityToken?: string;
  ip?: string;
  userAgent?: string;
  convertedAt?: Date;
  /**
   * Which of several identical conversions asked for at once (HasOffers' `number`), from 0. Where
   * a request is known by its content, it is part of it: the copies are distinct, and a retry of
   * the whole request still finds each one.
   */
  copy?: number;
  /** Only these advertisers' offers may be converted (an advertiser's API key); undefined for any. */
  advertiserScope?: number[];
  /**
   * Why the request is refused, found in what was sent before it reached the ledger (an amount that
   * is none, a pixel without its session): it is refused with this, and the refusal recorded like any.
   */
  refusal?: { statusCode: number; reason: string };
  /**
   * A new revision of an order re-attributed to this click. It is known by its order and by the
   * chain of revisions, never by its click or content: the click may have a sale of its own, and
   * an earlier revision of the same order may still hold the click's key.
   */
  revision?: boolean;
}

export interface ClickSession {
  transactionId: string;
  offerId: number | null;
  partnerId: number | null;
  outcome: string;
  createdAt: Date;
  country: string | null;
  device: string | null;
  source: string | null;
  affSub1: string | null;
}

export interface OfferConversionTerms {
  id: number;
  advertiserId: number;
  securityToken: string | null;
  currency: string;
  attributionWindowHours: number;
  approveConversions: boolean;
  holdHours: number | null;
  allowMultiple: boolean;
  hasCaps: boolean;
  /** Its payout rises with each partner's volume (on the offer or a goal): conversions are counted in order, as under caps. */
  hasVolumePayouts: boolean;
  /** A conversion sooner than this after its click is rejected for review (the network's rule); 0: none. */
  minSecondsToConversion: number;
  /** A conversion on a click judged a bot is rejected for review (the network's rule). */
  reviewBotConversions: boolean;
  payout: Pricing;
  revenue: Pricing;
}

export interface GoalConversionTerms {
  id: number;
  name: string;
  approveConversions: boolean;
  allowMultiple: boolean;
  payout: Pricing;
  revenue: Pricing;
}

/** Everything known about one request before deciding it. */
export interface ConversionFacts {
  request: ConversionRequest;
  now: Date;
  click: ClickSession | undefined;
  offer: OfferConversionTerms | undefined;
  /** undefined: no goal asked for; null: asked for, and the offer has no such goal. */
  goal: GoalConversionTerms | null | undefined;
  customPayout?: CustomTerm | undefined;
  customRevenue?: CustomTerm | undefined;
  partnerKnown: boolean;
}

/** A conversion ready to be written: every column, and the keys the store de-duplicates on. */
export type NewConversion = PricedConversion &
  Pick<
    Conversion,
    | 'transactionId' | 'offerId' | 'goalId' | 'partnerId' | 'advertiserId' | 'status' | 'statusCode' | 'reason' | 'currency'
    | 'saleAmountMicros' | 'orderId' | 'advSubs' | 'country' | 'device' | 'source' | 'affSub1' | 'clickAt' | 'convertedAt' | 'holdUntil' | 'isAdjustment'
  > & {
    transactionKey: string | null;
    orderKey: string | null;
    requestKey: string | null;
  };

/** How far an advertiser's clock may be from ours: a conversion dated this much in the future, or before its click, still stands. */
export const CLOCK_SKEW_MS = 300_000;

export type ConversionDecision = { refused: { statusCode: number; reason: string } } | { conversion: NewConversion };

const refused = (statusCode: number, reason: string): ConversionDecision => ({ refused: { statusCode, reason } });

/** The offer and partner a request is about: its click's, or the ones it names. */
export function subjectOf(request: ConversionRequest, click: ClickSession | undefined): { offerId?: number; partnerId?: number } {
  return click ? { offerId: click.offerId ?? undefined, partnerId: click.partnerId ?? undefined } : { offerId: request.offerId, partnerId: request.partnerId };
}

/**
 * Decides a conversion request from the facts: refused with a status code and reason, or a
 * priced conversion with its status. Caps are applied afterwards, against the store's counts.
 */
export function decideConversion(facts: ConversionFacts): ConversionDecision {
  const { request, click, offer, goal, customPayout, customRevenue } = facts;
  if (request.refusal) return { refused: request.refusal };
  const tooLong = [request.orderId, ...(request.advSubs ?? [])].find((value) => value != null && value.length > MAX_ORDER_ID_LENGTH);
  if (tooLong != null) {
    return refused(STATUS_CODE.INVALID_REQUEST, `an order id or adv_sub is longer than ${MAX_ORDER_ID_LENGTH} characters (${tooLong.length})`);
  }
  const convertedAt = request.convertedAt ?? facts.now;
  if (convertedAt.getTime() - facts.now.getTime() > CLOCK_SKEW_MS) {
    return refused(STATUS_CODE.INVALID_REQUEST, `the conversion is dated ${convertedAt.toISOString()}, in the future`);
  }
  if (request.transactionId) {
    if (!click) return refused(STATUS_CODE.UNKNOWN_TRANSACTION, `unknown transaction_id ${request.transactionId}`);
    if (click.outcome !== 'counted' && click.outcome !== 'bot') {
      return refused(STATUS_CODE.UNKNOWN_TRANSACTION, `the click ${request.transactionId} was refused (${click.outcome}) and has no session`);
    }
    if (request.offerId !== undefined && request.offerId !== click.offerId) {
      return refused(STATUS_CODE.OFFER_MISMATCH, `transaction ${request.transactionId} belongs to offer ${click.offerId}, not ${request.offerId}`);
    }
  } else if (request.offerId === undefined || request.partnerId === undefined) {
    return refused(STATUS_CODE.UNKNOWN_TRANSACTION, 'a conversion needs a transaction_id, or offer_id with aff_id');
  }
  const { offerId, partnerId } = subjectOf(request, click);
  if (!offer) return refused(STATUS_CODE.UNKNOWN_OFFER, `unknown offer ${offerId}`);
  if (request.advertiserScope && !request.advertiserScope.includes(offer.advertiserId)) {
    return refused(STATUS_CODE.UNKNOWN_OFFER, `offer ${offer.id} is not one of your offers`);
  }
  if (!facts.partnerKnown) return refused(STATUS_CODE.UNKNOWN_PARTNER, `unknown partner ${partnerId}`);
  if (goal === null) return refused(STATUS_CODE.UNKNOWN_GOAL, `offer ${offer.id} has no goal ${request.goalId ?? request.goalName}`);
  const checksToken = request.channel === 'server_postback' || request.channel === 'pixel';
  if (checksToken && offer.securityToken && request.securityToken !== offer.securityToken) {
    return refused(STATUS_CODE.INVALID_SECURITY_TOKEN, 'invalid advertiser security token');
  }
  if (click && convertedAt.getTime() - click.createdAt.getTime() > offer.attributionWindowHours * 3_600_000) {
    return refused(STATUS_CODE.SESSION_EXPIRED, `the session expired: the click is older than ${offer.attributionWindowHours} hours`);
  }
  // An order made before its click cannot be the click's doing: a click fired after the sale (click injection) takes no credit.
  if (click && click.createdAt.getTime() - convertedAt.getTime() > CLOCK_SKEW_MS) {
    return refused(
      STATUS_CODE.INVALID_REQUEST,
      `the conversion is dated ${convertedAt.toISOString()}, before its click at ${click.createdAt.toISOString()}`,
    );
  }

  const saleAmountMicros = request.saleAmountMicros ?? 0n;
  const priced = priceConversion(chooseTerms({ offer, goal: goal ?? undefined, customPayout, customRevenue }, goal?.id ?? null), saleAmountMicros);
  const needsApproval = (goal ?? offer).approveConversions || offer.holdHours !== null;
  const held = heldForReview(request, offer, click, convertedAt);
  const status: ConversionStatus = held ? 'rejected' : (request.status ?? (needsApproval ? 'pending' : 'approved'));
  const statusCode = held
    ? held.statusCode
    : status === 'pending'
      ? STATUS_CODE.PENDING_APPROVAL
      : status === 'rejected'
        ? STATUS_CODE.ADVERTISER_STATUS
        : request.channel === 'pixel'
          ? STATUS_CODE.CLIENT_COOKIE
          : request.channel === 'server_postback'
            ? STATUS_CODE.SERVER_POSTBACK
            : STATUS_CODE.ADJUSTMENT;

  const advSubs = [0, 1, 2, 3, 4].map((index) => request.advSubs?.[index] || null);
  const orderId = request.orderId === null ? null : request.orderId || advSubs[0] || null;
  const goalKey = goal?.id ?? 0;
  const transactionKey = click && !(goal ?? offer).allowMultiple && !request.revision ? `${click.transactionId}:${goalKey}` : null;
  const orderKey = orderId ? `${offer.id}:${goalKey}:${orderId}` : null;
  // With neither a click nor an order id to go by, a postback is known by its whole content.
  const requestKey =
    !transactionKey && !orderKey && !request.revision
      ? createHash('sha256')
          .update(
            JSON.stringify([
              request.channel,
              click?.transactionId ?? null,
              offer.id,
              partnerId,
              goalKey,
              String(saleAmountMicros),
              advSubs,
              // Absent for the first copy, so a request's key is what it was before copies existed.
              ...(request.copy ? [request.copy] : []),
            ]),
          )
          .digest('hex')
      : null;

  return {
    conversion: {
      ...priced,
      transactionId: click?.transactionId ?? null,
      offerId: offer.id,
      goalId: goal?.id ?? null,
      partnerId: partnerId!,
      advertiserId: offer.advertiserId,
      status,
      statusCode,
      reason: held?.reason ?? (status === 'rejected' ? 'rejected by the advertiser' : null),
      currency: offer.currency,
      saleAmountMicros,
      orderId,
      advSubs,
      country: click?.country ?? '',
      device: click?.device ?? '',
      source: click?.source ?? null,
      affSub1: click?.affSub1 ?? null,
      clickAt: click?.createdAt ?? null,
      convertedAt,
      holdUntil: status === 'pending' && offer.holdHours !== null ? new Date(convertedAt.getTime() + offer.holdHours * 3_600_000) : null,
      isAdjustment: request.channel === 'adjustment',
      transactionKey,
      orderKey,
      requestKey,
    },
  };
}

/**
 * Why a conversion may not stand unreviewed, or undefined when it may: it came sooner after its
 * click than the network's minimum, or on a click judged a bot. It is recorded rejected with this
 * reason, so an advertiser or the network can approve it. An adjustment is someone's deliberate
 * correction (a re-attribution, a conversion added by hand) and is taken as made.
 */
function heldForReview(
  request: ConversionRequest,
  offer: OfferConversionTerms,
  click: ClickSession | undefined,
  convertedAt: Date,
): { statusCode: number; reason: string } | undefined {
  if (!click || request.channel === 'adjustment') return undefined;
  if (click.outcome === 'bot' && offer.reviewBotConversions) {
    return { statusCode: STATUS_CODE.BOT_CLICK, reason: 'converted on a click judged a bot (its user agent is a crawler\'s or a script\'s); held for review' };
  }
  if (offer.minSecondsToConversion === 0) return undefined;
  const seconds = (convertedAt.getTime() - click.createdAt.getTime()) / 1000;
  if (seconds >= offer.minSecondsToConversion) return undefined;
  return {
    statusCode: STATUS_CODE.TOO_SOON_AFTER_CLICK,
    reason: `converted ${Math.max(0, Math.floor(seconds))} s after its click, sooner than the network's minimum of ${offer.minSecondsToConversion} s`,
  };
}

/** Whether an existing conversion is the one a retried request would have made. */
export function isSameConversion(
  existing: { transactionId: string | null; goalId: number | null; saleAmountMicros: bigint; advSubs: Array<string | null> },
  wanted: NewConversion,
): boolean {
  return (
    existing.transactionId === wanted.transactionId &&
    existing.goalId === wanted.goalId &&
    existing.saleAmountMicros === wanted.saleAmountMicros &&
    existing.advSubs.every((value, index) => value === wanted.advSubs[index])
  );
}
