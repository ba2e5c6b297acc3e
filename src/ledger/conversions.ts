import { randomUUID } from 'node:crypto';
import { networkTimeZone } from '../network/network.ts';
import { PERIOD_ADJECTIVES, type PricingSide } from '../offers/offer-rules.ts';
import { enqueuePostbacks } from '../postbacks/outbox.ts';
import { applyStatsDeltas } from '../stats/stats-deltas.ts';
import { formatMoney } from '../shared/money.ts';
import type { Queryable, Store, Transaction } from '../store/store.ts';
import { capUsage, USAGE_OF, type CapRow, type CapUsage } from './cap-usage.ts';
import { periodKey } from './cap-windows.ts';
import { CONVERSION_COLUMNS, type Conversion } from './conversion-record.ts';
import {
  decideConversion,
  isSameConversion,
  subjectOf,
  type ClickSession,
  type ConversionRequest,
  type GoalConversionTerms,
  type NewConversion,
  type OfferConversionTerms,
} from './conversion-rules.ts';
import { recordEvents, statsMove } from './ledger-writes.ts';
import { volumeStepFor, withVolumeStep } from './payouts.ts';
import { customTermOf, customTermsSql, pricingJson, toPricing, type CustomTermsRow, type RawPricing } from './pricing-sql.ts';
import { capStatusCode, STATUS_CODE } from './status-codes.ts';
import { loadVolumeSchedules, scheduleFor, type VolumeSchedule } from './volume-payouts.ts';

export type { ConversionChannel, ConversionRequest } from './conversion-rules.ts';

export type ConversionOutcome =
  | { ok: true; conversion: Conversion; created: boolean }
  | { ok: false; statusCode: number; reason: string; conversionId?: bigint };

export interface ClickSessions {
  /** Waits until a click still held in memory is in the store. */
  ensureWritten(transactionId: string): Promise<void>;
}

const PRICING = (side: PricingSide, alias: string) => `${pricingJson(side, alias)} AS ${side}`;

const asksGoal = (request: ConversionRequest) => request.goalId !== undefined || request.goalName !== undefined;

/** The terms of every offer, goal and partner the requests name, custom terms included: at most five queries for the whole batch. */
async function loadFacts(tx: Queryable, requests: ConversionRequest[], now: Date) {
  const transactionIds = requests.map((request) => request.transactionId).filter((id): id is string => Boolean(id));
  const clicks = new Map(
    transactionIds.length === 0
      ? []
      : (
          await tx.query<ClickSession>(
            `SELECT transaction_id AS "transactionId", offer_id AS "offerId", partner_id AS "partnerId", outcome,
                    created_at AS "createdAt", country, device, source,
                    aff_sub1 AS "affSub1" FROM clicks WHERE transaction_id = ANY($1::text[])`,
            [transactionIds],
          )
        ).map((click) => [click.transactionId, click]),
  );
  const subjects = requests.map((request) => subjectOf(request, request.transactionId ? clicks.get(request.transactionId) : undefined));
  const offerIds = [...new Set(subjects.map((subject) => subject.offerId).filter((id): id is number => id !== undefined))];
  const partnerIds = [...new Set(subjects.map((subject) => subject.partnerId).filter((id): id is number => id !== undefined))];
  const offers = new Map(
    (
      await tx.query<Omit<OfferConversionTerms, 'payout' | 'revenue'> & { payout: RawPricing; revenue: RawPricing }>(
        `SELECT o.id, o.advertiser_id AS "advertiserId", a.conversion_security_token AS "securityToken", trim(o.currency) AS currency,
                o.attribution_window_hours AS "attributionWindowHours", o.approve_conversions AS "approveConversions",
                o.hold_hours AS "holdHours", o.allow_multiple_conversions AS "allowMultiple",
                EXISTS (SELECT 1 FROM caps c WHERE c.offer_id = o.id AND c.metric <> 'clicks') AS "hasCaps",
                EXISTS (SELECT 1 FROM volume_payouts v WHERE v.offer_id = o.id) AS "hasVolumePayouts",
                (SELECT min_seconds_to_conversion FROM network) AS "minSecondsToConversion",
                (SELECT review_bot_conversions FROM network) AS "reviewBotConversions",
                ${PRICING('payout', 'o')}, ${PRICING('revenue', 'o')}
         FROM offers o JOIN advertisers a ON a.id = o.advertiser_id WHERE o.id = ANY($1::int[]) AND o.status <> 'deleted'`,
        [offerIds],
      )
    ).map((row) => [row.id, { ...row, payout: toPricing(row.payout), revenue: toPricing(row.revenue) }]),
  );
  const goals = !requests.some(asksGoal)
    ? []
    : await tx.query<Omit<GoalConversionTerms, 'payout' | 'revenue'> & { offerId: number; payout: RawPricing; revenue: RawPricing }>(
        `SELECT g.id, g.offer_id AS "offerId", g.name, g.approve_conversions AS "approveConversions",
                g.allow_multiple_conversions AS "allowMultiple", ${PRICING('payout', 'g')}, ${PRICING('revenue', 'g')}
         FROM goals g WHERE g.offer_id = ANY($1::int[]) AND g.status = 'active'`,
        [offerIds],
      );
  const customTerms = await tx.query<CustomTermsRow>(customTermsSql('p.offer_id = ANY($1::int[]) AND p.partner_id = ANY($2::int[])'), [
    offerIds,
    partnerIds,
  ]);
  const knownPartners = new Set(
    (await tx.query<{ id: number }>('SELECT id FROM partners WHERE id = ANY($1::int[])', [partnerIds])).map((row) => row.id),
  );

  return requests.map((request, index) => {
    const click = request.transactionId ? clicks.get(request.transactionId) : undefined;
    const { offerId, partnerId } = subjects[index]!;
    const offer = offerId === undefined ? undefined : offers.get(offerId);
    const goalRow = asksGoal(request)
      ? goals.find(
          (goal) =>
            goal.offerId === offerId &&
            (goal.id === request.goalId || (request.goalName !== undefined && goal.name.toLowerCase() === request.goalName.toLowerCase())),
        )
      : undefined;
    const goal = asksGoal(request) ? (goalRow ? { ...goalRow, payout: toPricing(goalRow.payout), revenue: toPricing(goalRow.revenue) } : null) : undefined;
    return {
      request,
      now,
      click,
      offer,
      goal,
      customPayout: customTermOf(customTerms, 'payout', offerId, partnerId, goal?.id ?? null),
      customRevenue: customTermOf(customTerms, 'revenue', offerId, partnerId, goal?.id ?? null),
      partnerKnown: partnerId !== undefined && knownPartners.has(partnerId),
    };
  });
}

const INSERT_COLUMNS = [
  'seq', 'transaction_id', 'offer_id', 'goal_id', 'partner_id', 'advertiser_id', 'status', 'status_code', 'reason', 'currency',
  'sale_amount_micros', 'payout_micros', 'revenue_micros', 'payout_type', 'revenue_type', 'payout_rule',
  'payout_flat_micros', 'payout_percent_ppm', 'revenue_flat_micros', 'revenue_percent_ppm', 'order_id',
  'adv_sub1', 'adv_sub2', 'adv_sub3', 'adv_sub4', 'adv_sub5', 'ip', 'user_agent', 'country', 'device', 'source', 'aff_sub1', 'click_at', 'converted_at',
  'hold_until', 'is_adjustment', 'dedupe_transaction_key', 'dedupe_order_key', 'dedupe_request_key',
].join(', ');

interface Pending {
  index: number;
  seq: string;
  wanted: NewConversion;
}

/** A conversion as written: what was decided, and what the store assigned (id and times). */
function writtenConversion(
  { transactionKey: _t, orderKey: _o, requestKey: _r, rule, ...decided }: NewConversion,
  seq: string,
  request: ConversionRequest,
  assigned: Pick<Conversion, 'id' | 'createdAt' | 'updatedAt'>,
): Conversion {
  return { ...decided, ...assigned, seq, payoutRule: rule, ip: request.ip ?? null, userAgent: request.userAgent ?? null, replacesId: null, replacedById: null };
}

/**
 * Inserts what does not collide with a unique key; answers the rows made, by seq. Only what the
 * store assigns comes back: reading every column back costs more than the insert's indexes.
 */
async function insertConversions(tx: Queryable, pending: Pending[], requests: ConversionRequest[]): Promise<Map<string, Conversion>> {
  if (pending.length === 0) return new Map();
  const rows = pending.map(({ index, seq, wanted }) => ({
    seq,
    transaction_id: wanted.transactionId,
    offer_id: wanted.offerId,
    goal_id: wanted.goalId,
    partner_id: wanted.partnerId,
    advertiser_id: wanted.advertiserId,
    status: wanted.status,
    status_code: wanted.statusCode,
    reason: wanted.reason,
    currency: wanted.currency,
    sale_amount_micros: String(wanted.saleAmountMicros),
    payout_micros: String(wanted.payoutMicros),
    revenue_micros: String(wanted.revenueMicros),
    payout_type: wanted.payoutType,
    revenue_type: wanted.revenueType,
    payout_rule: wanted.rule,
    payout_flat_micros: wanted.payoutFlatMicros === null ? null : String(wanted.payoutFlatMicros),
    payout_percent_ppm: wanted.payoutPercentPpm,
    revenue_flat_micros: wanted.revenueFlatMicros === null ? null : String(wanted.revenueFlatMicros),
    revenue_percent_ppm: wanted.revenuePercentPpm,
    order_id: wanted.orderId,
    adv_sub1: wanted.advSubs[0],
    adv_sub2: wanted.advSubs[1],
    adv_sub3: wanted.advSubs[2],
    adv_sub4: wanted.advSubs[3],
    adv_sub5: wanted.advSubs[4],
    ip: requests[index]!.ip ?? null,
    user_agent: requests[index]!.userAgent ?? null,
    country: wanted.country,
    device: wanted.device,
    source: wanted.source,
    aff_sub1: wanted.affSub1,
    click_at: wanted.clickAt,
    converted_at: wanted.convertedAt,
    hold_until: wanted.holdUntil,
    is_adjustment: wanted.isAdjustment,
    dedupe_transaction_key: wanted.transactionKey,
    dedupe_order_key: wanted.orderKey,
    dedupe_request_key: wanted.requestKey,
  }));
  const inserted = await tx.query<Pick<Conversion, 'id' | 'seq' | 'createdAt' | 'updatedAt'>>(
    `INSERT INTO conversions AS c (${INSERT_COLUMNS})
     SELECT ${INSERT_COLUMNS} FROM json_populate_recordset(NULL::conversions, $1)
     ON CONFLICT DO NOTHING RETURNING c.id, c.seq::text AS seq, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`,
    [JSON.stringify(rows)],
  );
  const made = new Map(inserted.map(({ seq, ...assigned }) => [seq, assigned]));
  return new Map(
    pending.flatMap(({ index, seq, wanted }) => {
      const assigned = made.get(seq);
      return assigned ? [[seq, writtenConversion(wanted, seq, requests[index]!, assigned)] as const] : [];
    }),
  );
}

/** For requests that collided: the conversion they collided with, by the key that matched. */
async function collisions(tx: Queryable, pending: Pending[]): Promise<Array<{ existing: Conversion; byOrder: boolean } | undefined>> {
  if (pending.length === 0) return [];
  const keys = (pick: (wanted: NewConversion) => string | null) => pending.map(({ wanted }) => pick(wanted)).filter((key) => key !== null);
  const found = await tx.query<Conversion & { transactionKey: string | null; orderKey: string | null; requestKey: string | null }>(
    `SELECT ${CONVERSION_COLUMNS}, c.dedupe_transaction_key AS "transactionKey", c.dedupe_order_key AS "orderKey",
            c.dedupe_request_key AS "requestKey"
     FROM conversions c WHERE c.dedupe_transaction_key = ANY($1::text[]) OR c.dedupe_order_key = ANY($2::text[])
       OR c.dedupe_request_key = ANY($3::text[])`,
    [keys((wanted) => wanted.transactionKey), keys((wanted) => wanted.orderKey), keys((wanted) => wanted.requestKey)],
  );
  return pending.map(({ wanted }) => {
    const byOrder = found.find((row) => wanted.orderKey !== null && row.orderKey === wanted.orderKey);
    if (byOrder) return { existing: byOrder, byOrder: true };
    const other = found.find(
      (row) => (wanted.transactionKey !== null && row.transactionKey === wanted.transactionKey) || (wanted.requestKey !== null && row.requestKey === wanted.requestKey),
    );
    return other ? { existing: other, byOrder: false } : undefined;
  });
}

function capCovers(cap: CapRow, conversion: Pick<NewConversion, 'offerId' | 'partnerId' | 'goalId'>): boolean {
  return (
    cap.offerId === conversion.offerId &&
    (cap.partnerId === null || cap.partnerId === conversion.partnerId) &&
    (cap.goalId === null || cap.goalId === conversion.goalId)
  );
}

/**
 * The usage through one batch of the caps of offers counted in order, and of each partner's volume
 * on offers with volume payouts: each period is read once, then moved in memory by every
 * conversion the batch is to make. None of them is in the store yet, and the offers'
 * advisory locks keep other writers' conversions out meanwhile.
 */
class CapUsages {
  private readonly caps: CapRow[];
  private readonly timeZone: string;
  private readonly read = new Map<string, { cap: CapRow; period: string; used: CapUsage }>();
  private readonly counted: NewConversion[] = [];

  constructor(caps: CapRow[], timeZone: string) {
    this.caps = caps;
    this.timeZone = timeZone;
  }

  /** The first cap this conversion would pass, in the caps' order. */
  async exceeded(tx: Queryable, wanted: NewConversion): Promise<CapRow | undefined> {
    for (const cap of this.caps) {
      if (!capCovers(cap, wanted)) continue;
      const next = { ...(await this.usage(tx, `cap ${cap.id}`, cap, wanted)) };
      countAgainst(next, cap, wanted);
      if (next[USAGE_OF[cap.metric]] > cap.limit) return cap;
    }
    return undefined;
  }

  /**
   * The conversion priced by the volume step its partner reaches with it, where its offer or goal
   * has steps: its partner's conversions there in the period are counted as a cap of the
   * partner's own would count them.
   */
  async priceByVolume(tx: Queryable, wanted: NewConversion, schedules: Map<string, VolumeSchedule>): Promise<NewConversion> {
    const schedule = scheduleFor(schedules, wanted.offerId, wanted.goalId);
    if (!schedule) return wanted;
    const scope: CapRow = { id: 0, offerId: wanted.offerId, partnerId: wanted.partnerId, goalId: wanted.goalId, metric: 'conversions', period: schedule.period, limit: 0n };
    const used = await this.usage(tx, `volume ${wanted.offerId} ${wanted.partnerId} ${wanted.goalId ?? 0}`, scope, wanted);
    return withVolumeStep(wanted, volumeStepFor(schedule.steps, Number(used.conversions) + 1));
  }

  /** Counts a conversion the batch will make against every cap it comes under. */
  count(conversion: NewConversion): void {
    this.counted.push(conversion);
    for (const { cap, period, used } of this.read.values()) {
      if (period === periodKey(cap.period, conversion.convertedAt, this.timeZone)) countAgainst(used, cap, conversion);
    }
  }

  private async usage(tx: Queryable, scope: string, cap: CapRow, wanted: NewConversion): Promise<CapUsage> {
    const period = periodKey(cap.period, wanted.convertedAt, this.timeZone);
    const key = `${scope} ${period}`;
    const known = this.read.get(key);
    if (known) return known.used;
    const used = { ...(await capUsage(tx, cap, wanted.convertedAt, this.timeZone)) };
    for (const conversion of this.counted) {
      if (period === periodKey(cap.period, conversion.convertedAt, this.timeZone)) countAgainst(used, cap, conversion);
    }
    this.read.set(key, { cap, period, used });
    return used;
  }
}

/** Adds a conversion to a cap's usage when it counts there: approved or pending, and under the cap. */
function countAgainst(used: CapUsage, cap: CapRow, conversion: NewConversion): void {
  if (!capCovers(cap, conversion) || (conversion.status !== 'approved' && conversion.status !== 'pending')) return;
  used.conversions += 1n;
  used.payout += conversion.payoutMicros;
  used.revenue += conversion.revenueMicros;
  used.spend += conversion.revenueMicros;
}

/**
 * Decides each conversion counted in order (its offer has caps or volume payouts) in the order they
 * came, against every one before it, except those known to exist already: they will make nothing.
 * Priced by volume first, so that payout caps count the payout made.
 */
async function decideInOrder(tx: Queryable, inOrder: Pending[], usages: CapUsages, schedules: Map<string, VolumeSchedule>, existing: ReadonlySet<string>) {
  const decided: Array<{ pending: Pending; refused: boolean; stepped: boolean; counted: boolean }> = [];
  for (const pending of inOrder) {
    const wanted = await usages.priceByVolume(tx, pending.wanted, schedules);
    const cap = await usages.exceeded(tx, wanted);
    const counted = !cap && !existing.has(pending.seq);
    if (counted) usages.count(wanted);
    decided.push({
      pending: { ...pending, wanted: cap ? applyCap(wanted, cap) : wanted },
      refused: cap !== undefined,
      stepped: wanted.rule === 'volume step',
      counted,
    });
  }
  return decided;
}

function applyCap(wanted: NewConversion, cap: CapRow): NewConversion {
  return {
    ...wanted,
    status: 'rejected',
    statusCode: capStatusCode(cap.metric, cap.period, cap.partnerId !== null),
    reason: `${PERIOD_ADJECTIVES[cap.period]} ${cap.metric} cap of ${cap.limit} reached`,
    holdUntil: null,
  };
}

/**
 * Records conversions in one transaction, set-based: a handful of statements for the whole batch.
 * Each request is decided from its click and the offer's terms, priced, checked against the caps,
 * and written with its ledger event, statistics and postbacks. Duplicates are refused by the
 * store's unique keys; a retry of a conversion answers the conversion already made.
 */
export async function recordConversions(tx: Transaction, requests: ConversionRequest[]): Promise<ConversionOutcome[]> {
  const now = new Date();
  const facts = await loadFacts(tx, requests, now);
  const outcomes: Array<ConversionOutcome | undefined> = new Array(requests.length);
  const open: Pending[] = [];
  const inOrder: Pending[] = [];
  facts.forEach((fact, index) => {
    const decision = decideConversion(fact);
    if ('refused' in decision) outcomes[index] = { ok: false, ...decision.refused };
    else {
      const countsInOrder = (fact.offer!.hasCaps || fact.offer!.hasVolumePayouts) && decision.conversion.status !== 'rejected';
      (countsInOrder ? inOrder : open).push({ index, seq: randomUUID(), wanted: decision.conversion });
    }
  });

  const created: Conversion[] = [];
  const settle = async (pending: Pending[]) => {
    const inserted = await insertConversions(tx, pending, requests);
    const collided = pending.filter(({ seq }) => !inserted.has(seq));
    const found = await collisions(tx, collided);
    for (const { index, seq } of pending) {
      const conversion = inserted.get(seq);
      if (conversion) {
        created.push(conversion);
        outcomes[index] = { ok: true, conversion, created: true };
      }
    }
    collided.forEach(({ index, wanted }, position) => {
      const match = found[position]!;
      if (!match) {
        outcomes[index] = { ok: false, statusCode: STATUS_CODE.DUPLICATE, reason: 'a conflicting conversion was being written' };
      } else if (isSameConversion(match.existing, wanted)) {
        outcomes[index] = { ok: true, conversion: match.existing, created: false };
      } else {
        outcomes[index] = match.byOrder
          ? { ok: false, statusCode: STATUS_CODE.DUPLICATE_UNIQUE_ID, reason: `order ${wanted.orderId} was already converted (conversion ${match.existing.id})`, conversionId: match.existing.id }
          : { ok: false, statusCode: STATUS_CODE.DUPLICATE, reason: `transaction ${wanted.transactionId} already converted (conversion ${match.existing.id})`, conversionId: match.existing.id };
      }
    });
  };

  await settle(open);
  await applyStatsDeltas(tx, created.map((conversion) => statsMove(null, conversion)));
  if (inOrder.length > 0) {
    const offerIds = [...new Set(inOrder.map(({ wanted }) => wanted.offerId))].sort((a, b) => a - b);
    for (const offerId of offerIds) {
      // Conversions on one such offer queue here, so two cannot both take the last place under a
      // cap, nor the same place on a volume step.
      await tx.query('SELECT pg_advisory_xact_lock(727276, $1)', [offerId]);
    }
    const timeZone = await networkTimeZone(tx);
    const caps = await tx.query<CapRow>(
      `SELECT id, offer_id AS "offerId", partner_id AS "partnerId", goal_id AS "goalId", metric, period, cap_limit AS limit
       FROM caps WHERE offer_id = ANY($1::int[]) AND metric <> 'clicks' ORDER BY id`,
      [offerIds],
    );
    const schedules = await loadVolumeSchedules(tx, offerIds);
    // Decided together and written in one statement. A conversion that turned out to exist already
    // was counted for nothing: if that could have refused a later one under a cap, or put it on a
    // volume step, the batch is decided again without it.
    const madeBefore = created.length;
    const existing = new Set<string>();
    for (;;) {
      const decided = await decideInOrder(tx, inOrder, new CapUsages(caps, timeZone), schedules, existing);
      await tx.query('SAVEPOINT conversions_in_order');
      await settle(decided.map(({ pending }) => pending));
      const made = new Set(created.slice(madeBefore).map((conversion) => conversion.seq));
      const miscounted = decided.findIndex(({ pending, counted }) => counted && !made.has(pending.seq));
      if (miscounted === -1 || !decided.slice(miscounted).some(({ refused, stepped }) => refused || stepped)) {
        await tx.query('RELEASE SAVEPOINT conversions_in_order');
        break;
      }
      await tx.query('ROLLBACK TO SAVEPOINT conversions_in_order');
      created.length = madeBefore;
      for (const { pending } of decided) if (!made.has(pending.seq)) existing.add(pending.seq);
    }
    await applyStatsDeltas(tx, created.slice(madeBefore).map((conversion) => statsMove(null, conversion)));
  }
  await finishCreated(tx, requests, outcomes, facts.map((fact) => fact.request.offerId ?? fact.click?.offerId ?? undefined));
  return outcomes as ConversionOutcome[];
}

/**
 * The ledger events and postbacks of the conversions made, and the log of refusals, each under the
 * offer it names, else its click's, so the offer's advertiser can read why it was refused.
 */
async function finishCreated(
  tx: Queryable,
  requests: ConversionRequest[],
  outcomes: Array<ConversionOutcome | undefined>,
  offerIds: Array<number | undefined>,
): Promise<void> {
  const actorOf = new Map<bigint, string>();
  outcomes.forEach((outcome, index) => {
    if (outcome?.ok && outcome.created) actorOf.set(outcome.conversion.id, requests[index]!.actor);
  });
  const all = outcomes.filter((outcome): outcome is Extract<ConversionOutcome, { ok: true }> => Boolean(outcome?.ok && outcome.created)).map((outcome) => outcome.conversion);
  await recordEvents(
    tx,
    all.map((conversion) => ({ type: 'created' as const, actor: actorOf.get(conversion.id)!, reason: conversion.reason, before: null, after: conversion })),
  );
  await enqueuePostbacks(tx, all.map((conversion) => ({ before: null, after: conversion })));
  const refusals = outcomes
    .map((outcome, index) => ({ outcome, request: requests[index]!, offerId: offerIds[index] }))
    .filter((entry): entry is { outcome: Extract<ConversionOutcome, { ok: false }>; request: ConversionRequest; offerId: number | undefined } => entry.outcome?.ok === false);
  if (refusals.length > 0) {
    await tx.query(
      `INSERT INTO conversion_attempts (channel, offer_id, transaction_id, status_code, reason, existing_conversion_id, params)
       SELECT channel, offer_id, transaction_id, status_code, reason, existing_conversion_id, params
       FROM json_populate_recordset(NULL::conversion_attempts, $1)`,
      [
        JSON.stringify(
          refusals.map(({ outcome, request, offerId }) => ({
            channel: request.channel,
            offer_id: offerId ?? null,
            transaction_id: request.transactionId ?? null,
            status_code: outcome.statusCode,
            reason: outcome.reason,
            existing_conversion_id: outcome.conversionId === undefined ? null : String(outcome.conversionId),
            params: {
              goalId: request.goalId,
              goalName: request.goalName,
              saleAmount: request.saleAmountMicros === undefined ? undefined : formatMoney(request.saleAmountMicros),
              status: request.status,
              advSubs: request.advSubs,
              orderId: request.orderId,
            },
          })),
        ),
      ],
    );
  }
}

export async function recordConversionIn(tx: Transaction, request: ConversionRequest): Promise<ConversionOutcome> {
  return (await recordConversions(tx, [request]))[0]!;
}

/** One conversion in its own transaction; waits first for its click if that is still in memory. */
export async function recordConversion(store: Store, sessions: ClickSessions, request: ConversionRequest): Promise<ConversionOutcome> {
  if (request.transactionId) await sessions.ensureWritten(request.transactionId);
  return store.transaction((tx) => recordConversionIn(tx, request));
}
