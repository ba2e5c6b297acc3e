import type { FastifyInstance } from 'fastify';
import { errorBody } from '../http/schema-types.ts';
import type { Platform } from '../platform.ts';
import { lookUpClick } from '../tracking/click-lookup.ts';

export function registerClickRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Params: { transactionId: string } }>(
    '/clicks/:transactionId',
    {
      schema: {
        tags: ['Tracking links'],
        summary: 'A click by its transaction id: what became of it (counted, bot, or why it was refused), where it went, and its conversions',
        description:
          'The partner it names, the advertiser of its offer (or agency) and the network may look. Cost is hidden from partners, and the ' +
          "visitor's IP address shown only to the network.",
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { transactionId: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['transactionId'] },
        response: { 403: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const { transactionId } = request.params;
      // A click answered a moment ago may still wait in memory for its batch.
      await platform.tracker.writer.ensureWritten(transactionId);
      return lookUpClick(platform.store, request.principal, transactionId);
    },
  );
}
