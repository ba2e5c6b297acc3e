import { createHash, randomUUID } from 'node:crypto';
import type { PricingType } from '../offers/offer-rules.ts';
import { enqueuePostbacks } from '../postbacks/outbox.ts';
import { first } from '../shared/sql.ts';
import type { Queryable, Store, Transaction } from '../store/store.ts';
import { capWindow } from './cap-windows.ts';
import { CONVERSION_COLUMNS, type Conversion, type ConversionStatus } from './conversion-record.ts';
import { moveStats, recordEvent } from './ledger-writes.ts';
import { chooseTerms, priceConversion, type Pricing } from './payouts.ts';
import { capStatusCode, STATUS_CODE } from './status-codes.ts';
import type { CapMetric, CapPeriod } from '../offers/offer-terms.ts';

/** How a conversion reached us; it sets the approved status code and whether the token applies. */
export type ConversionChannel = 'server_postback' | 'pixel' | 'api' | 'adjustment';

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
  /** The advertiser's order id; adv_sub when not given. */
  orderId?: string;
  status?: ConversionStatus;
  securityToken?: string;
  ip?: string;
  userAgent?: string;
  convertedAt?: Date;
  /** Only these advertisers' offers may be converted (an advertiser's API key); undefined for any. */
  advertiserScope?: number[];
}

export type ConversionOutcome =
  | { ok: true; conversion: Conversion; created: boolean }
  | { ok: false; statusCode: number; reason: string; conversionId?: bigint };

export interface ClickSessions {
  /** Waits until a click still held in memory is in the store. */
  ensureWritten(transactionId: string): Promise<void>;
}

interface ClickRow {
  transactionId: string;
  offerId: number | null;
  partnerId: number | null;
  outcome: string;
  createdAt: Date;
  country: string | null;
  device: string | null;
}

interface OfferRow {
  id: number;
  advertiserId: number;
  advertiserStatus: string;
  securityToken: string | null;
  currency: string;
  attributionWindowHours: number;
  approveConversions: boolean;
  holdHours: number | null;
  allowMultiple: boolean;
  payout: Pricing;
  revenue: Pricing;
}

interface GoalRow {
  id: number;
  approveConversions: boolean;
  allowMultiple: boolean;
  payout: Pricing;
  revenue: Pricing;
}

const PRICING = (side: 'payout' | 'revenue', alias: string) =>
  `json_build_object('type', ${alias}.${side}_type, 'flatMicros', ${alias}.${side}_flat_micros::text, 'percentPpm', ${alias}.${side}_percent_ppm) AS ${side}`;

function parsePricing(raw: { type: PricingType; flatMicros: string; percentPpm: number }): Pricing {
  return { type: raw.type, flatMicros: BigInt(raw.flatMicros), percentPpm: raw.percentPpm };
}

type Refusal = { ok: false; statusCode: number; reason: string; conversionId?: bigint };

async function refuse(db: Queryable, request: ConversionRequest, statusCode: number, reason: string, conversionId?: bigint): Promise<Refusal> {
  await db.query(
    `INSERT INTO conversion_attempts (channel, offer_id, transaction_id, status_code, reason, existing_conversion_id, params)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      request.channel,
      request.offerId ?? null,
      request.transactionId ?? null,
      statusCode,
      reason,
      conversionId === undefined ? null : String(conversionId),
      JSON.stringify({ goalId: request.goalId, goalName: request.goalName, advSubs: request.advSubs, orderId: request.orderId }),
    ],
  );
  return { ok: false, statusCode, reason, conversionId };
}

/**
 * Records a conversion: finds its click, checks it, prices it, applies the caps, and writes it
 * with its ledger event, statistics and postbacks in one transaction. Duplicates are refused by
 * the store's unique keys; a retry of the same conversion answers the conversion already made.
 */
export async function recordConversion(store: Store, sessions: ClickSessions, request: ConversionRequest): Promise<ConversionOutcome> {
  if (request.transactionId) await sessions.ensureWritten(request.transactionId);
  return store.transaction((tx) => recordConversionIn(tx, request));
}

export async function recordConversionIn(tx: Transaction, request: ConversionRequest): Promise<ConversionOutcome> {
  const convertedAt = request.convertedAt ?? new Date();
  let click: ClickRow | undefined;
  let offerId = request.offerId;
  let partnerId = request.partnerId;
  if (request.transactionId) {
    click = first(
      await tx.query<ClickRow>(
        `SELECT transaction_id AS "transactionId", offer_id AS "offerId", partner_id AS "partnerId", outcome,
                created_at AS "createdAt", country, device FROM clicks WHERE transaction_id = $1`,
        [request.transactionId],
      ),
    );
    if (!click) return refuse(tx, request, STATUS_CODE.UNKNOWN_TRANSACTION, `unknown transaction_id ${request.transactionId}`);
    if (click.outcome !== 'counted' && click.outcome !== 'bot') {
      return refuse(tx, request, STATUS_CODE.UNKNOWN_TRANSACTION, `the click ${request.transactionId} was refused (${click.outcome}) and has no session`);
    }
    if (offerId !== undefined && offerId !== click.offerId) {
      return refuse(tx, request, STATUS_CODE.OFFER_MISMATCH, `transaction ${request.transactionId} belongs to offer ${click.offerId}, not ${offerId}`);
    }
    offerId = click.offerId!;
    partnerId = click.partnerId!;
  } else if (offerId === undefined || partnerId === undefined) {
    return refuse(tx, request, STATUS_CODE.UNKNOWN_TRANSACTION, 'a conversion needs a transaction_id, or offer_id with aff_id');
  }

  const offer = first(
    await tx.query<Omit<OfferRow, 'payout' | 'revenue'> & { payout: never; revenue: never }>(
      `SELECT o.id, o.advertiser_id AS "advertiserId", a.status AS "advertiserStatus",
              a.conversion_security_token AS "securityToken", trim(o.currency) AS currency,
              o.attribution_window_hours AS "attributionWindowHours", o.approve_conversions AS "approveConversions",
              o.hold_hours AS "holdHours", o.allow_multiple_conversions AS "allowMultiple", ${PRICING('payout', 'o')}, ${PRICING('revenue', 'o')}
       FROM offers o JOIN advertisers a ON a.id = o.advertiser_id WHERE o.id = $1 AND o.status <> 'deleted'`,
      [offerId],
    ),
  );
  if (!offer) return refuse(tx, request, STATUS_CODE.UNKNOWN_OFFER, `unknown offer ${offerId}`);
  const offerRow: OfferRow = { ...offer, payout: parsePricing(offer.payout), revenue: parsePricing(offer.revenue) };
  if (request.advertiserScope && !request.advertiserScope.includes(offerRow.advertiserId)) {
    return refuse(tx, request, STATUS_CODE.UNKNOWN_OFFER, `offer ${offerId} is not one of your offers`);
  }
  const partnerExists = await tx.query('SELECT 1 FROM partners WHERE id = $1', [partnerId]);
  if (partnerExists.length === 0) return refuse(tx, request, STATUS_CODE.UNKNOWN_PARTNER, `unknown partner ${partnerId}`);

  let goal: GoalRow | undefined;
  if (request.goalId !== undefined || request.goalName !== undefined) {
    const found = first(
      await tx.query<Omit<GoalRow, 'payout' | 'revenue'> & { payout: never; revenue: never }>(
        `SELECT g.id, g.approve_conversions AS "approveConversions", g.allow_multiple_conversions AS "allowMultiple",
                ${PRICING('payout', 'g')}, ${PRICING('revenue', 'g')}
         FROM goals g WHERE g.offer_id = $1 AND g.status = 'active' AND (g.id = $2 OR lower(g.name) = lower($3))`,
        [offerRow.id, request.goalId ?? null, request.goalName ?? null],
      ),
    );
    if (!found) return refuse(tx, request, STATUS_CODE.UNKNOWN_GOAL, `offer ${offerRow.id} has no goal ${request.goalId ?? request.goalName}`);
    goal = { ...found, payout: parsePricing(found.payout), revenue: parsePricing(found.revenue) };
  }

  const checksToken = request.channel === 'server_postback' || request.channel === 'pixel';
  if (checksToken && offerRow.securityToken && request.securityToken !== offerRow.securityToken) {
    return refuse(tx, request, STATUS_CODE.INVALID_SECURITY_TOKEN, 'invalid advertiser security token');
  }
  if (click && convertedAt.getTime() - click.createdAt.getTime() > offerRow.attributionWindowHours * 3_600_000) {
    return refuse(tx, request, STATUS_CODE.SESSION_EXPIRED, `the session expired: the click is older than ${offerRow.attributionWindowHours} hours`);
  }

  const override = first(
    await tx.query<{ goalId: number | null; payout: never }>(
      `SELECT goal_id AS "goalId", ${PRICING('payout', 'p')} FROM payout_overrides p
       WHERE offer_id = $1 AND partner_id = $2 AND goal_id IS NOT DISTINCT FROM $3`,
      [offerRow.id, partnerId, goal?.id ?? null],
    ),
  );
  const saleAmountMicros = request.saleAmountMicros ?? 0n;
  const priced = priceConversion(
    chooseTerms(
      { offer: offerRow, goal, override: override ? { goalId: override.goalId, payout: parsePricing(override.payout) } : undefined },
      goal?.id ?? null,
    ),
    saleAmountMicros,
  );

  const needsApproval = (goal ?? offerRow).approveConversions || offerRow.holdHours !== null;
  let status: ConversionStatus = request.status ?? (needsApproval ? 'pending' : 'approved');
  let statusCode: number =
    status === 'pending'
      ? STATUS_CODE.PENDING_APPROVAL
      : status === 'rejected'
        ? STATUS_CODE.ADVERTISER_STATUS
        : request.channel === 'pixel'
          ? STATUS_CODE.CLIENT_COOKIE
          : request.channel === 'server_postback'
            ? STATUS_CODE.SERVER_POSTBACK
            : STATUS_CODE.ADJUSTMENT;
  let reason: string | null = status === 'rejected' ? 'rejected by the advertiser' : null;

  const advSubs = [0, 1, 2, 3, 4].map((index) => request.advSubs?.[index] || null);
  const orderId = request.orderId || advSubs[0];
  const goalKey = goal?.id ?? 0;
  const allowMultiple = (goal ?? offerRow).allowMultiple;
  const transactionKey = click && !allowMultiple ? `${click.transactionId}:${goalKey}` : null;
  const orderKey = orderId ? `${offerRow.id}:${goalKey}:${orderId}` : null;
  const requestKey =
    !transactionKey && !orderKey
      ? createHash('sha256')
          .update(JSON.stringify([request.channel, click?.transactionId ?? null, offerRow.id, partnerId, goalKey, String(saleAmountMicros), advSubs]))
          .digest('hex')
      : null;

  if (status !== 'rejected') {
    const cap = await exceededCap(tx, offerRow.id, partnerId!, goal?.id ?? null, priced, convertedAt);
    if (cap) {
      status = 'rejected';
      statusCode = capStatusCode(cap.metric, cap.period, cap.partnerId !== null);
      reason = `${cap.period === 'lifetime' ? 'lifetime' : cap.period === 'day' ? 'daily' : 'monthly'} ${cap.metric} cap of ${cap.limit} reached`;
    }
  }

  const inserted = first(
    await tx.query<{ id: bigint }>(
      `INSERT INTO conversions (seq, transaction_id, offer_id, goal_id, partner_id, advertiser_id, status, status_code, reason,
         currency, sale_amount_micros, payout_micros, revenue_micros, payout_type, revenue_type, payout_rule, order_id,
         adv_sub1, adv_sub2, adv_sub3, adv_sub4, adv_sub5, ip, user_agent, country, device, click_at, converted_at,
         hold_until, is_adjustment, dedupe_transaction_key, dedupe_order_key, dedupe_request_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
         $25, $26, $27, $28, $29, $30, $31, $32, $33)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        randomUUID(),
        click?.transactionId ?? null,
        offerRow.id,
        goal?.id ?? null,
        partnerId,
        offerRow.advertiserId,
        status,
        statusCode,
        reason,
        offerRow.currency,
        String(saleAmountMicros),
        String(priced.payoutMicros),
        String(priced.revenueMicros),
        priced.payoutType,
        priced.revenueType,
        priced.rule,
        orderId,
        ...advSubs,
        request.ip ?? null,
        request.userAgent ?? null,
        click?.country ?? '',
        click?.device ?? '',
        click?.createdAt ?? null,
        convertedAt,
        status === 'pending' && offerRow.holdHours !== null ? new Date(convertedAt.getTime() + offerRow.holdHours * 3_600_000) : null,
        request.channel === 'adjustment',
        transactionKey,
        orderKey,
        requestKey,
      ],
    ),
  );

  if (!inserted) {
    const existing = first(
      await tx.query<Conversion & { byOrder: boolean }>(
        `SELECT ${CONVERSION_COLUMNS}, c.dedupe_order_key = $2 AS "byOrder" FROM conversions c
         WHERE c.dedupe_transaction_key = $1 OR c.dedupe_order_key = $2 OR c.dedupe_request_key = $3 LIMIT 1`,
        [transactionKey, orderKey, requestKey],
      ),
    )!;
    const sameConversion =
      existing.transactionId === (click?.transactionId ?? null) &&
      existing.goalId === (goal?.id ?? null) &&
      existing.saleAmountMicros === saleAmountMicros &&
      existing.advSubs.every((value, index) => value === advSubs[index]);
    if (sameConversion) return { ok: true, conversion: existing, created: false };
    return existing.byOrder
      ? refuse(tx, request, STATUS_CODE.DUPLICATE_UNIQUE_ID, `order ${orderId} was already converted (conversion ${existing.id})`, existing.id)
      : refuse(tx, request, STATUS_CODE.DUPLICATE, `transaction ${click?.transactionId} already converted (conversion ${existing.id})`, existing.id);
  }

  const [conversion] = await tx.query<Conversion>(`SELECT ${CONVERSION_COLUMNS} FROM conversions c WHERE c.id = $1`, [String(inserted.id)]);
  await recordEvent(tx, 'created', request.actor, reason, null, conversion!);
  await moveStats(tx, null, conversion!);
  if (conversion!.status !== 'rejected') await enqueuePostbacks(tx, conversion!, 'create');
  return { ok: true, conversion: conversion!, created: true };
}

interface CapRow {
  partnerId: number | null;
  goalId: number | null;
  metric: CapMetric;
  period: CapPeriod;
  limit: bigint;
}

/** The first cap this conversion would pass, counting approved and pending conversions in its period. */
async function exceededCap(
  tx: Queryable,
  offerId: number,
  partnerId: number,
  goalId: number | null,
  priced: { payoutMicros: bigint; revenueMicros: bigint },
  at: Date,
): Promise<CapRow | undefined> {
  const caps = await tx.query<CapRow>(
    `SELECT partner_id AS "partnerId", goal_id AS "goalId", metric, period, cap_limit AS limit FROM caps
     WHERE offer_id = $1 AND metric <> 'clicks' AND (partner_id IS NULL OR partner_id = $2) AND (goal_id IS NULL OR goal_id = $3)
     ORDER BY id`,
    [offerId, partnerId, goalId],
  );
  if (caps.length === 0) return undefined;
  // Conversions on one offer queue here, so two cannot both take the last place under a cap.
  await tx.query('SELECT pg_advisory_xact_lock(727276, $1)', [offerId]);
  const [{ timeZone }] = (await tx.query<{ timeZone: string }>('SELECT time_zone AS "timeZone" FROM network')) as [{ timeZone: string }];
  for (const cap of caps) {
    const window = capWindow(cap.period, at, timeZone);
    const [used] = await tx.query<{ conversions: bigint; payout: bigint; revenue: bigint; spend: bigint }>(
      `SELECT coalesce(sum(approved + pending), 0)::int8 AS conversions,
              coalesce(sum(approved_payout_micros + pending_payout_micros), 0)::int8 AS payout,
              coalesce(sum(approved_revenue_micros + pending_revenue_micros), 0)::int8 AS revenue,
              coalesce(sum(approved_revenue_micros + pending_revenue_micros + click_cost_micros), 0)::int8 AS spend
       FROM stats_hourly WHERE offer_id = $1 AND hour >= $2 AND hour < $3
         AND ($4::int IS NULL OR partner_id = $4) AND ($5::int IS NULL OR goal_id = $5)`,
      [offerId, window.from, window.to, cap.partnerId, cap.goalId],
    );
    const next =
      cap.metric === 'conversions'
        ? used!.conversions + 1n
        : cap.metric === 'payout'
          ? used!.payout + priced.payoutMicros
          : cap.metric === 'revenue'
            ? used!.revenue + priced.revenueMicros
            : used!.spend + priced.revenueMicros;
    if (next > cap.limit) return cap;
  }
  return undefined;
}
