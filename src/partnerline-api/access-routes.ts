import type { FastifyInstance } from 'fastify';
import { decideApiAccess, listApiAccessRequests, requestApiAccess } from '../accounts/api-access.ts';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { listAuditLog } from '../audit/audit-log.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, strictBody } from '../http/schema-types.ts';
import type { Platform } from '../platform.ts';

/** API access requests and the audit log. */

const requestSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    email: { type: 'string' },
    role: { type: 'string' },
    useCase: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
    reason: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    decidedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const auditEntry = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actorUserId: { type: ['integer', 'null'] },
    actorRole: { type: ['string', 'null'] },
    address: { type: ['string', 'null'] },
    action: { type: 'string' },
    entity: { type: 'string' },
    entityId: { type: ['string', 'null'] },
    before: { type: ['object', 'null'], additionalProperties: true },
    after: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export function registerAccessRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ apiKey: [] }] });

  app.post<{ Body: { useCase: string } }>(
    '/api-access-requests',
    {
      schema: {
        ...doc('API access', 'Ask the network for API access, saying what you will use it for'),
        body: strictBody({ useCase: { type: 'string', minLength: 1, maxLength: 4000 } }, { required: ['useCase'] }),
        response: { 201: requestSchema, 400: errorBody, 409: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await requestApiAccess(tx, request.principal, request.body.useCase) })),
  );

  app.get(
    '/api-access-requests',
    { schema: { ...doc('API access', 'Your requests for API access (the network: everyone\'s)'), response: { 200: { type: 'array', items: requestSchema } } } },
    (request) => listApiAccessRequests(platform.store, request.principal),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: number }; Body: { reason?: string } | undefined }>(
      `/api-access-requests/:id/${decision}`,
      {
        schema: {
          ...doc('API access', decision === 'approve' ? 'Grant API access: the user may then make keys' : 'Refuse API access, with a reason'),
          params: idParams,
          body: strictBody({ reason: { type: 'string', maxLength: 2000 } }),
          response: { 200: requestSchema, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      (request, reply) => {
        requireNetworkAdmin(request.principal);
        return sendWrite(platform, request, reply, async (tx) => ({
          statusCode: 200,
          body: await decideApiAccess(tx, request.principal, request.params.id, decision === 'approve', request.body?.reason ?? null),
        }));
      },
    );
  }

  app.get<{ Querystring: { entity?: string; before?: string; limit: number } }>(
    '/audit-log',
    {
      schema: {
        ...doc('Audit log', 'Who changed what, when and from where, with the values before and after: the network all, each account its own'),
        querystring: {
          type: 'object',
          properties: {
            entity: { type: 'string', maxLength: 50, description: 'Only changes to this kind of thing (offers, users, session, ...)' },
            before: { type: 'string', pattern: '^[0-9]{1,18}$', description: 'The nextCursor of the page before' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { entries: { type: 'array', items: auditEntry }, nextCursor: { type: ['string', 'null'] } } } },
      },
    },
    (request) =>
      listAuditLog(platform.store, request.principal, {
        entity: request.query.entity,
        before: request.query.before === undefined ? undefined : BigInt(request.query.before),
        limit: request.query.limit,
      }),
  );
}
