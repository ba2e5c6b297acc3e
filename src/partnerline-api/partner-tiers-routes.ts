import type { FastifyInstance } from 'fastify';
import type { Principal } from '../accounts/principal.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, itemParams, strictBody } from '../http/schema-types.ts';
import {
  createTier,
  getTier,
  listTiers,
  removePartnerFromTier,
  removeTier,
  renameTier,
  setPartnerTier,
} from '../partners/partner-tiers.ts';
import type { Platform } from '../platform.ts';
import type { Transaction } from '../store/store.ts';

const tierSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    partnerIds: { type: 'array', items: { type: 'integer' }, description: 'Its partners (shown to the network only)' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const nameBody = strictBody({ name: { type: 'string', minLength: 1, maxLength: 200, example: 'Gold' } }, { required: ['name'] });

export function registerPartnerTierRoutes(app: FastifyInstance, platform: Platform): void {
  const db = platform.store;
  const doc = (summary: string, description?: string) => ({ tags: ['Partner tiers'], summary, description, security: [{ apiKey: [] }] });

  app.get(
    '/partner-tiers',
    {
      schema: {
        ...doc(
          'Partner tiers (the network, with their partners; advertisers and agencies read their names to pay one)',
          'A tier groups partners who share custom terms on offers: see PUT /offers/{id}/partner-payouts and ' +
            '/offers/{id}/partner-revenues with `tierId`.',
        ),
        response: { 200: { type: 'array', items: tierSchema }, 403: errorBody },
      },
    },
    (request) => listTiers(db, request.principal),
  );

  app.post<{ Body: { name: string } }>(
    '/partner-tiers',
    {
      schema: {
        ...doc('Add a partner tier (network admins)', 'Names are unique in any case (409 otherwise); send an Idempotency-Key to retry safely.'),
        body: nameBody,
        response: { 201: tierSchema, 400: errorBody, 403: errorBody, 409: errorBody },
      },
    },
    (request, reply) => sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await createTier(tx, request.principal, request.body.name) })),
  );

  app.get<{ Params: { id: number } }>(
    '/partner-tiers/:id',
    { schema: { ...doc('One partner tier'), params: idParams, response: { 200: tierSchema, 403: errorBody, 404: errorBody } } },
    (request) => getTier(db, request.principal, request.params.id),
  );

  app.patch<{ Params: { id: number }; Body: { name: string } }>(
    '/partner-tiers/:id',
    {
      schema: {
        ...doc('Rename a partner tier (network admins)'),
        params: idParams,
        body: nameBody,
        response: { 200: tierSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await renameTier(tx, request.principal, request.params.id, request.body.name) })),
  );

  app.delete<{ Params: { id: number } }>(
    '/partner-tiers/:id',
    {
      schema: {
        ...doc(
          'Remove a partner tier and the payouts and revenues that name it (network admins)',
          'A tier that still has partners is refused with 409: move them out first, so that nobody\'s pay changes unseen.',
        ),
        params: idParams,
        response: { 200: tierSchema, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) => sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await removeTier(tx, request.principal, request.params.id) })),
  );

  /** Membership changes answer the tier as it then is, and are safe to retry. */
  const membership = (
    method: 'PUT' | 'DELETE',
    summary: string,
    description: string,
    change: (tx: Transaction, principal: Principal, tierId: number, partnerId: number) => Promise<void>,
  ) =>
    app.route<{ Params: { id: number; partnerId: number } }>({
      method,
      url: '/partner-tiers/:id/partners/:partnerId',
      schema: { ...doc(summary, `${description} Safe to retry.`), params: itemParams('partnerId'), response: { 200: tierSchema, 403: errorBody, 404: errorBody } },
      handler: (request, reply) =>
        sendWrite(platform, request, reply, async (tx) => {
          await change(tx, request.principal, request.params.id, request.params.partnerId);
          return { statusCode: 200, body: await getTier(tx, request.principal, request.params.id) };
        }),
    });
  membership(
    'PUT',
    'Put a partner in a tier (network admins)',
    "A partner is in one tier at most: one in another tier moves. Its next clicks and conversions are priced by the tier's " +
      'payouts and revenues where it has none of its own; conversions already recorded keep their amounts.',
    (tx, principal, tierId, partnerId) => setPartnerTier(tx, principal, partnerId, tierId),
  );
  membership(
    'DELETE',
    'Take a partner out of a tier (network admins)',
    "The offers' own payouts and revenues apply to it again, where it has none of its own.",
    removePartnerFromTier,
  );
}
