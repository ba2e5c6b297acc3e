import type { FastifyInstance } from 'fastify';
import { listNotifications } from '../notifications/notifications.ts';
import type { Platform } from '../platform.ts';

const notification = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    partnerId: { type: ['integer', 'null'] },
    advertiserId: { type: ['integer', 'null'] },
    offerId: { type: ['integer', 'null'] },
    kind: { type: 'string', description: 'postback_parked, limit_nearly_reached (80 %) or limit_reached' },
    message: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerNotificationRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(
    '/notifications',
    {
      schema: {
        tags: ['Notifications'],
        summary: 'Messages for your account, newest first (the latest 200)',
        description:
          'A partner: its postbacks parked after repeated failure, and its own caps on an offer nearly used up or reached. An advertiser ' +
          '(or agency): its offers\' daily budgets and caps at 80 % and at 100 %, once per limit and period (checked every minute). ' +
          'The network: all.',
        security: [{ apiKey: [] }],
        response: { 200: { type: 'array', items: notification } },
      },
    },
    (request) => listNotifications(platform.store, request.principal),
  );
}
