import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import qs from 'qs';
import { authenticate } from '../accounts/api-keys.ts';
import type { Principal } from '../accounts/principal.ts';
import { rateLimitSubject, requestFingerprint } from '../http/api-key.ts';
import { idempotencyKeyOf, runWrite } from '../http/idempotency.ts';
import { inputProblem } from '../http/input-checks.ts';
import type { RateLimitRule } from '../http/rate-limits.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { ConflictError, ValidationError } from '../shared/errors.ts';
import { isDataException, sqlState } from '../store/store.ts';
import { failure, HasOffersError, preDispatchFailure, requestEcho, success, type Params } from './envelope.ts';
import { apiOf, methodOf, targetExists, type Api, type MethodContext, type Write } from './methods.ts';
import { param } from './values.ts';

/** HasOffers' limit: 50 calls per 10 seconds; beyond it, status -1 with their message (not a 429). */
export const HASOFFERS_RATE_LIMIT: RateLimitRule = { name: 'hasoffers', points: 50, durationSeconds: 10 };

export const PARSE_OPTIONS = { depth: 10, arrayLimit: 10_000, parameterLimit: 10_000, allowDots: false } as const;

const ROLES: Record<Api, Principal['role'][]> = {
  network: ['network_admin'],
  affiliate: ['partner'],
  advertiser: ['advertiser', 'agency'],
};

function rateLimitMessage(used: number): string {
  return `API usage exceeded rate limit.  Configured: 50/10s window; Your usage: ${used}.  See https://help.tune.com/hasoffers/rate-limit-error/ for guidance.`;
}

/**
 * How long a create sent again without an Idempotency-Key, the same call byte for byte, answers
 * the record the first one made: a client's retries come within it. An identical second record on
 * purpose takes a key of its own, or a wait.
 */
const PLAIN_RETRY_WINDOW = '10 minutes';

/**
 * Runs a method that writes in one transaction. A client that sends an Idempotency-Key header gets
 * what the JSON APIs give: a retry answers the first call's data and changes nothing. HasOffers
 * clients send none, so a method that makes a record is keyed by the call itself for a while;
 * other writes set values and are the same when repeated, and Conversion::create knows its own
 * retries.
 */
async function runWriteMethod(method: Write, context: MethodContext, request: FastifyRequest): Promise<{ data: unknown; replayed: boolean }> {
  await method.prepare?.(context);
  const given = idempotencyKeyOf(request.headers);
  const plainRetry = given === undefined && method.makesRecord === true;
  const result = await runWrite(
    context.platform.store,
    {
      principal: context.principal,
      idempotencyKey: plainRetry ? `hasoffers-create:${requestFingerprint(request)}` : given,
      keyLifetime: plainRetry ? PLAIN_RETRY_WINDOW : undefined,
      method: request.method,
      url: request.url,
      body: request.body,
      address: request.ip,
    },
    async (tx) => ({ statusCode: 200, body: await method.write({ ...context, db: tx }) }),
  );
  if (!result.replayed) await context.platform.afterWrite();
  return { data: JSON.parse(result.body), replayed: result.replayed };
}

/** The HasOffers/TUNE API v3 in all four URL forms, GET or form POST, JSON out. */
export async function hasOffersApi(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, qs.parse(body as string, PARSE_OPTIONS));
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply, pathTarget: string | undefined, version: string) => {
    reply.header('access-control-allow-origin', '*').header('access-control-allow-headers', 'X-Requested-With').type('application/json');
    const params: Params = {
      ...((request.query as Params) ?? {}),
      ...(request.body && typeof request.body === 'object' ? (request.body as Params) : {}),
    };
    // JSONP, for the old browser clients that still ask for it.
    const callback = param(params, 'callback');
    if (callback !== undefined && /^[A-Za-z_$][\w$.]{0,100}$/.test(callback)) {
      reply.type('application/javascript').serializer((payload: unknown) => `${callback}(${JSON.stringify(payload)});`);
    }
    const networkId = param(params, 'NetworkId');
    if (networkId !== undefined && networkId !== platform.config.hasOffersNetworkId) {
      return reply.send(preDispatchFailure('Network id is not valid', true));
    }
    const target = pathTarget ?? param(params, 'Target') ?? '';
    const method = param(params, 'Method') ?? '';
    const echo = requestEcho(target, method, params, version);
    const fail = (error: HasOffersError) => reply.send(failure(echo, error));
    if (platform.maintenance) {
      reply.header('retry-after', '60');
      return fail(new HasOffersError('The API is down for maintenance. Please retry later.'));
    }
    if (!target) return fail(new HasOffersError('Missing required argument: Target'));
    if (!method) return fail(new HasOffersError('Missing required argument: Method'));
    if (!targetExists(target)) return fail(new HasOffersError(`Target '${target}' does not exist`));
    const handler = methodOf(target, method);
    if (!handler) return fail(new HasOffersError(`Method '${method}' does not exist on target '${target}'`));

    const api = apiOf(target);
    const credentialName = api === 'network' ? 'NetworkToken' : 'api_key';
    const key = param(params, credentialName) ?? '';
    const verdict = await platform.rateLimits.consume(HASOFFERS_RATE_LIMIT, rateLimitSubject(request, key || undefined));
    if (!verdict.allowed) return fail(new HasOffersError(rateLimitMessage(verdict.used)));
    const principal = key ? await authenticate(platform.store, key) : undefined;
    if (!principal || !ROLES[api].includes(principal.role)) return fail(new HasOffersError(`${credentialName} ${key} is not authenticated`));
    const problem = inputProblem(params);
    if (problem) return fail(new HasOffersError(problem));

    try {
      const { timeZone } = await getNetwork(platform.store);
      const context: MethodContext = { platform, principal, params, timeZone, trackingBase: `${request.protocol}://${request.host}`, db: platform.store };
      if (typeof handler === 'function') return reply.send(success(echo, await handler(context)));
      const written = await runWriteMethod(handler, context, request);
      if (written.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.send(success(echo, written.data));
    } catch (error) {
      if (error instanceof HasOffersError) return fail(error);
      if (error instanceof ValidationError || error instanceof ConflictError) return fail(new HasOffersError(error.message));
      // The store's own words name its tables and columns: the caller is told what it can mend.
      if (isDataException(error)) {
        const what = sqlState(error) === '2201B' ? 'invalid regular expression' : 'a parameter is out of range or not of its type';
        return fail(new HasOffersError(`Invalid value: ${what}`));
      }
      request.log.error({ err: error }, 'HasOffers API call failed');
      const trackable = `SE-${request.id.replace(/[^a-f0-9]/gi, '').slice(0, 13)}`;
      return fail(new HasOffersError(`There was a database error with the trackable id [${trackable}]. Contact support for more assistance.`));
    }
  };

  const hidden = { schema: { hide: true } };
  // HasOffers writes through GET too: a HEAD, which must change nothing, runs no method.
  const getOnly = { ...hidden, exposeHeadRoute: false };
  const headOnly = (path: string) => app.head(path, hidden, (_request, reply) => reply.type('application/json').send());
  for (const path of ['/Apiv3/json', '/Api', '/Api/json']) {
    app.get(path, getOnly, (request, reply) => handle(request, reply, undefined, '2'));
    headOnly(path);
    app.post(path, hidden, (request, reply) => handle(request, reply, undefined, '2'));
  }
  app.get<{ Params: { format: string } }>('/Apiv3/:format', hidden, (_request, reply) =>
    reply.type('application/json').send(preDispatchFailure('Unsupported output format in URL')),
  );
  app.post<{ Params: { format: string } }>('/Apiv3/:format', hidden, (_request, reply) =>
    reply.type('application/json').send(preDispatchFailure('Unsupported output format in URL')),
  );
  const byPath = (request: FastifyRequest<{ Params: { target: string } }>, reply: FastifyReply) => {
    const match = /^(\w+)\.(\w+)$/.exec(request.params.target);
    if (!match || match[2] !== 'json') return reply.type('application/json').send(preDispatchFailure('Unsupported output format in URL'));
    return handle(request, reply, match[1], '3');
  };
  app.get<{ Params: { target: string } }>('/v3/:target', getOnly, byPath);
  headOnly('/v3/:target');
  app.post<{ Params: { target: string } }>('/v3/:target', hidden, byPath);
}
