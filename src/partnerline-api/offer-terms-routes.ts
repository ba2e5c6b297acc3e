import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, itemParams, nullableIdSchema, strictBody } from '../http/schema-types.ts';
import { CAP_METRICS, CAP_PERIODS, CPA_TYPES, isMoneyMetric, PRICING_TYPES, type CapMetric, type CapPeriod, type CpaType, type PricingSide, type PricingType } from '../offers/offer-rules.ts';
import {
  createGoal,
  listCaps,
  listGoals,
  listCustomTerms,
  listVolumePayouts,
  removeCap,
  removeCustomTerms,
  setCap,
  setCustomTerms,
  setVolumePayouts,
  updateGoal,
  type Cap,
  type Goal,
  type GoalInput,
  type GoalSettings,
  type CustomTerms,
  type VolumePayouts,
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

// ---- Partners' custom terms ------------------------------------------------------------------

/** One side's custom terms as this API names them, and what its documentation says of them. */
const CUSTOM_TERMS = {
  payout: {
    path: 'partner-payouts',
    fields: { type: 'payoutType', flat: 'payout', percent: 'percentPayout' },
    list: "What partners, and the partners of tiers, earn on an offer by terms of their own (the network, its advertiser and the advertiser's agency)",
    set: "Set a partner's own payout, or a partner tier's, on an offer or on one of its goals",
    setDetail:
      'It replaces the offer\'s (or goal\'s) payout for this partner, or with `tierId` for every partner of the tier (see ' +
      '/partner-tiers); a partner\'s own ranks above its tier\'s. What the advertiser is charged does not change. Without ' +
      '`goalId` it prices the offer\'s default conversion and, with `cpc` or `cpm`, the partner\'s clicks or impressions (times ' +
      'the sub-ID\'s bid factor); a goal takes CPA terms only. Conversions show it as `payoutRule: "partner override"` or ' +
      '`"partner tier"`. Setting the same partner (or tier) and goal again replaces it, so the call is safe to retry; conversions ' +
      'already recorded keep their payout.',
    remove: "Remove a partner's or a tier's own payout: the tier's (for a partner in one) or the offer's (or goal's) applies again",
  },
  revenue: {
    path: 'partner-revenues',
    fields: { type: 'revenueType', flat: 'revenue', percent: 'percentRevenue' },
    list: "What the advertiser pays for the traffic of partners, and of tiers' partners, on an offer by terms of their own (the network, its advertiser and the advertiser's agency)",
    set: "Set what the advertiser pays for one partner's traffic, or a partner tier's, on an offer or on one of its goals",
    setDetail:
      'It replaces the offer\'s (or goal\'s) revenue for this partner\'s conversions, or with `tierId` for those of every partner ' +
      'of the tier; a partner\'s own ranks above its tier\'s. What the partner earns does not change. Without `goalId` it prices ' +
      'the offer\'s default conversion and, with `cpc` or `cpm`, what the partner\'s clicks or impressions cost (times the ' +
      'sub-ID\'s bid factor, drawn from the offer\'s budget); a goal takes CPA terms only. Setting the same partner (or tier) and ' +
      'goal again replaces it, so the call is safe to retry; conversions already recorded keep their revenue.',
    remove: "Remove a partner's or a tier's own revenue: the tier's (for a partner in one) or the offer's (or goal's) applies again",
  },
} as const;

function customTermsSchema(side: PricingSide) {
  const { fields } = CUSTOM_TERMS[side];
  return {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      offerId: { type: 'integer' },
      partnerId: { type: ['integer', 'null'] },
      tierId: { type: ['integer', 'null'], description: 'The partner tier it prices, where it names no partner' },
      goalId: { type: ['integer', 'null'] },
      [fields.type]: { type: 'string', enum: [...PRICING_TYPES] },
      [fields.flat]: { type: 'string' },
      [fields.percent]: { type: 'number' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  };
}

interface CustomTermsBody {
  partnerId?: number;
  tierId?: number;
  goalId?: number | null;
  [amountOrType: string]: number | string | null | undefined;
}

function customTermsView(side: PricingSide, { type, flatMicros, percentPpm, ...rest }: CustomTerms) {
  const { fields } = CUSTOM_TERMS[side];
  return { ...rest, [fields.type]: type, [fields.flat]: formatMoney(flatMicros), [fields.percent]: ppmToPercent(percentPpm) };
}

/** GET, PUT and DELETE of one side's custom terms on an offer. */
function registerCustomTermsRoutes(app: FastifyInstance, platform: Platform, doc: (summary: string, description?: string) => object, side: PricingSide): void {
  const { path, fields, ...text } = CUSTOM_TERMS[side];
  const schema = customTermsSchema(side);
  app.get<{ Params: { id: number } }>(
    `/offers/:id/${path}`,
    { schema: { ...doc(text.list), params: idParams, response: { 200: { type: 'array', items: schema }, 403: errorBody, 404: errorBody } } },
    async (request) => (await listCustomTerms(platform.store, request.principal, request.params.id, side)).map((terms) => customTermsView(side, terms)),
  );

  app.put<{ Params: { id: number }; Body: CustomTermsBody }>(
    `/offers/:id/${path}`,
    {
      schema: {
        ...doc(text.set, text.setDetail),
        params: idParams,
        body: strictBody(
          {
            partnerId: idSchema,
            tierId: idSchema,
            goalId: nullableIdSchema,
            [fields.type]: { type: 'string', enum: [...PRICING_TYPES], description: `Absent: the offer's (or goal's) own ${side} type` },
            [fields.flat]: { ...moneySchema, description: 'The flat part (cpa_flat, cpa_both), per click (cpc) or per thousand impressions (cpm)' },
            [fields.percent]: { ...percentSchema, description: 'The share of the sale (cpa_percentage, cpa_both)' },
          },
          { minProperties: 1 },
        ),
        response: { 200: schema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { partnerId, tierId, goalId } = request.body;
        const terms = await setCustomTerms(tx, request.principal, request.params.id, side, {
          partnerId,
          tierId,
          goalId,
          type: request.body[fields.type] as PricingType | undefined,
          flatMicros: amountInput(fields.flat, request.body[fields.flat] ?? undefined),
          percentPpm: percentInput(fields.percent, request.body[fields.percent] ?? undefined),
        });
        return { statusCode: 200, body: customTermsView(side, terms) };
      }),
  );

  const termsId = `${side}Id` as const;
  app.delete<{ Params: { id: number } & Record<typeof termsId, number> }>(
    `/offers/:id/${path}/:${termsId}`,
    { schema: { ...doc(text.remove), params: itemParams(termsId), response: { 200: schema, 403: errorBody, 404: errorBody } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: customTermsView(side, await removeCustomTerms(tx, request.principal, request.params.id, side, request.params[termsId])),
      })),
  );
}

// ---- Volume payouts ---------------------------------------------------------------------------

const volumePayoutsSchema = {
  type: 'object',
  properties: {
    offerId: { type: 'integer' },
    goalId: { type: ['integer', 'null'] },
    period: { type: 'string', enum: [...CAP_PERIODS] },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          fromConversion: { type: 'integer' },
          payoutType: { type: 'string', enum: [...CPA_TYPES] },
          payout: { type: 'string' },
          percentPayout: { type: 'number' },
        },
      },
    },
  },
} as const;

interface VolumePayoutsBody {
  goalId?: number | null;
  period: CapPeriod;
  steps: Array<{ fromConversion: number; payoutType?: CpaType; payout?: number | string; percentPayout?: number | string }>;
}

function volumePayoutsView({ steps, ...schedule }: VolumePayouts) {
  return {
    ...schedule,
    steps: steps.map(({ payoutFlatMicros, payoutPercentPpm, ...step }) => ({ ...step, payout: formatMoney(payoutFlatMicros), percentPayout: ppmToPercent(payoutPercentPpm) })),
  };
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

  registerCustomTermsRoutes(app, platform, doc, 'payout');
  registerCustomTermsRoutes(app, platform, doc, 'revenue');

  app.get<{ Params: { id: number } }>(
    '/offers/:id/volume-payouts',
    {
      schema: {
        ...doc("An offer's payouts that rise with each partner's volume: on its default conversion, then on each goal that has them"),
        params: idParams,
        response: { 200: { type: 'array', items: volumePayoutsSchema }, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => (await listVolumePayouts(db, request.principal, request.params.id)).map(volumePayoutsView),
  );

  app.put<{ Params: { id: number }; Body: VolumePayoutsBody }>(
    '/offers/:id/volume-payouts',
    {
      schema: {
        ...doc(
          "Set the steps by which an offer's (or one goal's) payout rises with each partner's volume",
          'From its `fromConversion`th approved or pending conversion on the offer in the local `period` (day, week Monday to ' +
            'Sunday, month, or lifetime; on the goal, for a goal\'s steps), a partner earns the highest step it has reached instead ' +
            'of the offer\'s (or goal\'s) own payout; its first conversions earn the offer\'s own. Conversions show it as ' +
            '`payoutRule: "volume step"`. A partner\'s own payout, or its tier\'s, ranks above. Each call replaces all the steps of ' +
            'the offer or goal, so it is safe to retry; no steps removes them. Conversions already recorded keep their payout until ' +
            'corrected, and a corrected one is priced by the step its place in the period reaches.',
        ),
        params: idParams,
        body: strictBody(
          {
            goalId: nullableIdSchema,
            period: { type: 'string', enum: [...CAP_PERIODS] },
            steps: {
              type: 'array',
              maxItems: 20,
              items: strictBody(
                {
                  fromConversion: { type: 'integer', minimum: 2, description: "From which of the partner's conversions in the period on" },
                  payoutType: { type: 'string', enum: [...CPA_TYPES], description: "Absent: the offer's (or goal's) own payout type" },
                  payout: { ...moneySchema, description: 'The flat part (cpa_flat, cpa_both)' },
                  percentPayout: { ...percentSchema, description: 'The share of the sale (cpa_percentage, cpa_both)' },
                },
                { required: ['fromConversion'] },
              ),
            },
          },
          { required: ['period', 'steps'] },
        ),
        response: { 200: volumePayoutsSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { goalId, period, steps } = request.body;
        const schedule = await setVolumePayouts(tx, request.principal, request.params.id, {
          goalId,
          period,
          steps: steps.map((step, index) => ({
            fromConversion: step.fromConversion,
            payoutType: step.payoutType,
            payoutFlatMicros: amountInput(`steps[${index}].payout`, step.payout),
            payoutPercentPpm: percentInput(`steps[${index}].percentPayout`, step.percentPayout),
          })),
        });
        return { statusCode: 200, body: volumePayoutsView(schedule) };
      }),
  );
}
