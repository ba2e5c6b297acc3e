import type { FastifyInstance } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, strictBody } from '../http/schema-types.ts';
import { getNetwork, MAX_CLICK_LIMIT, MAX_SECONDS_TO_CONVERSION, networkSettings, updateNetwork, type NetworkChanges } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { MAX_BLOCKED_IPS } from '../traffic-control/ip-rules.ts';
import { MAX_BLOCKED_REFERRERS } from '../traffic-control/referrer-rules.ts';

const settings = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    timeZone: { type: 'string', description: 'IANA zone: reports, caps and budgets count by its local days' },
    currency: { type: 'string', description: 'ISO 4217: the currency of offers made from now on' },
    fallbackUrl: { type: ['string', 'null'], description: 'Where a refused click goes when its offer has no fallback URL (network only)' },
    cpcPartnerSharePercent: { type: 'number', description: "The partner's share of a CPC bid where an offer sets no CPC payout (network only)" },
    maintenance: { type: 'boolean', description: 'Whether the APIs answer 503 (network only)' },
    blockedIps: { type: 'array', items: { type: 'string' }, description: 'Addresses and CIDR ranges whose clicks and impressions are refused (network only)' },
    blockedReferrers: { type: 'array', items: { type: 'string' }, description: 'Host names (and their subdomains) whose pages may not send clicks or impressions (network only)' },
    clickLimitPerIpPerHour: { type: 'integer', description: 'Counted clicks one address (an IPv6 /64) may make in a clock hour; 0: no limit (network only)' },
    minSecondsToConversion: { type: 'integer', description: 'A conversion sooner than this after its click is recorded rejected, for review; 0: no minimum (network only)' },
    reviewBotConversions: { type: 'boolean', description: 'Whether a conversion on a click judged a bot is recorded rejected, for review (network only)' },
  },
} as const;

/** What a change may set: every setting but the maintenance switch, which has its own command. */
const changes = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  timeZone: { type: 'string', minLength: 1, maxLength: 64, example: 'America/New_York' },
  currency: { type: 'string', minLength: 3, maxLength: 3, example: 'EUR' },
  fallbackUrl: { type: ['string', 'null'], maxLength: 2048 },
  cpcPartnerSharePercent: { type: ['number', 'string'], example: 70 },
  blockedIps: { type: 'array', maxItems: MAX_BLOCKED_IPS, items: { type: 'string', maxLength: 64 }, example: ['203.0.113.0/24', '2001:db8::/32'] },
  blockedReferrers: { type: 'array', maxItems: MAX_BLOCKED_REFERRERS, items: { type: 'string', maxLength: 253 }, example: ['spam.example'] },
  clickLimitPerIpPerHour: { type: 'integer', minimum: 0, maximum: MAX_CLICK_LIMIT, example: 30 },
  minSecondsToConversion: { type: 'integer', minimum: 0, maximum: MAX_SECONDS_TO_CONVERSION, example: 10 },
  reviewBotConversions: { type: 'boolean', example: true },
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
            'now on. `blockedIps` replaces the whole list: a click or impression from a listed address or range is refused (outcome ' +
            '`ip_blocked`, sent to the fallback URL); so is one whose page (Referer) is on a host of `blockedReferrers` or under one ' +
            '(`referrer_blocked`). Beyond `clickLimitPerIpPerHour` counted clicks from one address (an IPv6 /64) in a clock ' +
            'hour, its further clicks that hour are refused (`ip_click_limit`); processes sharing REDIS_URL count together. A conversion made sooner than ' +
            '`minSecondsToConversion` after its click is recorded rejected with status code 99 and why, for an advertiser or the network to ' +
            'approve if it was honest (corrections are exempt). So is a conversion on a click judged a bot, with status code 89, while ' +
            '`reviewBotConversions` is on (the default). The click path uses the change before this answers.',
        ),
        body: strictBody(changes, { minProperties: 1 }),
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
