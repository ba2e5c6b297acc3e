import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerFactory } from 'fastify';
import qs from 'qs';
import { hasOffersApi, PARSE_OPTIONS } from '../hasoffers/hasoffers-plugin.ts';
import { partnerlineApi } from '../partnerline-api/partnerline-api.ts';
import { adminApi } from '../admin/admin-api.ts';
import type { Platform } from '../platform.ts';
import { sourceKnowledgeApi } from '../sourceknowledge/sk-plugin.ts';
import { UNKNOWN_SHORT_LINK } from '../tracking-endpoints/click-answer.ts';
import { clickFastPath } from '../tracking-endpoints/click-fast-path.ts';
import { trackingRoutes } from '../tracking-endpoints/tracking-routes.ts';
import { healthRoutes } from './health.ts';
import { portalRoutes } from './portal.ts';
import { sendJsonError } from './json-api.ts';
import { logsEachClick, serializeRequest } from './request-log.ts';
import { validatorCompiler } from './validation.ts';

export interface ServerOptions {
  /** Bearer token of the operator's admin API; the API is off without one. */
  adminToken?: string;
  logger?: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  // PHP-style brackets (fields[]=a, filters[Stat.date][values][]=…) as HasOffers clients send them.
  const parseQuery = (query: string) => qs.parse(query, PARSE_OPTIONS);
  const fastClicks = logsEachClick(platform.config.logLevel)
    ? undefined
    : clickFastPath(platform, parseQuery, (error) => app.log.error({ err: error }, 'a click could not be answered'));
  const { tls } = platform.config;
  // Clicks are answered ahead of the router where they are not logged (see clickFastPath); with a
  // certificate, Partnerline speaks HTTPS itself, TLS 1.3 only.
  const serverFactory: FastifyServerFactory<Server> | undefined =
    (fastClicks || tls) &&
    ((handler, settings) => {
      const listener: RequestListener = fastClicks
        ? (request, response) => {
            if (!fastClicks(request, response)) handler(request, response);
          }
        : handler;
      const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' }, listener) : createServer(listener);
      // What Fastify sets on a server it makes itself, from its settings with their defaults filled in.
      const timing = settings as { keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number; maxRequestsPerSocket: number };
      server.keepAliveTimeout = timing.keepAliveTimeout;
      server.requestTimeout = timing.requestTimeout;
      server.setTimeout(timing.connectionTimeout);
      if (timing.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = timing.maxRequestsPerSocket;
      return server;
    });
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: platform.config.logLevel,
            serializers: { req: serializeRequest },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
          },
    requestIdHeader: 'x-request-id',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: platform.config.trustProxy,
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { querystringParser: parseQuery },
    serverFactory,
    // A path that cannot be decoded (%ZZ) reaches no route: a short link's is unknown, the APIs' is answered in their format.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      if (request.url.startsWith('/t/')) return reply.code(404).type('text/plain').send(UNKNOWN_SHORT_LINK);
      return sendJsonError(reply, 400, error.message);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  await app.register(cookie);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Partnerline APIs: Affiliate Network API v2 (SourceKnowledge compatible) and Partnerline v1',
        version: '2.0.0',
        description:
          '/affiliate/v2: manage advertisers, campaigns, bid factors and control lists, and read campaign statistics ' +
          '(every path is also served under /api/agency/v2). /api/v1: API keys, conversions and their ledger, partner ' +
          'postbacks, tracking links and reports. Tracking (HasOffers): the click, impression and conversion endpoints ' +
          'that tracking links and advertisers call, with no key. Authenticate with your API key in the X-API-KEY header (the web portal ' +
          'at / uses the same API with a session cookie from POST /api/v1/session, and sends its CSRF token in X-CSRF-Token). Limits: 200 ' +
          'requests a minute per key on v2 (1,200 on v1), the same request at most 10 times a minute (HTTP 429 with ' +
          'Retry-After beyond). Creating calls accept an Idempotency-Key header, honoured for 24 hours.\n\n' +
          '**Getting a key.** The server prints the demo accounts\' keys when it starts; `npm run cli -- demo` prints them again. ' +
          'The operator makes a key for any user with `npm run cli -- key create --account USER_ID`. With a key, every account makes, ' +
          'refreshes and revokes its own at /api/v1/keys. Press Authorize and paste it.\n\n' +
          '**HasOffers/TUNE API v3.** Served at /Apiv3/json (and /v3/{Target}.json); its writes honour the same Idempotency-Key ' +
          'header. What it answers is documented at [/doc/hasoffers](/doc/hasoffers).',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY' } } },
    },
    hideUntagged: true,
  });
  const hasOffersDoc = await readFile(new URL('../../docs/hasoffers-api.md', import.meta.url), 'utf8');
  app.get('/doc/hasoffers', { schema: { hide: true } }, (_request, reply) => reply.type('text/markdown; charset=utf-8').send(hasOffersDoc));
  await app.register(swaggerUi, { routePrefix: '/doc/affiliate', uiConfig: { persistAuthorization: true, deepLinking: true } });
  app.get('/doc/affiliate.json', { schema: { hide: true } }, () => app.swagger());

  // Clicks are answered before they are stored, and postbacks sent after the answer: a store that
  // refuses them is seen only in this log.
  platform.onBackgroundError = (task, error, context) => app.log.error({ err: error, ...context }, `${task} failed; it is tried again`);
  platform.onSetAside = (what, row, error) => app.log.error({ err: error, row }, `${what} the store refuses was set aside, not stored`);
  platform.onEmailLogged = (email) => app.log.warn({ email }, `no SMTP_URL is set: the email "${email.subject}" to ${email.to} is written here instead`);
  await app.register(healthRoutes, { platform });
  await app.register(trackingRoutes, { platform });
  await app.register(sourceKnowledgeApi, { prefix: '/affiliate/v2', platform, hideFromDocs: false });
  await app.register(sourceKnowledgeApi, { prefix: '/api/agency/v2', platform, hideFromDocs: true });
  await app.register(partnerlineApi, { prefix: '/api/v1', platform });
  await app.register(hasOffersApi, { platform });
  if (options.adminToken) await app.register(adminApi, { prefix: '/admin/v1', platform, token: options.adminToken });
  await portalRoutes(app);
  return app;
}
