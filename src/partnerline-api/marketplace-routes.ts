import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, itemParams, strictBody } from '../http/schema-types.ts';
import { getMarketplaceOffer, listMarketplace, type MarketplaceOffer } from '../offers/marketplace.ts';
import { applyToOffer, decideOfferApplication, listOfferApplications } from '../partners/offer-applications.ts';
import type { Platform } from '../platform.ts';
import { ForbiddenError } from '../shared/errors.ts';
import { formatMoney, ppmToPercent } from '../shared/money.ts';

/** The partners' side of offers: the marketplace, and applications to offers that ask for approval. */

const marketplaceSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    advertiserName: { type: 'string' },
    category: { type: ['string', 'null'] },
    previewUrl: { type: ['string', 'null'] },
    currency: { type: 'string' },
    visibility: { type: 'string' },
    applicationStatus: { type: ['string', 'null'], description: 'approved: you may promote it; pending, rejected; null: you may apply' },
    applicationReason: { type: ['string', 'null'] },
    payoutType: { type: 'string' },
    payout: { type: 'string' },
    percentPayout: { type: 'number' },
    payoutRule: { type: 'string', description: 'Which rule gives you this payout: partner override, partner tier or offer' },
    geoTargeting: { type: 'array', items: { type: 'string' } },
    deviceTargeting: { type: 'array', items: { type: 'string' } },
    allowDeepLink: { type: 'boolean' },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: ['string', 'null'], format: 'date-time' },
    landingPages: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, previewUrl: { type: ['string', 'null'] } } } },
    caps: {
      type: 'array',
      items: { type: 'object', properties: { metric: { type: 'string' }, period: { type: 'string' }, limit: { type: 'string' }, partnerOnly: { type: 'boolean' } } },
    },
  },
} as const;

function marketplaceView(offer: MarketplaceOffer) {
  const { payoutFlatMicros, payoutPercentPpm, caps, ...rest } = offer;
  return {
    ...rest,
    payout: formatMoney(payoutFlatMicros),
    percentPayout: ppmToPercent(payoutPercentPpm),
    caps: caps.map((cap) => ({ ...cap, limit: cap.metric === 'payout' ? formatMoney(cap.limit) : String(cap.limit) })),
  };
}

const applicationSchema = {
  type: 'object',
  properties: {
    offerId: { type: 'integer' },
    offerName: { type: 'string' },
    advertiserId: { type: 'integer' },
    partnerId: { type: 'integer' },
    partnerName: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'blocked'] },
    note: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerMarketplaceRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ apiKey: [] }] });
  const partnerOnly = (partnerId: number | null) => {
    if (partnerId === null) throw new ForbiddenError('The marketplace is the partners\' view of offers; use /offers');
    return partnerId;
  };

  app.get<{ Querystring: { search?: string; status?: 'approved' | 'available' } }>(
    '/marketplace',
    {
      schema: {
        ...doc('Marketplace', 'Offers you may promote or apply to, with your own payout (partners)'),
        querystring: {
          type: 'object',
          properties: {
            search: { type: 'string', maxLength: 200 },
            status: { type: 'string', enum: ['approved', 'available'], description: 'approved: you may promote them; available: you may apply' },
          },
        },
        response: { 200: { type: 'array', items: marketplaceSchema }, 403: errorBody },
      },
    },
    async (request) => (await listMarketplace(platform.store, partnerOnly(request.principal.partnerId), request.query)).map(marketplaceView),
  );

  app.get<{ Params: { id: number } }>(
    '/marketplace/:id',
    { schema: { ...doc('Marketplace', 'One offer as you see it (partners)'), params: idParams, response: { 200: marketplaceSchema, 403: errorBody, 404: errorBody } } },
    async (request) => marketplaceView(await getMarketplaceOffer(platform.store, partnerOnly(request.principal.partnerId), request.params.id)),
  );

  app.post<{ Params: { id: number }; Body: { note?: string } | undefined }>(
    '/offers/:id/applications',
    {
      schema: {
        ...doc('Offer applications', 'Apply to an offer that asks for approval, with a note (partners)'),
        params: idParams,
        body: strictBody({ note: { type: 'string', maxLength: 4000 } }),
        response: { 200: applicationSchema, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: await applyToOffer(tx, request.principal, request.params.id, request.body?.note ?? null),
      })),
  );

  app.get<{ Querystring: { status?: 'pending' | 'approved' | 'rejected' | 'blocked'; offerId?: number } }>(
    '/offer-applications',
    {
      schema: {
        ...doc('Offer applications', 'Applications: a partner\'s own; an advertiser\'s or agency\'s to its offers; the network\'s all'),
        querystring: { type: 'object', properties: { status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'blocked'] }, offerId: idSchema } },
        response: { 200: { type: 'array', items: applicationSchema } },
      },
    },
    (request) => listOfferApplications(platform.store, request.principal, request.query),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: number; partnerId: number }; Body: { reason?: string } | undefined }>(
      `/offers/:id/applications/:partnerId/${decision}`,
      {
        schema: {
          ...doc('Offer applications', decision === 'approve' ? 'Approve a partner\'s application' : 'Reject a partner\'s application, with a reason it reads'),
          params: itemParams('partnerId'),
          body: strictBody({ reason: { type: 'string', maxLength: 4000 } }),
          response: { 200: applicationSchema, 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      (request, reply) =>
        sendWrite(platform, request, reply, async (tx) => ({
          statusCode: 200,
          body: await decideOfferApplication(tx, request.principal, request.params.id, request.params.partnerId, decision === 'approve', request.body?.reason ?? null),
        })),
    );
  }
}
