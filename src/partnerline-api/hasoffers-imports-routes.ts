import type { FastifyInstance } from 'fastify';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { getImport, IMPORT_KINDS, listImports, type ImportRequest } from '../hasoffers-bridge/hasoffers-import.ts';
import { errorBody, idParams, strictBody } from '../http/schema-types.ts';
import type { Platform } from '../platform.ts';
import { tryHasOffersAccess } from './hasoffers-networks-routes.ts';

/** Bringing a HasOffers network over (network admins): an import runs in the background; its record tells how it went. */

const countsSchema = {
  type: 'object',
  properties: Object.fromEntries(
    IMPORT_KINDS.map((kind) => [kind, { type: 'object', properties: { created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' } } }]),
  ),
} as const;

const importSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    apiUrl: { type: 'string' },
    networkId: { type: 'string' },
    trackingHost: { type: ['string', 'null'] },
    from: { type: ['string', 'null'], format: 'date' },
    to: { type: ['string', 'null'], format: 'date' },
    status: { type: 'string', enum: ['running', 'finished', 'failed'] },
    counts: countsSchema,
    problems: {
      type: 'array',
      description: 'What could not be brought over, and why',
      items: { type: 'object', properties: { kind: { type: 'string', enum: [...IMPORT_KINDS] }, externalId: { type: 'string' }, reason: { type: 'string' } } },
    },
    error: { type: ['string', 'null'], description: 'Why a failed import stopped' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const importFields = {
  apiUrl: { type: 'string', maxLength: 2000, example: 'https://api.hasoffers.com' },
  networkId: { type: 'string', maxLength: 100, example: 'oldnetwork' },
  networkToken: { type: 'string', maxLength: 200, description: 'The network API key; used for this import and not kept' },
  from: { type: 'string', maxLength: 10, example: '2026-11-01', description: 'First day whose conversions and daily clicks come over' },
  to: { type: 'string', maxLength: 10, example: '2026-11-30', description: 'Last such day' },
  timeZone: { type: 'string', maxLength: 64, example: 'America/New_York', description: "The other network's time zone; yours when not given" },
  trackingHost: { type: 'string', maxLength: 255, example: 'track.oldnetwork.com', description: "The other network's tracking domain, once pointed here: its links keep working" },
} as const;

export function registerHasOffersImportRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string, description?: string) => ({ tags: ['HasOffers bridge'], summary, description, security: [{ apiKey: [] }] });

  app.post<{ Body: ImportRequest }>(
    '/hasoffers-imports',
    {
      schema: {
        ...doc(
          'Import a HasOffers network',
          'Reads the network through its API and creates or updates here its advertisers, affiliates (as partners), offers with goals, caps and landing pages, ' +
            'approvals, and for from..to its conversions and daily clicks. Runs in the background: read it with GET /hasoffers-imports/{id}. ' +
            'Running it again updates what changed and duplicates nothing.',
        ),
        body: strictBody(importFields, { required: ['apiUrl', 'networkId', 'networkToken'] }),
        response: { 202: importSchema, 400: errorBody, 403: errorBody, 409: errorBody, 502: errorBody },
      },
    },
    async (request, reply) => {
      requireNetworkAdmin(request.principal);
      await tryHasOffersAccess(request.body);
      return reply.code(202).send(await platform.startImport(request.body));
    },
  );

  app.get('/hasoffers-imports', { schema: { ...doc('The imports run, newest first'), response: { 200: { type: 'array', items: importSchema }, 403: errorBody } } }, (request) => {
    requireNetworkAdmin(request.principal);
    return listImports(platform.store);
  });

  app.get<{ Params: { id: number } }>(
    '/hasoffers-imports/:id',
    { schema: { ...doc('One import: its counts and what it could not bring over'), params: idParams, response: { 200: importSchema, 403: errorBody, 404: errorBody } } },
    (request) => {
      requireNetworkAdmin(request.principal);
      return getImport(platform.store, request.params.id);
    },
  );
}
