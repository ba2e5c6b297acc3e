import { networkTimeZone } from '../network/network.ts';
import { enqueuePostbacks } from '../postbacks/outbox.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable, Transaction } from '../store/store.ts';
import { CONVERSION_COLUMNS, type Conversion, type ConversionStatus } from './conversion-record.ts';
import { recordConversionIn } from './conversions.ts';
import { moveStats, recordEvent, type LedgerEventType } from './ledger-writes.ts';
import { chooseTerms, priceConversion, repriceAtKeptRates, volumeStepFor, withVolumeStep, type PricedConversion, type VolumeStep } from './payouts.ts';
import { customTermOf, customTermsSql, pricingJson, toPricing, type CustomTermsRow, type RawPricing } from './pricing-sql.ts';
import { STATUS_CODE } from './status-codes.ts';
import { conversionsBefore, loadVolumeSchedules, scheduleFor } from './volume-payouts.ts';

/** Who corrects: a name for the ledger, and the advertisers whose conversions it may touch (all when undefined). */
export interface Corrector {
  actor: string;
  advertiserScope?: number[];
}

export type CorrectionResult = { conversion: Conversion; changed: boolean };

async function lockConversion(tx: Queryable, corrector: Corrector, id: bigint): Promise<Conversion> {
  const conversion = first(
    await tx.query<Conversion>(`SELECT ${CONVERSION_COLUMNS} FROM conversions c WHERE c.id = $1 FOR UPDATE`, [String(id)]),
  );
  if (!conversion) throw new NotFoundError('conversion', String(id));
  if (corrector.advertiserScope && !corrector.advertiserScope.includes(conversion.advertiserId)) {
    throw new ForbiddenError(`Conversion ${id} is not on one of your offers`);
  }
  return conversion;
}

async function reload(tx: Queryable, id: bigint): Promise<Conversion> {
  const [conversion] = await tx.query<Conversion>(`SELECT ${CONVERSION_COLUMNS} FROM conversions c WHERE c.id = $1`, [String(id)]);
  return conversion!;
}

/**
 * Moves a conversion to a status with its reason. Setting the status it already has changes
 * nothing, so a correction sent twice is applied once.
 */
async function setStatus(
  tx: Transaction,
  corrector: Corrector,
  id: bigint,
  status: ConversionStatus,
  eventType: LedgerEventType,
  reason: string | null,
): Promise<CorrectionResult> {
  const before = await lockConversion(tx, corrector, id);
  if (before.replacedById !== null) throw new ConflictError(`Conversion ${id} was re-attributed to conversion ${before.replacedById}; correct that one`);
  if (before.status === status) return { conversion: before, changed: false };
  await tx.query(
    `UPDATE conversions SET status = $2, status_code = $3, reason = $4, hold_until = NULL, updated_at = now() WHERE id = $1`,
    [String(id), status, status === 'pending' ? STATUS_CODE.PENDING_APPROVAL : STATUS_CODE.MANUAL, reason],
  );
  const after = await reload(tx, id);
  await recordEvent(tx, eventType, corrector.actor, reason, before, after);
  await moveStats(tx, before, after);
  await enqueuePostbacks(tx, [{ before: before.status, after }]);
  return { conversion: after, changed: true };
}

export function approveConversion(tx: Transaction, corrector: Corrector, id: bigint, reason: string | null = null) {
  return setStatus(tx, corrector, id, 'approved', 'approved', reason);
}

export function markPending(tx: Transaction, corrector: Corrector, id: bigint, reason: string | null = null) {
  return setStatus(tx, corrector, id, 'pending', 'pending', reason);
}

/** Rejects a conversion; a batch that approved it and then took it back records the rejection as a reversal. */
export function rejectConversion(tx: Transaction, corrector: Corrector, id: bigint, reason: string, as: 'rejected' | 'reversed' = 'rejected') {
  if (!reason.trim()) throw new ValidationError('reason', 'a rejection needs a reason the partner can read');
  return setStatus(tx, corrector, id, 'rejected', as, reason);
}

/** Takes back an approved conversion after a refund or chargeback; the partner sees the reason. */
export async function reverseConversion(tx: Transaction, corrector: Corrector, id: bigint, reason: string): Promise<CorrectionResult> {
  if (!reason.trim()) throw new ValidationError('reason', 'a reversal needs a reason the partner can read');
  const current = await lockConversion(tx, corrector, id);
  if (current.status === 'rejected') return { conversion: current, changed: false };
  if (current.status !== 'approved') throw new ConflictError(`Only an approved conversion can be reversed; ${id} is ${current.status}`);
  return setStatus(tx, corrector, id, 'rejected', 'reversed', reason);
}

/** The volume step the conversion's place among its partner's conversions of the period reaches, where its offer or goal has steps. */
async function reachedVolumeStep(tx: Queryable, conversion: Conversion): Promise<VolumeStep | undefined> {
  const schedule = scheduleFor(await loadVolumeSchedules(tx, [conversion.offerId]), conversion.offerId, conversion.goalId);
  if (!schedule) return undefined;
  return volumeStepFor(schedule.steps, (await conversionsBefore(tx, conversion, schedule.period, await networkTimeZone(tx))) + 1);
}

interface TermsRow {
  offerPayout: RawPricing;
  offerRevenue: RawPricing;
  goalPayout: RawPricing | null;
  goalRevenue: RawPricing | null;
}

/** The conversion priced by the terms that apply to it today: for one recorded before conversions kept their rates. */
async function priceByCurrentTerms(tx: Queryable, conversion: Conversion, saleAmountMicros: bigint): Promise<PricedConversion> {
  const [terms] = await tx.query<TermsRow>(
    `SELECT ${pricingJson('payout', 'o')} AS "offerPayout", ${pricingJson('revenue', 'o')} AS "offerRevenue",
            (SELECT ${pricingJson('payout', 'g')} FROM goals g WHERE g.id = $2) AS "goalPayout",
            (SELECT ${pricingJson('revenue', 'g')} FROM goals g WHERE g.id = $2) AS "goalRevenue"
     FROM offers o WHERE o.id = $1`,
    [conversion.offerId, conversion.goalId],
  );
  const customTerms = await tx.query<CustomTermsRow>(customTermsSql('p.offer_id = $1 AND p.partner_id = $2 AND p.goal_id IS NOT DISTINCT FROM $3'), [
    conversion.offerId,
    conversion.partnerId,
    conversion.goalId,
  ]);
  const goalPayout = toPricing(terms!.goalPayout);
  const goalRevenue = toPricing(terms!.goalRevenue);
  const priced = priceConversion(
    chooseTerms(
      {
        offer: { payout: toPricing(terms!.offerPayout), revenue: toPricing(terms!.offerRevenue) },
        goal: goalPayout && goalRevenue ? { payout: goalPayout, revenue: goalRevenue } : undefined,
        customPayout: customTermOf(customTerms, 'payout', conversion.offerId, conversion.partnerId, conversion.goalId),
        customRevenue: customTermOf(customTerms, 'revenue', conversion.offerId, conversion.partnerId, conversion.goalId),
      },
      conversion.goalId,
    ),
    saleAmountMicros,
  );
  return withVolumeStep({ ...priced, saleAmountMicros }, await reachedVolumeStep(tx, conversion));
}

/**
 * Corrects the sale amount. Payout and revenue follow it at the rates the conversion was priced at,
 * which are what the partner and the advertiser agreed to when it happened: a change of the offer's
 * terms since then does not reach back. An amount set by hand stays as it was set. Only a
 * conversion recorded before conversions kept their rates is priced by today's terms.
 */
export async function adjustSaleAmount(
  tx: Transaction,
  corrector: Corrector,
  id: bigint,
  saleAmountMicros: bigint,
  reason: string | null,
): Promise<CorrectionResult> {
  if (saleAmountMicros < 0n) throw new ValidationError('saleAmount', 'must not be negative');
  const before = await lockConversion(tx, corrector, id);
  if (before.replacedById !== null) throw new ConflictError(`Conversion ${id} was re-attributed to conversion ${before.replacedById}; correct that one`);
  if (before.saleAmountMicros === saleAmountMicros) return { conversion: before, changed: false };
  const kept = repriceAtKeptRates(before, saleAmountMicros);
  // At the kept rates only the amounts move: types, rule and rates stay the conversion's own.
  const repriced = kept ? { ...before, ...kept, rule: before.payoutRule } : await priceByCurrentTerms(tx, before, saleAmountMicros);
  await tx.query(
    `UPDATE conversions SET sale_amount_micros = $2, payout_micros = $3, revenue_micros = $4, payout_type = $5,
       revenue_type = $6, payout_rule = $7, payout_flat_micros = $8, payout_percent_ppm = $9, revenue_flat_micros = $10,
       revenue_percent_ppm = $11, updated_at = now() WHERE id = $1`,
    [
      String(id),
      String(saleAmountMicros),
      String(repriced.payoutMicros),
      String(repriced.revenueMicros),
      repriced.payoutType,
      repriced.revenueType,
      repriced.rule,
      repriced.payoutFlatMicros === null ? null : String(repriced.payoutFlatMicros),
      repriced.payoutPercentPpm,
      repriced.revenueFlatMicros === null ? null : String(repriced.revenueFlatMicros),
      repriced.revenuePercentPpm,
    ],
  );
  const after = await reload(tx, id);
  await recordEvent(tx, 'adjusted', corrector.actor, reason, before, after);
  await moveStats(tx, before, after);
  await enqueuePostbacks(tx, [{ before: before.status, after }]);
  return { conversion: after, changed: true };
}

/**
 * Gives an order to another click: the old conversion is rejected as re-attributed and linked to
 * a new one on that click's partner, dated when the order happened. Asking again for the same
 * click finds the work done and changes nothing.
 */
export async function reattributeConversion(
  tx: Transaction,
  corrector: Corrector,
  id: bigint,
  transactionId: string,
  reason: string | null,
): Promise<CorrectionResult> {
  let current = await lockConversion(tx, corrector, id);
  const seen = new Set([current.id]);
  while (current.replacedById !== null) {
    if (seen.has(current.replacedById)) throw new ConflictError(`Conversion ${id}'s chain of re-attributions loops back to ${current.replacedById}`);
    seen.add(current.replacedById);
    current = await lockConversion(tx, corrector, current.replacedById);
  }
  if (current.transactionId === transactionId) return { conversion: current, changed: false };
  const [click] = await tx.query<{ offerId: number | null; outcome: string }>(
    `SELECT offer_id AS "offerId", outcome FROM clicks WHERE transaction_id = $1`,
    [transactionId],
  );
  if (!click || (click.outcome !== 'counted' && click.outcome !== 'bot')) {
    throw new ValidationError('transactionId', `no click session ${transactionId} to re-attribute to`);
  }
  if (click.offerId !== current.offerId) {
    throw new ValidationError('transactionId', `click ${transactionId} is on offer ${click.offerId}, the conversion on offer ${current.offerId}`);
  }
  const statusBefore = current.status;
  const why = reason ?? 're-attributed';
  await tx.query(
    `UPDATE conversions SET status = 'rejected', status_code = $2, reason = $3, dedupe_order_key = NULL,
       dedupe_request_key = NULL, hold_until = NULL, updated_at = now() WHERE id = $1`,
    [String(current.id), STATUS_CODE.MANUAL, why],
  );
  const replacement = await recordConversionIn(tx, {
    channel: 'adjustment',
    actor: corrector.actor,
    transactionId,
    goalId: current.goalId ?? undefined,
    saleAmountMicros: current.saleAmountMicros,
    advSubs: current.advSubs.map((value) => value ?? undefined),
    orderId: current.orderId ?? undefined,
    status: statusBefore,
    convertedAt: current.convertedAt,
    revision: true,
  });
  if (!replacement.ok) throw new ValidationError('transactionId', `the order cannot go to ${transactionId}: ${replacement.reason}`);
  const newId = replacement.conversion.id;
  await tx.query('UPDATE conversions SET replaced_by_id = $2 WHERE id = $1', [String(current.id), String(newId)]);
  await tx.query('UPDATE conversions SET replaces_id = $2 WHERE id = $1', [String(newId), String(current.id)]);
  const old = await reload(tx, current.id);
  await recordEvent(tx, 'reattributed', corrector.actor, why, current, old);
  await moveStats(tx, current, old);
  await enqueuePostbacks(tx, [{ before: current.status, after: old }]);
  return { conversion: await reload(tx, newId), changed: true };
}

/**
 * Sets payout or revenue by hand, as HasOffers' Conversion::update allows; the ledger records the
 * override with its actor and reason like any correction.
 */
export async function overrideAmounts(
  tx: Transaction,
  corrector: Corrector,
  id: bigint,
  amounts: { payoutMicros?: bigint; revenueMicros?: bigint },
  reason: string | null,
): Promise<CorrectionResult> {
  const before = await lockConversion(tx, corrector, id);
  const payout = amounts.payoutMicros ?? before.payoutMicros;
  const revenue = amounts.revenueMicros ?? before.revenueMicros;
  if (payout < 0n || revenue < 0n) throw new ValidationError('payout', 'must not be negative');
  if (payout === before.payoutMicros && revenue === before.revenueMicros) return { conversion: before, changed: false };
  // An amount set by hand was priced at no rate: the side it changes keeps none.
  await tx.query(
    `UPDATE conversions SET payout_micros = $2, revenue_micros = $3, payout_rule = 'manual',
       payout_flat_micros = CASE WHEN $4 THEN NULL ELSE payout_flat_micros END, payout_percent_ppm = CASE WHEN $4 THEN NULL ELSE payout_percent_ppm END,
       revenue_flat_micros = CASE WHEN $5 THEN NULL ELSE revenue_flat_micros END, revenue_percent_ppm = CASE WHEN $5 THEN NULL ELSE revenue_percent_ppm END,
       updated_at = now() WHERE id = $1`,
    [String(id), String(payout), String(revenue), payout !== before.payoutMicros, revenue !== before.revenueMicros],
  );
  const after = await reload(tx, id);
  await recordEvent(tx, 'adjusted', corrector.actor, reason, before, after);
  await moveStats(tx, before, after);
  await enqueuePostbacks(tx, [{ before: before.status, after }]);
  return { conversion: after, changed: true };
}
