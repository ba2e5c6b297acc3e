import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyHeader, checkApiKey, rateLimitSubject, requestFingerprint } from '../http/api-key.ts';
import { runWrite } from '../http/idempotency.ts';
import type { RateLimitRule } from '../http/rate-limits.ts';
import { describeValidationError } from '../http/validation.ts';
import type { Platform } from '../platform.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Transaction } from '../store/store.ts';
import { SK_FIELD_NAMES } from './sk-input.ts';
import { registerSkRoutes } from './sk-routes.ts';

/** The seed's limits: 200 requests a minute per key, and the same request at most 10 times a minute. */
export const SK_RATE_LIMITS: { perKey: RateLimitRule; identical: RateLimitRule } = {
  perKey: { name: 'sk-key', points: 200, durationSeconds: 60 },
  identical: { name: 'sk-same', points: 10, durationSeconds: 60 },
};
const MAINTENANCE_RETRY_AFTER_SECONDS = 60;

export interface SkPluginOptions {
  platform: Platform;
  /** Mounted a second time under the agency prefix; documented once. */
  hideFromDocs: boolean;
}

function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).type('application/json').send(JSON.stringify({ error: message }));
}

function skErrorStatus(error: FastifyError | Error): { statusCode: number; message: string } {
  if (error instanceof ValidationError) {
    return { statusCode: 400, message: `${SK_FIELD_NAMES[error.field] ?? error.field}: ${error.detail}` };
  }
  if (error instanceof NotFoundError) return { statusCode: 404, message: error.message };
  if (error instanceof ForbiddenError) return { statusCode: 403, message: error.message };
  if (error instanceof ConflictError) return { statusCode: 409, message: error.message };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation?.[0]) {
    return { statusCode: 400, message: describeValidationError(fastifyError.validation[0]) };
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { statusCode: 400, message: 'The request body is not valid JSON' };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { statusCode: status, message: error.message };
  return { statusCode: 500, message: 'Internal server error' };
}

/** Helpers the SK routes share: one place runs writes, with idempotency and one transaction. */
export interface SkContext {
  platform: Platform;
  hide: boolean;
  write(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (tx: Transaction) => Promise<{ statusCode: number; body: unknown }>,
  ): Promise<FastifyReply>;
}

export async function sourceKnowledgeApi(app: FastifyInstance, options: SkPluginOptions): Promise<void> {
  const { platform } = options;

  app.addHook('onRequest', async (request, reply) => {
    if (platform.maintenance) {
      reply.header('Retry-After', String(MAINTENANCE_RETRY_AFTER_SECONDS));
      return sendError(reply, 503, 'Service Unavailable: the platform is under maintenance, retry later');
    }
    const key = apiKeyHeader(request);
    const verdict = await platform.rateLimits.consume(SK_RATE_LIMITS.perKey, rateLimitSubject(request, key));
    if (!verdict.allowed) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendError(reply, 429, 'Too Many Requests');
    }
    const check = await checkApiKey(platform.store, key);
    if (!check.ok) return sendError(reply, 401, check.reason);
    request.principal = check.principal;
  });

  app.addHook('preValidation', async (request, reply) => {
    const subject = `${request.principal.keyId}:${requestFingerprint(request)}`;
    const verdict = await platform.rateLimits.consume(SK_RATE_LIMITS.identical, subject);
    if (!verdict.allowed) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendError(reply, 429, 'Too Many Requests');
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { statusCode, message } = skErrorStatus(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'SourceKnowledge API request failed');
    return sendError(reply, statusCode, message);
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `No endpoint ${request.method} ${request.url.split('?')[0]}`));

  const context: SkContext = {
    platform,
    hide: options.hideFromDocs,
    async write(request, reply, work) {
      const header = request.headers['idempotency-key'];
      const result = await runWrite(
        platform.store,
        {
          principal: request.principal,
          idempotencyKey: Array.isArray(header) ? header[0] : header,
          method: request.method,
          url: request.url,
          body: request.body,
        },
        work,
      );
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(result.statusCode).type('application/json').send(result.body);
    },
  };
  registerSkRoutes(app, context);
}
