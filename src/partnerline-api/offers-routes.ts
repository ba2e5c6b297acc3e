import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, itemParams, pagedList, pageSchema, perPageSchema, strictBody } from '../http/schema-types.ts';
import { addCreative, creativeFile, IMAGE_TYPES, listCreatives, removeCreative, type NewCreative } from '../offers/creatives.ts';
import { addLandingPage, listLandingPages, removeLandingPage } from '../offers/landing-pages.ts';
import { DEVICES, OFFER_STATUSES, PRICING_TYPES, VISIBILITIES, type OfferStatus, type PricingType } from '../offers/offer-rules.ts';
import { createOffer, getOffer, listOffers, updateOffer, type NewOffer, type Offer, type OfferSettings } from '../offers/offers.ts';
import type { Platform } from '../platform.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { formatMoney, ppmToPercent } from '../shared/money.ts';
import { amountInput, moneySchema, percentInput, percentSchema } from './amounts.ts';

/** Offers: the advertiser side creates and changes them, their landing pages and creatives. */

const offerSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    advertiserId: { type: 'integer' },
    advertiserName: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    status: { type: 'string', enum: [...OFFER_STATUSES] },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: ['string', 'null'], format: 'date-time' },
    destinationUrl: { type: 'string' },
    previewUrl: { type: ['string', 'null'] },
    fallbackUrl: { type: ['string', 'null'] },
    allowDeepLink: { type: 'boolean' },
    geoTargeting: { type: 'array', items: { type: 'string' } },
    deviceTargeting: { type: 'array', items: { type: 'string' } },
    channelIds: { type: 'array', items: { type: 'integer' } },
    currency: { type: 'string' },
    visibility: { type: 'string', enum: [...VISIBILITIES] },
    attributionWindowHours: { type: 'integer' },
    approveConversions: { type: 'boolean' },
    holdHours: { type: ['integer', 'null'] },
    allowMultipleConversions: { type: 'boolean' },
    payoutType: { type: 'string', enum: [...PRICING_TYPES] },
    payout: { type: 'string' },
    percentPayout: { type: 'number' },
    revenueType: { type: 'string', enum: [...PRICING_TYPES] },
    revenue: { type: 'string' },
    percentRevenue: { type: 'number' },
    dailyBudget: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const offerFields = {
  advertiserId: idSchema,
  name: { type: 'string', minLength: 1, maxLength: 255 },
  description: { type: ['string', 'null'], maxLength: 10_000 },
  status: { type: 'string', enum: ['active', 'paused', 'pending'] },
  startsAt: { type: 'string', format: 'date-time' },
  endsAt: { type: ['string', 'null'], format: 'date-time' },
  destinationUrl: { type: 'string', minLength: 1, maxLength: 4000, description: 'May carry macros such as {transaction_id} and {aff_sub}' },
  previewUrl: { type: ['string', 'null'], maxLength: 4000 },
  fallbackUrl: { type: ['string', 'null'], maxLength: 4000, description: 'Where clicks go while the offer cannot take them' },
  allowDeepLink: { type: 'boolean' },
  geoTargeting: { type: 'array', maxItems: 250, items: { type: 'string', maxLength: 2 }, description: 'ISO country codes; empty: every country' },
  deviceTargeting: { type: 'array', items: { type: 'string', enum: [...DEVICES] }, description: 'Empty: every device' },
  channelIds: { type: 'array', maxItems: 100, items: idSchema },
  currency: { type: 'string', minLength: 3, maxLength: 3 },
  visibility: { type: 'string', enum: [...VISIBILITIES], description: 'open: every partner; approval: partners apply; private: by invitation' },
  attributionWindowHours: { type: 'integer', minimum: 1, maximum: 87_600 },
  approveConversions: { type: 'boolean' },
  holdHours: { type: ['integer', 'null'], minimum: 1, maximum: 87_600 },
  allowMultipleConversions: { type: 'boolean' },
  payoutType: { type: 'string', enum: [...PRICING_TYPES] },
  payout: moneySchema,
  percentPayout: percentSchema,
  revenueType: { type: 'string', enum: [...PRICING_TYPES] },
  revenue: moneySchema,
  percentRevenue: percentSchema,
  dailyBudget: { type: ['number', 'string', 'null'], description: 'What the advertiser may spend a local day; null: no limit' },
} as const;

type OfferBody = Partial<Omit<OfferSettings, 'startsAt' | 'endsAt' | 'payoutFlatMicros' | 'payoutPercentPpm' | 'revenueFlatMicros' | 'revenuePercentPpm' | 'dailyBudgetMicros'>> & {
  startsAt?: string;
  endsAt?: string | null;
  payout?: number | string;
  percentPayout?: number | string;
  revenue?: number | string;
  percentRevenue?: number | string;
  dailyBudget?: number | string | null;
};

function offerSettings(body: OfferBody): Partial<OfferSettings> {
  const { startsAt, endsAt, payout, percentPayout, revenue, percentRevenue, dailyBudget, ...rest } = body;
  const settings: Partial<OfferSettings> = {
    ...rest,
    startsAt: startsAt === undefined ? undefined : new Date(startsAt),
    endsAt: endsAt === undefined ? undefined : endsAt === null ? null : new Date(endsAt),
    payoutFlatMicros: amountInput('payout', payout),
    payoutPercentPpm: percentInput('percentPayout', percentPayout),
    revenueFlatMicros: amountInput('revenue', revenue),
    revenuePercentPpm: percentInput('percentRevenue', percentRevenue),
    dailyBudgetMicros: dailyBudget === undefined ? undefined : dailyBudget === null ? null : amountInput('dailyBudget', dailyBudget),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function offerView(offer: Offer) {
  const { payoutFlatMicros, payoutPercentPpm, revenueFlatMicros, revenuePercentPpm, dailyBudgetMicros, ...rest } = offer;
  return {
    ...rest,
    payout: formatMoney(payoutFlatMicros),
    percentPayout: ppmToPercent(payoutPercentPpm),
    revenue: formatMoney(revenueFlatMicros),
    percentRevenue: ppmToPercent(revenuePercentPpm),
    dailyBudget: dailyBudgetMicros === null ? null : formatMoney(dailyBudgetMicros),
  };
}

const landingPageSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    offerId: { type: 'integer' },
    name: { type: 'string' },
    url: { type: 'string' },
    previewUrl: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const creativeSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    offerId: { type: 'integer' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['image', 'html'] },
    contentType: { type: 'string' },
    size: { type: 'integer', description: 'Bytes' },
    width: { type: ['integer', 'null'] },
    height: { type: ['integer', 'null'] },
    url: { type: 'string', description: 'Where partners embed it from' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerOfferRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ apiKey: [] }] });

  app.get<{ Querystring: { advertiserId?: number; status?: OfferStatus; page: number; perPage: number } }>(
    '/offers',
    {
      schema: {
        ...doc('Offers', 'Offers you manage (network: all; advertisers and agencies: their own)'),
        querystring: {
          type: 'object',
          properties: { advertiserId: idSchema, status: { type: 'string', enum: OFFER_STATUSES.filter((status) => status !== 'deleted') }, page: pageSchema, perPage: perPageSchema },
        },
        response: {
          200: pagedList(offerSchema),
          403: errorBody,
        },
      },
    },
    async (request) => {
      const found = await listOffers(platform.store, request.principal, request.query);
      return { ...found, items: found.items.map(offerView) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/offers/:id',
    { schema: { ...doc('Offers', 'One offer, with everything it has'), params: idParams, response: { 200: offerSchema, 403: errorBody, 404: errorBody } } },
    async (request) => offerView(await getOffer(platform.store, request.principal, request.params.id)),
  );

  app.post<{ Body: OfferBody & { advertiserId: number; name: string; destinationUrl: string; payoutType: PricingType; revenueType: PricingType } }>(
    '/offers',
    {
      schema: {
        ...doc('Offers', 'Create an offer'),
        body: strictBody(offerFields, { required: ['advertiserId', 'name', 'destinationUrl', 'payoutType', 'revenueType'] }),
        response: { 201: offerSchema, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 201,
        body: offerView(await createOffer(tx, request.principal, offerSettings(request.body) as NewOffer)),
      })),
  );

  app.patch<{ Params: { id: number }; Body: OfferBody }>(
    '/offers/:id',
    {
      schema: {
        ...doc('Offers', 'Change an offer; what is not given stays as it is'),
        params: idParams,
        body: strictBody(offerFields, { minProperties: 1 }),
        response: { 200: offerSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: offerView(await updateOffer(tx, request.principal, request.params.id, offerSettings(request.body))),
      })),
  );

  for (const [action, status, summary] of [
    ['pause', 'paused', 'Pause an offer: its clicks go to the fallback and count for nothing'],
    ['activate', 'active', 'Activate an offer'],
    ['archive', 'deleted', 'Archive an offer: it leaves every list and can no longer change'],
  ] as const) {
    app.post<{ Params: { id: number } }>(
      `/offers/:id/${action}`,
      { schema: { ...doc('Offers', summary), params: idParams, response: { 200: offerSchema, 400: errorBody, 403: errorBody, 404: errorBody } } },
      (request, reply) =>
        sendWrite(platform, request, reply, async (tx) => {
          const current = await getOffer(tx, request.principal, request.params.id);
          if (current.status === status) return { statusCode: 200, body: offerView(current) };
          if (current.status === 'deleted') throw new ValidationError('status', 'an archived offer cannot change');
          return { statusCode: 200, body: offerView(await updateOffer(tx, request.principal, request.params.id, { status })) };
        }),
    );
  }

  app.get<{ Params: { id: number } }>(
    '/offers/:id/landing-pages',
    { schema: { ...doc('Offers', 'An offer\'s other landing pages (url_id on a tracking link)'), params: idParams, response: { 200: { type: 'array', items: landingPageSchema } } } },
    (request) => listLandingPages(platform.store, request.principal, request.params.id),
  );

  app.post<{ Params: { id: number }; Body: { name: string; url: string; previewUrl?: string | null } }>(
    '/offers/:id/landing-pages',
    {
      schema: {
        ...doc('Offers', 'Add a landing page'),
        params: idParams,
        body: strictBody(
          { name: { type: 'string', minLength: 1, maxLength: 255 }, url: { type: 'string', minLength: 1, maxLength: 4000 }, previewUrl: { type: ['string', 'null'], maxLength: 4000 } },
          { required: ['name', 'url'] },
        ),
        response: { 201: landingPageSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await addLandingPage(tx, request.principal, request.params.id, request.body) })),
  );

  app.delete<{ Params: { id: number; pageId: number } }>(
    '/offers/:id/landing-pages/:pageId',
    { schema: { ...doc('Offers', 'Remove a landing page'), params: itemParams('pageId'), response: { 204: { type: 'null' }, 403: errorBody, 404: errorBody } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        await removeLandingPage(tx, request.principal, request.params.id, request.params.pageId);
        return { statusCode: 204, body: null };
      }),
  );

  const creativeUrl = (id: number) => `/api/v1/creatives/${id}`;
  app.get<{ Params: { id: number } }>(
    '/offers/:id/creatives',
    { schema: { ...doc('Offers', "An offer's banners and HTML creatives (its side; partners who may promote it)"), params: idParams, response: { 200: { type: 'array', items: creativeSchema }, 400: errorBody, 403: errorBody, 404: errorBody } } },
    async (request) => (await listCreatives(platform.store, request.principal, request.params.id)).map((creative) => ({ ...creative, url: creativeUrl(creative.id) })),
  );

  app.post<{ Params: { id: number }; Body: NewCreative }>(
    '/offers/:id/creatives',
    {
      schema: {
        ...doc('Offers', 'Add a creative: an image (base64, at most 2 MB) or HTML'),
        params: idParams,
        body: strictBody(
          {
            name: { type: 'string', minLength: 1, maxLength: 255 },
            kind: { type: 'string', enum: ['image', 'html'] },
            contentType: { type: 'string', enum: [...IMAGE_TYPES], description: "An image's type" },
            content: { type: 'string', minLength: 1, maxLength: 3_000_000, description: 'An image as base64, or the HTML itself' },
            width: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
            height: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
          },
          { required: ['name', 'kind', 'content'] },
        ),
        response: { 201: creativeSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const creative = await addCreative(tx, request.principal, request.params.id, request.body);
        return { statusCode: 201, body: { ...creative, url: creativeUrl(creative.id) } };
      }),
  );

  app.delete<{ Params: { id: number; creativeId: number } }>(
    '/offers/:id/creatives/:creativeId',
    { schema: { ...doc('Offers', 'Remove a creative; its address stops serving it'), params: itemParams('creativeId'), response: { 204: { type: 'null' }, 403: errorBody, 404: errorBody } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        await removeCreative(tx, request.principal, request.params.id, request.params.creativeId);
        return { statusCode: 204, body: null };
      }),
  );

  app.get<{ Params: { id: number } }>(
    '/creatives/:id',
    { config: { public: true }, schema: { ...doc('Offers', "A creative's file, for partners' pages (no key)"), security: [], params: idParams, response: { 404: errorBody } } },
    async (request, reply) => {
      const file = await creativeFile(platform.store, request.params.id);
      if (!file) throw new NotFoundError('creative', request.params.id);
      // HTML runs sandboxed, as an origin of its own: it can never act with a visitor's portal session.
      return reply
        .type(file.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', 'sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation')
        .header('cache-control', 'public, max-age=300')
        .send(Buffer.from(file.content));
    },
  );
}
