import type { Principal } from '../accounts/principal.ts';
import { PRICING_COLUMNS } from '../ledger/pricing-sql.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import {
  capProblem,
  CAP_PERIODS,
  CPA_TYPES,
  pricingProblem,
  PRICING_TYPES,
  type CapMetric,
  type CapPeriod,
  type CpaType,
  type PricingSide,
  type PricingType,
} from './offer-rules.ts';
import { changeableOffer, checkPricing, getOffer } from './offers.ts';

/**
 * Goals, caps and partners' custom payouts and revenues: the terms an offer pays by, beside its own pricing. Whoever
 * may change the offer (the network, its advertiser, the advertiser's agency) may change these.
 */

/** Checks the goal is one of the offer's, and answers how it prices each side; nothing for no goal. */
async function checkGoalOf(db: Queryable, offerId: number, goalId: number | null): Promise<Record<PricingSide, PricingType> | undefined> {
  if (goalId === null) return undefined;
  const [goal] = await db.query<Record<PricingSide, PricingType>>(
    'SELECT payout_type AS payout, revenue_type AS revenue FROM goals WHERE id = $1 AND offer_id = $2 AND status = $3',
    [goalId, offerId, 'active'],
  );
  if (!goal) throw new ValidationError('goalId', `offer ${offerId} has no goal ${goalId}`);
  return goal;
}

async function checkPartner(db: Queryable, partnerId: number | null): Promise<void> {
  if (partnerId === null) return;
  const [partner] = await db.query('SELECT 1 FROM partners WHERE id = $1', [partnerId]);
  if (!partner) throw new ValidationError('partnerId', `unknown partner ${partnerId}`);
}

async function checkTier(db: Queryable, tierId: number | null): Promise<void> {
  if (tierId === null) return;
  const [tier] = await db.query('SELECT 1 FROM partner_tiers WHERE id = $1', [tierId]);
  if (!tier) throw new ValidationError('tierId', `unknown partner tier ${tierId}`);
}

/** Removes one of the offer's caps or partners' custom terms, and answers what it was. */
async function removeTerm<Row>(db: Queryable, principal: Principal, offerId: number, kind: { table: string; fields: string; entity: string }, id: number): Promise<Row> {
  await changeableOffer(db, principal, offerId);
  const [removed] = await db.query<Row>(`DELETE FROM ${kind.table} WHERE id = $1 AND offer_id = $2 RETURNING ${kind.fields}`, [id, offerId]);
  if (!removed) throw new NotFoundError(kind.entity, id);
  return removed;
}

// ---- Goals ------------------------------------------------------------------------------------

export interface GoalSettings {
  name: string;
  description: string | null;
  /** A removed goal keeps its conversions; new ones naming it are refused as an unknown goal. */
  status: 'active' | 'deleted';
  payoutType: CpaType;
  payoutFlatMicros: bigint;
  payoutPercentPpm: number;
  revenueType: CpaType;
  revenueFlatMicros: bigint;
  revenuePercentPpm: number;
  approveConversions: boolean;
  allowMultipleConversions: boolean;
}

export interface Goal extends GoalSettings {
  id: number;
  offerId: number;
  createdAt: Date;
}

export type GoalInput = Pick<GoalSettings, 'name' | 'payoutType' | 'revenueType'> & Partial<GoalSettings>;

const GOAL_COLUMNS: Array<[keyof GoalSettings, string]> = [
  ['name', 'name'],
  ['description', 'description'],
  ['status', 'status'],
  ...PRICING_COLUMNS,
  ['approveConversions', 'approve_conversions'],
  ['allowMultipleConversions', 'allow_multiple_conversions'],
];

const SELECT_GOAL = `SELECT id, offer_id AS "offerId", ${GOAL_COLUMNS.map(([field, column]) => `${column} AS "${field}"`).join(', ')},
  created_at AS "createdAt" FROM goals`;

export async function listGoals(db: Queryable, principal: Principal, offerId: number): Promise<Goal[]> {
  await getOffer(db, principal, offerId);
  return db.query<Goal>(`${SELECT_GOAL} WHERE offer_id = $1 ORDER BY id`, [offerId]);
}

export async function findGoal(db: Queryable, offerId: number, goalId: number): Promise<Goal> {
  const goal = first(await db.query<Goal>(`${SELECT_GOAL} WHERE id = $1 AND offer_id = $2`, [goalId, offerId]));
  if (!goal) throw new NotFoundError('goal', goalId);
  return goal;
}

/**
 * Conversions name a goal by its id or by its name in any case, so two goals of an offer may not
 * share a name in any case, removed ones included (their conversions keep the name).
 */
async function checkGoalSettings(db: Queryable, offerId: number, goalId: number | null, settings: GoalSettings): Promise<GoalSettings> {
  const name = settings.name.trim();
  if (name === '') throw new ValidationError('name', 'must not be empty');
  checkPricing('payout', settings.payoutType, settings.payoutFlatMicros, settings.payoutPercentPpm, CPA_TYPES);
  checkPricing('revenue', settings.revenueType, settings.revenueFlatMicros, settings.revenuePercentPpm, CPA_TYPES);
  const [namesake] = await db.query<{ id: number }>('SELECT id FROM goals WHERE offer_id = $1 AND lower(name) = lower($2) AND id <> $3', [offerId, name, goalId ?? 0]);
  if (namesake) throw new ConflictError(`Offer ${offerId} already has a goal named "${name}" (goal ${namesake.id})`);
  return { ...settings, name };
}

export async function createGoal(db: Queryable, principal: Principal, offerId: number, input: GoalInput): Promise<Goal> {
  await changeableOffer(db, principal, offerId);
  const settings = await checkGoalSettings(db, offerId, null, {
    description: null,
    status: 'active',
    payoutFlatMicros: 0n,
    payoutPercentPpm: 0,
    revenueFlatMicros: 0n,
    revenuePercentPpm: 0,
    approveConversions: false,
    allowMultipleConversions: false,
    ...input,
  });
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO goals (offer_id, ${GOAL_COLUMNS.map(([, column]) => column).join(', ')})
     VALUES ($1, ${GOAL_COLUMNS.map((_, index) => `$${index + 2}`).join(', ')}) RETURNING id`,
    [offerId, ...GOAL_COLUMNS.map(([field]) => settings[field])],
  );
  return findGoal(db, offerId, row!.id);
}

/** Applies the given settings over the goal's; the conversions it already has keep what they were priced at. */
export async function updateGoal(db: Queryable, principal: Principal, offerId: number, goalId: number, changes: Partial<GoalSettings>): Promise<Goal> {
  await changeableOffer(db, principal, offerId);
  const { id, offerId: _offerId, createdAt, ...current } = await findGoal(db, offerId, goalId);
  const settings = await checkGoalSettings(db, offerId, id, { ...current, ...changes });
  await db.query(
    `UPDATE goals SET ${GOAL_COLUMNS.map(([, column], index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1`,
    [goalId, ...GOAL_COLUMNS.map(([field]) => settings[field])],
  );
  return findGoal(db, offerId, goalId);
}

// ---- Caps -------------------------------------------------------------------------------------

export interface CapInput {
  partnerId?: number | null;
  goalId?: number | null;
  metric: CapMetric;
  period: CapPeriod;
  /** A count, or micros for money metrics. */
  limit: bigint;
}

export interface Cap {
  id: number;
  offerId: number;
  partnerId: number | null;
  goalId: number | null;
  metric: CapMetric;
  period: CapPeriod;
  limit: bigint;
  createdAt: Date;
}

const CAP_FIELDS = `id, offer_id AS "offerId", partner_id AS "partnerId", goal_id AS "goalId", metric, period, cap_limit AS "limit", created_at AS "createdAt"`;

export async function listCaps(db: Queryable, principal: Principal, offerId: number): Promise<Cap[]> {
  await getOffer(db, principal, offerId);
  return db.query<Cap>(`SELECT ${CAP_FIELDS} FROM caps WHERE offer_id = $1 ORDER BY id`, [offerId]);
}

/**
 * Sets the cap on this metric and period, of the offer (or of one partner's or one goal's
 * traffic on it); a second call for the same ones changes its limit.
 */
export async function setCap(db: Queryable, principal: Principal, offerId: number, input: CapInput): Promise<Cap> {
  await changeableOffer(db, principal, offerId);
  const cap = { partnerId: input.partnerId ?? null, goalId: input.goalId ?? null, metric: input.metric, period: input.period, limit: input.limit };
  const problem = capProblem(cap);
  if (problem) throw new ValidationError(problem.field, problem.detail);
  await checkPartner(db, cap.partnerId);
  await checkGoalOf(db, offerId, cap.goalId);
  const [row] = await db.query<Cap>(
    `INSERT INTO caps (offer_id, partner_id, goal_id, metric, period, cap_limit) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (offer_id, coalesce(partner_id, 0), coalesce(goal_id, 0), metric, period)
     DO UPDATE SET cap_limit = EXCLUDED.cap_limit
     RETURNING ${CAP_FIELDS}`,
    [offerId, cap.partnerId, cap.goalId, cap.metric, cap.period, cap.limit],
  );
  return row!;
}

/** Removes the cap on this metric and period of the offer (or of its partner's or goal's traffic), if there is one. */
export async function clearCap(db: Queryable, principal: Principal, offerId: number, cap: Omit<CapInput, 'limit'>): Promise<void> {
  await changeableOffer(db, principal, offerId);
  await db.query(
    `DELETE FROM caps WHERE offer_id = $1 AND coalesce(partner_id, 0) = coalesce($2, 0) AND coalesce(goal_id, 0) = coalesce($3, 0)
       AND metric = $4 AND period = $5`,
    [offerId, cap.partnerId ?? null, cap.goalId ?? null, cap.metric, cap.period],
  );
}

export const removeCap = (db: Queryable, principal: Principal, offerId: number, capId: number) =>
  removeTerm<Cap>(db, principal, offerId, { table: 'caps', fields: CAP_FIELDS, entity: 'cap' }, capId);

// ---- Partners' custom terms --------------------------------------------------------------------

/** Whose custom terms these are (one partner's, or every partner's in a tier), where, and what they price. */
export interface CustomTermsInput {
  partnerId?: number | null;
  tierId?: number | null;
  goalId?: number | null;
  /** Absent, the offer's (or goal's) own type on this side: custom terms given in amounts alone, as HasOffers sets them. */
  type?: PricingType;
  flatMicros?: bigint;
  percentPpm?: number;
}

/**
 * What one partner, or the partners of one tier, earn (payout) or what the advertiser pays for
 * their traffic (revenue) on an offer, or one of its goals, instead of the offer's or goal's own
 * terms on that side. A partner's own rank above its tier's.
 */
export interface CustomTerms {
  id: number;
  offerId: number;
  partnerId: number | null;
  tierId: number | null;
  goalId: number | null;
  type: PricingType;
  flatMicros: bigint;
  percentPpm: number;
  createdAt: Date;
}

/** Each side's custom terms live in a table of their own, with that side's pricing columns, as offers and goals have them. */
const customTermsTable = (side: PricingSide) => `${side}_overrides`;

const customTermsFields = (side: PricingSide) =>
  `id, offer_id AS "offerId", partner_id AS "partnerId", tier_id AS "tierId", goal_id AS "goalId", ${side}_type AS type,
   ${side}_flat_micros AS "flatMicros", ${side}_percent_ppm AS "percentPpm", created_at AS "createdAt"`;

export async function listCustomTerms(db: Queryable, principal: Principal, offerId: number, side: PricingSide): Promise<CustomTerms[]> {
  await getOffer(db, principal, offerId);
  return db.query<CustomTerms>(`SELECT ${customTermsFields(side)} FROM ${customTermsTable(side)} WHERE offer_id = $1 ORDER BY id`, [offerId]);
}

/**
 * Sets one side of what the partner's (or the tier's partners') conversions on the offer's default
 * conversion and its clicks and impressions (no goal), or on one goal's conversions (CPA terms
 * only), are priced at; a second call for the same partner or tier and goal replaces it.
 * Conversions already recorded keep their amounts until corrected.
 */
export async function setCustomTerms(db: Queryable, principal: Principal, offerId: number, side: PricingSide, input: CustomTermsInput): Promise<CustomTerms> {
  const offer = await changeableOffer(db, principal, offerId);
  const goalId = input.goalId ?? null;
  const flatMicros = input.flatMicros ?? 0n;
  const percentPpm = input.percentPpm ?? 0;
  const partnerId = input.partnerId ?? null;
  const tierId = input.tierId ?? null;
  if ((partnerId === null) === (tierId === null)) throw new ValidationError('partnerId', 'name one partner, or one tier by tierId: one of the two');
  const goalTypes = await checkGoalOf(db, offerId, goalId);
  const type = input.type ?? goalTypes?.[side] ?? offer[`${side}Type` as const];
  checkPricing(side, type, flatMicros, percentPpm, goalId === null ? PRICING_TYPES : CPA_TYPES);
  await checkPartner(db, partnerId);
  await checkTier(db, tierId);
  const [row] = await db.query<CustomTerms>(
    `INSERT INTO ${customTermsTable(side)} (offer_id, partner_id, tier_id, goal_id, ${side}_type, ${side}_flat_micros, ${side}_percent_ppm)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (offer_id, coalesce(partner_id, 0), coalesce(tier_id, 0), coalesce(goal_id, 0))
     DO UPDATE SET ${side}_type = EXCLUDED.${side}_type, ${side}_flat_micros = EXCLUDED.${side}_flat_micros,
                   ${side}_percent_ppm = EXCLUDED.${side}_percent_ppm
     RETURNING ${customTermsFields(side)}`,
    [offerId, partnerId, tierId, goalId, type, flatMicros, percentPpm],
  );
  return row!;
}

/**
 * Removes this side of the partner's (or tier's) custom terms on the offer's default conversion or
 * on one goal, if there are any: the way HasOffers names them, by whose and where rather than by id.
 */
export async function removeCustomTermsOf(
  db: Queryable,
  principal: Principal,
  offerId: number,
  side: PricingSide,
  { partnerId = null, tierId = null, goalId = null }: { partnerId?: number | null; tierId?: number | null; goalId?: number | null },
): Promise<CustomTerms | undefined> {
  await changeableOffer(db, principal, offerId);
  const [removed] = await db.query<CustomTerms>(
    `DELETE FROM ${customTermsTable(side)} WHERE offer_id = $1 AND partner_id IS NOT DISTINCT FROM $2 AND tier_id IS NOT DISTINCT FROM $3
       AND goal_id IS NOT DISTINCT FROM $4 RETURNING ${customTermsFields(side)}`,
    [offerId, partnerId, tierId, goalId],
  );
  return removed;
}

export const removeCustomTerms = (db: Queryable, principal: Principal, offerId: number, side: PricingSide, termsId: number) =>
  removeTerm<CustomTerms>(
    db,
    principal,
    offerId,
    { table: customTermsTable(side), fields: customTermsFields(side), entity: `partner ${side}` },
    termsId,
  );

// ---- Volume payouts ---------------------------------------------------------------------------

export interface VolumePayoutStep {
  /** From which of a partner's conversions in the period on (2 or more: the first is the offer's own). */
  fromConversion: number;
  payoutType: CpaType;
  payoutFlatMicros: bigint;
  payoutPercentPpm: number;
}

/**
 * A payout that rises with volume: from its Nth approved or pending conversion on the offer (or on
 * one goal) in a local period, a partner earns the highest step it has reached instead of the
 * offer's or goal's own payout. A partner's own payout, or its tier's, ranks above.
 */
export interface VolumePayouts {
  offerId: number;
  goalId: number | null;
  period: CapPeriod;
  steps: VolumePayoutStep[];
}

export interface VolumePayoutsInput {
  goalId?: number | null;
  period: CapPeriod;
  /** Absent types are the offer's (or goal's) own payout type, where it is one per conversion. */
  steps: Array<{ fromConversion: number; payoutType?: CpaType; payoutFlatMicros?: bigint; payoutPercentPpm?: number }>;
}

const MAX_VOLUME_STEPS = 20;
const MAX_FROM_CONVERSION = 1_000_000;

async function volumePayoutsOf(db: Queryable, offerId: number): Promise<VolumePayouts[]> {
  const rows = await db.query<VolumePayoutStep & { goalId: number | null; period: CapPeriod }>(
    `SELECT goal_id AS "goalId", period, from_conversion AS "fromConversion", payout_type AS "payoutType",
            payout_flat_micros AS "payoutFlatMicros", payout_percent_ppm AS "payoutPercentPpm"
     FROM volume_payouts WHERE offer_id = $1 ORDER BY goal_id NULLS FIRST, from_conversion`,
    [offerId],
  );
  const schedules: VolumePayouts[] = [];
  for (const { goalId, period, ...step } of rows) {
    const last = schedules.at(-1);
    if (last && last.goalId === goalId) last.steps.push(step);
    else schedules.push({ offerId, goalId, period, steps: [step] });
  }
  return schedules;
}

/** The offer's volume payouts: on its default conversion, then on each goal that has them. */
export async function listVolumePayouts(db: Queryable, principal: Principal, offerId: number): Promise<VolumePayouts[]> {
  await getOffer(db, principal, offerId);
  return volumePayoutsOf(db, offerId);
}

/**
 * Sets the offer's (or one goal's) volume payouts, all steps at once: they replace the ones before,
 * so the call is safe to retry, and no steps remove them. Conversions already recorded keep their
 * payout until corrected.
 */
export async function setVolumePayouts(db: Queryable, principal: Principal, offerId: number, input: VolumePayoutsInput): Promise<VolumePayouts> {
  const offer = await changeableOffer(db, principal, offerId);
  const goalId = input.goalId ?? null;
  const ownType = (await checkGoalOf(db, offerId, goalId))?.payout ?? offer.payoutType;
  const ownCpaType = (CPA_TYPES as readonly PricingType[]).includes(ownType) ? (ownType as CpaType) : undefined;
  if (!CAP_PERIODS.includes(input.period)) throw new ValidationError('period', `must be one of ${CAP_PERIODS.join(', ')}`);
  if (input.steps.length > MAX_VOLUME_STEPS) throw new ValidationError('steps', `at most ${MAX_VOLUME_STEPS}`);
  const seen = new Set<number>();
  const steps = input.steps.map((step, index): VolumePayoutStep => {
    const field = (name: string) => `steps[${index}].${name}`;
    const { fromConversion } = step;
    if (!Number.isInteger(fromConversion) || fromConversion < 2 || fromConversion > MAX_FROM_CONVERSION) {
      throw new ValidationError(field('fromConversion'), `must be a whole number from 2 to ${MAX_FROM_CONVERSION}: a partner's first conversion is paid the offer's own payout`);
    }
    if (seen.has(fromConversion)) throw new ValidationError(field('fromConversion'), `${fromConversion} is the start of another step`);
    seen.add(fromConversion);
    const payoutType = step.payoutType ?? ownCpaType;
    if (payoutType === undefined) throw new ValidationError(field('payoutType'), `is needed: the offer pays ${ownType}, and steps price conversions`);
    const priced = { type: payoutType, flatMicros: step.payoutFlatMicros ?? 0n, percentPpm: step.payoutPercentPpm ?? 0 };
    const problem = pricingProblem(priced, CPA_TYPES);
    if (problem) throw new ValidationError(field(`payout${problem.part}`), problem.detail);
    return { fromConversion, payoutType, payoutFlatMicros: priced.flatMicros, payoutPercentPpm: priced.percentPpm };
  });
  await db.query('DELETE FROM volume_payouts WHERE offer_id = $1 AND goal_id IS NOT DISTINCT FROM $2', [offerId, goalId]);
  if (steps.length > 0) {
    await db.query(
      `INSERT INTO volume_payouts (offer_id, goal_id, period, from_conversion, payout_type, payout_flat_micros, payout_percent_ppm)
       SELECT $1, $2, $3, * FROM unnest($4::int[], $5::text[], $6::int8[], $7::int[])`,
      [
        offerId,
        goalId,
        input.period,
        steps.map((step) => step.fromConversion),
        steps.map((step) => step.payoutType),
        steps.map((step) => String(step.payoutFlatMicros)),
        steps.map((step) => step.payoutPercentPpm),
      ],
    );
  }
  return { offerId, goalId, period: input.period, steps: steps.sort((a, b) => a.fromConversion - b.fromConversion) };
}
