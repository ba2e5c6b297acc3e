import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody } from '../http/schema-types.ts';
import { getNetwork, networkSettings, updateNetwork, type NetworkChanges } from '../network/network.ts';
import type { Platform } from '../platform.ts';

const settings = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    timeZone: { type: 'string', description: 'IANA zone: reports, caps and budgets count by its local days' },
    currency: { type: 'string', description: 'ISO 4217: the currency of offers made from now on' },
    fallbackUrl: { type: ['string', 'null'], description: 'Where a refused click goes when its offer has no fallback URL (network only)' },
    cpcPartnerSharePercent: { type: 'number', description: "The partner's share of a CPC bid where an offer sets no CPC payout (network only)" },
    maintenance: { type: 'boolean', description: 'Whether the APIs answer 503 (network only)' },
  },
} as const;

export function registerNetworkRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string, description: string) => ({ tags: ['Network'], summary, description, security: [{ apiKey: [] }] });

  app.get(
    '/network',
    {
      schema: {
        ...doc('The network: its name, time zone and currency', 'Every account may read these; the network also sees its fallback URL, CPC share and maintenance switch.'),
        response: { 200: settings },
      },
    },
    async (request) => networkSettings(await getNetwork(platform.store), request.principal),
  );

  app.patch<{ Body: NetworkChanges }>(
    '/network',
    {
      schema: {
        ...doc(
          'Change the network\'s settings (network admins)',
          'Only the fields given change. A new time zone moves the local days of every report, cap and budget, and rebuilds the daily ' +
            'statistics in the same transaction (minutes on a network of millions of clicks). A new currency applies to offers made from ' +
            'now on. The click path uses the new fallback URL and zone before this answers.',
        ),
        body: {
          type: 'object',
          minProperties: 1,
          // A misspelt setting is refused rather than dropped: the caller would think it changed.
          propertyNames: { enum: ['name', 'timeZone', 'currency', 'fallbackUrl', 'cpcPartnerSharePercent'] },
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            timeZone: { type: 'string', minLength: 1, maxLength: 64, example: 'America/New_York' },
            currency: { type: 'string', minLength: 3, maxLength: 3, example: 'EUR' },
            fallbackUrl: { type: ['string', 'null'], maxLength: 2048 },
            cpcPartnerSharePercent: { type: ['number', 'string'], example: 70 },
          },
        },
        response: { 200: settings, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: networkSettings(await updateNetwork(tx, request.principal, request.body), request.principal),
      })),
  );
}
