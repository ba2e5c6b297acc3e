import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody } from '../http/schema-types.ts';
import { listNotifications, markNotificationsRead } from '../notifications/notifications.ts';
import type { Platform } from '../platform.ts';

const notification = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    partnerId: { type: ['integer', 'null'] },
    advertiserId: { type: ['integer', 'null'] },
    offerId: { type: ['integer', 'null'] },
    kind: { type: 'string', description: 'postback_parked, offer_stopped, offer_resumed, limit_nearly_reached (80 %) or limit_reached' },
    message: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    readAt: { type: ['string', 'null'], format: 'date-time', description: 'When you marked it read' },
  },
} as const;

export function registerNotificationRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = { tags: ['Notifications'], security: [{ apiKey: [] }] };
  app.get<{ Querystring: { unread?: boolean; before?: string; limit: number } }>(
    '/notifications',
    {
      schema: {
        ...doc,
        summary: 'Messages for your account, newest first, a page at a time',
        description:
          'A partner: its postbacks parked after repeated failure, an offer it sent traffic in the last week stopped, and its own caps on ' +
          'an offer nearly used up or reached. An advertiser ' +
          "(or agency): its offers' daily budgets and caps at 80 % and at 100 %, once per limit and period (checked every minute). " +
          'The network: all. unread=true leaves out those you marked read. A page holds up to `limit`; when older ones remain, the ' +
          'X-Next-Cursor header gives the id to pass as `before` for the next page.',
        querystring: {
          type: 'object',
          properties: {
            unread: { type: 'boolean' },
            before: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'X-Next-Cursor of the page before: only older notifications' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 200 },
          },
        },
        response: { 200: { type: 'array', items: notification } },
      },
    },
    async (request, reply) => {
      const { unread, before, limit } = request.query;
      const page = await listNotifications(platform.store, request.principal, {
        unreadOnly: unread === true,
        before: before === undefined ? undefined : BigInt(before),
        limit,
      });
      if (page.nextCursor !== null) reply.header('x-next-cursor', page.nextCursor);
      return page.notifications;
    },
  );

  app.post<{ Body: { upTo: string } }>(
    '/notifications/read',
    {
      schema: {
        ...doc,
        summary: 'Mark your notifications read, up to and including the newest you have seen',
        description: 'For your user only; what arrived after upTo stays unread. Sending it again changes nothing.',
        body: {
          type: 'object',
          properties: { upTo: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'The id of the newest notification you have seen' } },
          required: ['upTo'],
        },
        response: { 200: { type: 'object', properties: { marked: { type: 'integer' } } }, 400: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: { marked: await markNotificationsRead(tx, request.principal, BigInt(request.body.upTo)) },
      })),
  );
}
