import type { FastifyInstance } from 'fastify';
import { getKey, issueKey, listKeys, revokeKey, rotateKey, type ApiKeyInfo, type IssuedKey } from '../accounts/api-keys.ts';
import { requireApiAccess } from '../accounts/api-access.ts';
import type { Principal } from '../accounts/principal.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, idSchema, strictBody } from '../http/schema-types.ts';
import type { Platform } from '../platform.ts';
import { ForbiddenError } from '../shared/errors.ts';
import type { Queryable } from '../store/store.ts';

/** Self-service API keys: every account makes, refreshes and revokes its own; network admins any. */

const keyInfo = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'The first characters of the key, to tell keys apart' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;
const issuedKey = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    name: { type: 'string' },
    key: { type: 'string', description: 'The key itself: shown in this answer only' },
  },
} as const;

async function ownKey(db: Queryable, principal: Principal, keyId: number): Promise<ApiKeyInfo> {
  const key = await getKey(db, keyId);
  if (principal.role !== 'network_admin' && key.userId !== principal.userId) {
    throw new ForbiddenError(`API key ${keyId} belongs to another account`);
  }
  return key;
}

function shownOnce(issued: IssuedKey) {
  return { ...issued, key: '(shown once, when the key was made)' };
}

export function registerKeyRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string) => ({ tags: ['Account API keys'], summary, security: [{ apiKey: [] }] });

  app.get<{ Querystring: { userId?: number } }>(
    '/keys',
    {
      schema: {
        ...doc('List your API keys (network admins: any user\'s)'),
        querystring: { type: 'object', properties: { userId: idSchema } },
        response: { 200: { type: 'array', items: keyInfo }, 403: errorBody },
      },
    },
    async (request) => {
      const { principal } = request;
      const userId = request.query.userId ?? principal.userId;
      if (userId !== principal.userId && principal.role !== 'network_admin') throw new ForbiddenError('You may list only your own keys');
      return listKeys(platform.store, userId);
    },
  );

  app.post<{ Body: { name: string } }>(
    '/keys',
    {
      schema: {
        ...doc('Make a new API key for your account'),
        body: strictBody({ name: { type: 'string', minLength: 1, maxLength: 100, default: 'default' } }),
        response: { 201: issuedKey, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        await requireApiAccess(tx, request.principal.userId);
        const issued = await issueKey(tx, request.principal.userId, request.body?.name ?? 'default');
        return { statusCode: 201, body: issued, replayBody: shownOnce(issued) };
      }),
  );

  app.post<{ Params: { id: number } }>(
    '/keys/:id/refresh',
    {
      schema: {
        ...doc('Replace a key with a new one; the old one stops working at once'),
        params: idParams,
        response: { 200: issuedKey, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        await ownKey(tx, request.principal, request.params.id);
        const issued = await rotateKey(tx, request.params.id);
        return { statusCode: 200, body: issued, replayBody: shownOnce(issued) };
      }),
  );

  app.delete<{ Params: { id: number } }>(
    '/keys/:id',
    { schema: { ...doc('Revoke a key'), params: idParams, response: { 200: keyInfo, 403: errorBody, 404: errorBody } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        await ownKey(tx, request.principal, request.params.id);
        return { statusCode: 200, body: await revokeKey(tx, request.params.id) };
      }),
  );
}
