import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, itemParams, nullableIdSchema, strictBody } from '../http/schema-types.ts';
import { CAP_METRICS, CAP_PERIODS, CPA_TYPES, isMoneyMetric, PRICING_TYPES, type CapMetric, type CapPeriod, type CpaType, type PricingType } from '../offers/offer-rules.ts';
import {
  createGoal,
  listCaps,
  listGoals,
  listPayoutOverrides,
  removeCap,
  removePayoutOverride,
  setCap,
  setPayoutOverride,
  updateGoal,
  type Cap,
  type Goal,
  type GoalInput,
  type GoalSettings,
  type PayoutOverride,
} from '../offers/offer-terms.ts';
import type { Platform } from '../platform.ts';
import { ValidationError } from '../shared/errors.ts';
import { formatMoney, parseScaled, ppmToPercent } from '../shared/money.ts';
import { amountInput, moneySchema, percentInput, percentSchema } from './amounts.ts';

/** Core field names as this API writes them, for error messages. */
export const TERMS_FIELD_NAMES = {
  payoutFlatMicros: 'payout',
  payoutPercentPpm: 'percentPayout',
  revenueFlatMicros: 'revenue',
  revenuePercentPpm: 'percentRevenue',
};

// ---- Goals ------------------------------------------------------------------------------------

const goalSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    offerId: { type: 'integer' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['active', 'deleted'] },
    payoutType: { type: 'string', enum: [...CPA_TYPES] },
    payout: { type: 'string' },
    percentPayout: { type: 'number' },
    revenueType: { type: 'string', enum: [...CPA_TYPES] },
    revenue: { type: 'string' },
    percentRevenue: { type: 'number' },
    approveConversions: { type: 'boolean' },
    allowMultipleConversions: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const goalFields = {
  name: { type: 'string', minLength: 1, maxLength: 255, example: 'Paid membership' },
  description: { type: ['string', 'null'], maxLength: 2000 },
  payoutType: { type: 'string', enum: [...CPA_TYPES], description: "How the partner is paid per conversion of this goal" },
  payout: { ...moneySchema, description: 'The flat part of the payout (cpa_flat, cpa_both)' },
  percentPayout: { ...percentSchema, description: 'The share of the sale paid (cpa_percentage, cpa_both)' },
  revenueType: { type: 'string', enum: [...CPA_TYPES], description: 'How the advertiser is charged per conversion of this goal' },
  revenue: { ...moneySchema, description: 'The flat part of the revenue (cpa_flat, cpa_both)' },
  percentRevenue: { ...percentSchema, description: 'The share of the sale charged (cpa_percentage, cpa_both)' },
  approveConversions: { type: 'boolean', description: 'Its conversions wait as pending for approval' },
  allowMultipleConversions: { type: 'boolean', description: 'A click may convert on this goal more than once' },
} as const;

interface GoalBody {
  name?: string;
  description?: string | null;
  status?: 'active' | 'deleted';
  payoutType?: CpaType;
  payout?: number | string;
  percentPayout?: number | string;
  revenueType?: CpaType;
  revenue?: number | string;
  percentRevenue?: number | string;
  approveConversions?: boolean;
  allowMultipleConversions?: boolean;
}

function goalSettings(body: GoalBody): Partial<GoalSettings> {
  const settings: Partial<GoalSettings> = {
    name: body.name,
    description: body.description,
    status: body.status,
    payoutType: body.payoutType,
    payoutFlatMicros: amountInput('payout', body.payout),
    payoutPercentPpm: percentInput('percentPayout', body.percentPayout),
    revenueType: body.revenueType,
    revenueFlatMicros: amountInput('revenue', body.revenue),
    revenuePercentPpm: percentInput('percentRevenue', body.percentRevenue),
    approveConversions: body.approveConversions,
    allowMultipleConversions: body.allowMultipleConversions,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function goalView(goal: Goal) {
  return {
    id: goal.id,
    offerId: goal.offerId,
    name: goal.name,
    description: goal.description,
    status: goal.status,
    payoutType: goal.payoutType,
    payout: formatMoney(goal.payoutFlatMicros),
    percentPayout: ppmToPercent(goal.payoutPercentPpm),
    revenueType: goal.revenueType,
    revenue: formatMoney(goal.revenueFlatMicros),
    percentRevenue: ppmToPercent(goal.revenuePercentPpm),
    approveConversions: goal.approveConversions,
    allowMultipleConversions: goal.allowMultipleConversions,
    createdAt: goal.createdAt,
  };
}

// ---- Caps -------------------------------------------------------------------------------------

const capSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    offerId: { type: 'integer' },
    partnerId: { type: ['integer', 'null'] },
    goalId: { type: ['integer', 'null'] },
    metric: { type: 'string', enum: [...CAP_METRICS] },
    period: { type: 'string', enum: [...CAP_PERIODS] },
    limit: { type: ['integer', 'string'], description: 'A count for clicks and conversions; an amount (a decimal string) for payout, revenue and budget' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

interface CapBody {
  partnerId?: number | null;
  goalId?: number | null;
  metric: CapMetric;
  period: CapPeriod;
  limit: number | string;
}

function capLimit(metric: CapMetric, value: number | string): bigint {
  if (isMoneyMetric(metric)) return amountInput('limit', value);
  const count = parseScaled(value, 0);
  if (count === undefined) throw new ValidationError('limit', `a ${metric} cap counts ${metric}: it must be a whole number`);
  return count;
}

function capView(cap: Cap) {
  return { ...cap, limit: isMoneyMetric(cap.metric) ? formatMoney(cap.limit) : Number(cap.limit) };
}

// ---- Partner payouts --------------------------------------------------------------------------

const payoutSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    offerId: { type: 'integer' },
    partnerId: { type: ['integer', 'null'] },
    tierId: { type: ['integer', 'null'], description: 'The partner tier it pays, where it names no partner' },
    goalId: { type: ['integer', 'null'] },
    payoutType: { type: 'string', enum: [...PRICING_TYPES] },
    payout: { type: 'string' },
    percentPayout: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

interface PayoutBody {
  partnerId?: number;
  tierId?: number;
  goalId?: number | null;
  payoutType?: PricingType;
  payout?: number | string;
  percentPayout?: number | string;
}

function payoutView(override: PayoutOverride) {
  const { payoutFlatMicros, payoutPercentPpm, ...rest } = override;
  return { ...rest, payout: formatMoney(payoutFlatMicros), percentPayout: ppmToPercent(payoutPercentPpm) };
}

// ---- Routes -----------------------------------------------------------------------------------

export function registerOfferTermsRoutes(app: FastifyInstance, platform: Platform): void {
  const db = platform.store;
  const doc = (summary: string, description?: string) => ({ tags: ['Offer terms'], summary, description, security: [{ apiKey: [] }] });

  app.get<{ Params: { id: number } }>(
    '/offers/:id/goals',
    {
      schema: {
        ...doc("An offer's goals (the network, its advertiser and the advertiser's agency)", 'Removed goals are listed with status `deleted`.'),
        params: idParams,
        response: { 200: { type: 'array', items: goalSchema }, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => (await listGoals(db, request.principal, request.params.id)).map(goalView),
  );

  app.post<{ Params: { id: number }; Body: GoalBody }>(
    '/offers/:id/goals',
    {
      schema: {
        ...doc(
          'Add a goal: a further kind of conversion with its own payout and revenue',
          'Conversions reach it by `goal_id` or `goal_name` (any case) on /aff_goal, /aff_lsr and POST /conversions. Names are unique ' +
            'on an offer in any case (409 otherwise); send an Idempotency-Key to retry safely.',
        ),
        params: idParams,
        body: strictBody(goalFields, { required: ['name', 'payoutType', 'revenueType'] }),
        response: { 201: goalSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 201,
        body: goalView(await createGoal(tx, request.principal, request.params.id, goalSettings(request.body) as GoalInput)),
      })),
  );

  app.patch<{ Params: { id: number; goalId: number }; Body: GoalBody }>(
    '/offers/:id/goals/:goalId',
    {
      schema: {
        ...doc(
          'Change a goal, or remove it (`status: "deleted"`)',
          'Only the fields given change. Conversions already recorded keep the payout and revenue they were priced at; a removed goal ' +
            "keeps its conversions, and new ones naming it are refused as an unknown goal (status code 94).",
        ),
        params: itemParams('goalId'),
        body: strictBody({ ...goalFields, status: { type: 'string', enum: ['active', 'deleted'] } }, { minProperties: 1 }),
        response: { 200: goalSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: goalView(await updateGoal(tx, request.principal, request.params.id, request.params.goalId, goalSettings(request.body))),
      })),
  );

  app.get<{ Params: { id: number } }>(
    '/offers/:id/caps',
    {
      schema: {
        ...doc("An offer's caps (the network, its advertiser and the advertiser's agency)"),
        params: idParams,
        response: { 200: { type: 'array', items: capSchema }, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => (await listCaps(db, request.principal, request.params.id)).map(capView),
  );

  app.put<{ Params: { id: number }; Body: CapBody }>(
    '/offers/:id/caps',
    {
      schema: {
        ...doc(
          'Set a cap: the most clicks, conversions, payout, revenue or click budget in a local day, week or month, or ever',
          'Of the whole offer, or of one partner (`partnerId`) or one goal (`goalId`, for conversions, payout and revenue). ' +
            'Setting the same metric, period, partner and goal again changes its limit, so the call is safe to retry. Days, weeks ' +
            '(Monday to Sunday) and months are the network time zone\'s. Past a click or budget cap, clicks go to the fallback URL (`click_cap_reached`, `budget_exhausted`); past a ' +
            'conversion, payout or revenue cap, conversions are recorded rejected with the HasOffers status code for it (17, 61–65, 80–87; ' +
            'Partnerline\'s 88 for a weekly cap, which HasOffers does not have). ' +
            'The advertiser (and the partner, of its own cap) is told at 80 % and at 100 %.',
        ),
        params: idParams,
        body: strictBody(
          {
            metric: { type: 'string', enum: [...CAP_METRICS] },
            period: { type: 'string', enum: [...CAP_PERIODS] },
            limit: { type: ['integer', 'number', 'string'], description: 'A whole count for clicks and conversions; an amount in currency units for payout, revenue and budget' },
            partnerId: nullableIdSchema,
            goalId: nullableIdSchema,
          },
          { required: ['metric', 'period', 'limit'] },
        ),
        response: { 200: capSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { limit, ...cap } = request.body;
        return { statusCode: 200, body: capView(await setCap(tx, request.principal, request.params.id, { ...cap, limit: capLimit(cap.metric, limit) })) };
      }),
  );

  app.delete<{ Params: { id: number; capId: number } }>(
    '/offers/:id/caps/:capId',
    {
      schema: { ...doc('Remove a cap'), params: itemParams('capId'), response: { 200: capSchema, 403: errorBody, 404: errorBody } },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: capView(await removeCap(tx, request.principal, request.params.id, request.params.capId)) })),
  );

  app.get<{ Params: { id: number } }>(
    '/offers/:id/partner-payouts',
    {
      schema: {
        ...doc("What partners, and the partners of tiers, earn on an offer by terms of their own (the network, its advertiser and the advertiser's agency)"),
        params: idParams,
        response: { 200: { type: 'array', items: payoutSchema }, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => (await listPayoutOverrides(db, request.principal, request.params.id)).map(payoutView),
  );

  app.put<{ Params: { id: number }; Body: PayoutBody }>(
    '/offers/:id/partner-payouts',
    {
      schema: {
        ...doc(
          "Set a partner's own payout, or a partner tier's, on an offer or on one of its goals",
          'It replaces the offer\'s (or goal\'s) payout for this partner, or with `tierId` for every partner of the tier (see ' +
            '/partner-tiers); a partner\'s own ranks above its tier\'s. What the advertiser is charged does not change. Without ' +
            '`goalId` it prices the offer\'s default conversion and, with `cpc` or `cpm`, the partner\'s clicks or impressions (times ' +
            'the sub-ID\'s bid factor); a goal takes CPA terms only. Conversions show it as `payoutRule: "partner override"` or ' +
            '`"partner tier"`. Setting the same partner (or tier) and goal again replaces it, so the call is safe to retry; conversions ' +
            'already recorded keep their payout.',
        ),
        params: idParams,
        body: strictBody(
          {
            partnerId: idSchema,
            tierId: idSchema,
            goalId: nullableIdSchema,
            payoutType: { type: 'string', enum: [...PRICING_TYPES], description: "Absent: the offer's (or goal's) own payout type" },
            payout: { ...moneySchema, description: 'The flat part (cpa_flat, cpa_both), per click (cpc) or per thousand impressions (cpm)' },
            percentPayout: { ...percentSchema, description: 'The share of the sale (cpa_percentage, cpa_both)' },
          },
          { minProperties: 1 },
        ),
        response: { 200: payoutSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { payout, percentPayout, ...rest } = request.body;
        const override = await setPayoutOverride(tx, request.principal, request.params.id, {
          ...rest,
          payoutFlatMicros: amountInput('payout', payout),
          payoutPercentPpm: percentInput('percentPayout', percentPayout),
        });
        return { statusCode: 200, body: payoutView(override) };
      }),
  );

  app.delete<{ Params: { id: number; payoutId: number } }>(
    '/offers/:id/partner-payouts/:payoutId',
    {
      schema: {
        ...doc("Remove a partner's or a tier's own payout: the tier's (for a partner in one) or the offer's (or goal's) applies again"),
        params: itemParams('payoutId'),
        response: { 200: payoutSchema, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: payoutView(await removePayoutOverride(tx, request.principal, request.params.id, request.params.payoutId)),
      })),
  );
}
