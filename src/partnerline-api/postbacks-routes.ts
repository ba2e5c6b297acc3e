import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, nullableIdSchema, strictBody } from '../http/schema-types.ts';
import type { Platform } from '../platform.ts';
import type { PostbackOperation } from '../postbacks/postback-macros.ts';
import {
  createPostback,
  deletePostback,
  DELIVERY_STATUSES,
  listDeliveries,
  listPostbacks,
  POSTBACK_OPERATIONS,
  replayDelivery,
  type DeliveryStatus,
  type PostbackChanges,
  type PostbackInput,
  updatePostback,
} from '../postbacks/postbacks.ts';
import { ForbiddenError, ValidationError } from '../shared/errors.ts';
import { testPostback } from '../postbacks/postback-test.ts';
import { shortLinkFor } from '../tracking/short-links.ts';
import { requireOfferInScope } from '../offers/offers.ts';

const postback = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    partnerId: { type: 'integer' },
    offerId: { type: ['integer', 'null'] },
    goalId: { type: ['integer', 'null'] },
    type: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    url: { type: 'string' },
    signed: { type: 'boolean' },
    status: { type: 'string' },
    consecutiveFailures: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerPostbackRoutes(app: FastifyInstance, platform: Platform): void {
  const db = platform.store;
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ apiKey: [] }] });

  app.get<{ Querystring: { partnerId?: number } }>(
    '/postbacks',
    {
      schema: {
        ...doc('Partner postbacks', 'List postbacks (a partner its own, the network any)'),
        querystring: { type: 'object', properties: { partnerId: idSchema } },
        response: { 200: { type: 'array', items: postback } },
      },
    },
    (request) => listPostbacks(db, request.principal, request.query.partnerId),
  );

  app.post<{ Body: PostbackInput }>(
    '/postbacks',
    {
      schema: {
        ...doc(
          'Partner postbacks',
          'Register a postback URL or image pixel, for all offers or one offer and goal. Macros: {transaction_id} {aff_sub}..{aff_sub5} ' +
            '{source} {payout} {sale_amount} {currency} {offer_id} {goal_id} {adv_sub} {conversion_id} {seq} {conversion_status} {postback_operation} {status} {datetime} and more',
        ),
        body: {
          type: 'object',
          properties: {
            partnerId: idSchema,
            offerId: nullableIdSchema,
            goalId: nullableIdSchema,
            type: { type: 'string', enum: ['url', 'image'], default: 'url' },
            events: { type: 'array', items: { type: 'string', enum: ['create', 'update', 'reject'] }, minItems: 1 },
            url: { type: 'string', minLength: 1, maxLength: 4096 },
            secret: { type: ['string', 'null'], minLength: 16, maxLength: 256, description: 'Signs deliveries (X-Partnerline-Signature: t=…,v1=HMAC-SHA256 of "t.url")' },
          },
          required: ['url'],
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await createPostback(tx, request.principal, request.body, { allowPrivateDestinations: platform.config.postbackAllowPrivate }) })),
  );

  app.patch<{ Params: { id: number }; Body: PostbackChanges }>(
    '/postbacks/:id',
    {
      schema: {
        ...doc('Partner postbacks', 'Change a postback (its URL, offer, goal, events, signing secret): for the conversions to come; deliveries already queued keep their URL'),
        params: idParams,
        body: strictBody(
          {
            offerId: nullableIdSchema,
            goalId: nullableIdSchema,
            type: { type: 'string', enum: ['url', 'image'] },
            events: { type: 'array', items: { type: 'string', enum: ['create', 'update', 'reject'] }, minItems: 1 },
            url: { type: 'string', minLength: 1, maxLength: 4096 },
            secret: { type: ['string', 'null'], minLength: 16, maxLength: 256 },
          },
          { minProperties: 1 },
        ),
        response: { 200: postback, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: await updatePostback(tx, request.principal, request.params.id, request.body, { allowPrivateDestinations: platform.config.postbackAllowPrivate }),
      })),
  );

  app.delete<{ Params: { id: number } }>(
    '/postbacks/:id',
    { schema: { ...doc('Partner postbacks', 'Remove a postback'), params: idParams, response: { 403: errorBody, 404: errorBody } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await deletePostback(tx, request.principal, request.params.id) })),
  );

  app.post<{ Params: { id: number }; Body: { operation?: PostbackOperation } | undefined }>(
    '/postbacks/:id/test',
    {
      schema: {
        ...doc(
          'Partner postbacks',
          'Call a postback once with a sample conversion (transaction id test…, payout 1.00 on a sale of 10.00) and answer what its ' +
            'endpoint said; nothing is stored or queued, and a failure does not count toward parking the postback',
        ),
        params: idParams,
        body: { type: ['object', 'null'], properties: { operation: { type: 'string', enum: [...POSTBACK_OPERATIONS], default: 'create' } } },
        response: { 403: errorBody, 404: errorBody },
      },
    },
    (request) => testPostback(db, request.principal, request.params.id, request.body?.operation ?? 'create', platform.deliveries.options),
  );

  app.get<{ Params: { id: number }; Querystring: { status?: DeliveryStatus } }>(
    '/postbacks/:id/deliveries',
    {
      schema: {
        ...doc('Partner postbacks', 'Deliveries of a postback, newest first (the latest 500), with their attempts of the last LOG_RETENTION_DAYS (90 by default)'),
        params: idParams,
        querystring: { type: 'object', properties: { status: { type: 'string', enum: [...DELIVERY_STATUSES], description: 'Only deliveries in this status' } } },
        response: { 403: errorBody, 404: errorBody },
      },
    },
    async (request) =>
      (await listDeliveries(db, request.principal, request.params.id, request.query.status)).map((delivery) => ({
        ...delivery,
        id: String(delivery.id),
        conversionId: String(delivery.conversionId),
      })),
  );

  app.post<{ Params: { id: string } }>(
    '/deliveries/:id/replay',
    {
      schema: {
        ...doc('Partner postbacks', 'Send a delivery again; on a parked endpoint this wakes it and queues its parked deliveries'),
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } }, required: ['id'] },
        response: { 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: { requeued: await replayDelivery(tx, request.principal, BigInt(request.params.id)) },
      })),
  );

  app.post<{ Body: { offerId: number; partnerId?: number; params?: Record<string, string> } }>(
    '/tracking-links',
    {
      schema: {
        ...doc('Tracking links', 'A tracking link, long and short, for a partner on an offer'),
        body: {
          type: 'object',
          properties: {
            offerId: idSchema,
            partnerId: idSchema,
            params: { type: 'object', additionalProperties: { type: 'string', maxLength: 255 }, maxProperties: 20 },
          },
          required: ['offerId'],
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { principal } = request;
        const partnerId = principal.role === 'partner' ? principal.partnerId! : request.body.partnerId;
        if (principal.role === 'partner' && request.body.partnerId !== undefined && request.body.partnerId !== principal.partnerId) {
          throw new ForbiddenError('You may make links only for yourself');
        }
        if (partnerId === undefined) throw new ValidationError('partnerId', 'is required');
        await requireOfferInScope(tx, principal, request.body.offerId);
        const params = request.body.params ?? {};
        for (const name of Object.keys(params)) {
          if (['offer_id', 'aff_id', 'affiliate_id'].includes(name)) throw new ValidationError(`params.${name}`, 'is set by the link itself');
        }
        const link = await shortLinkFor(tx, request.body.offerId, partnerId, params);
        const base = `${request.protocol}://${request.host}`;
        const query = new URLSearchParams({ offer_id: String(link.offerId), aff_id: String(link.partnerId), ...link.params });
        return { statusCode: 200, body: { url: `${base}/aff_c?${query}`, shortUrl: `${base}/t/${link.code}`, code: link.code } };
      }),
  );
}

