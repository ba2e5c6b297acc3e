import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.ts';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, ValidationError } from '../shared/errors.ts';
import type { Transaction } from '../store/store.ts';
import { findSession, type SessionPrincipal } from '../accounts/sessions.ts';
import { apiKeyHeader, checkApiKey, rateLimitSubject, requestFingerprint } from './api-key.ts';
import { CSRF_HEADER, isSafeMethod, sessionCookieOf } from './session-cookie.ts';
import { idempotencyKeyOf, runWrite, type WorkResult } from './idempotency.ts';
import { inputProblem } from './input-checks.ts';
import type { RateLimitRule } from './rate-limits.ts';
import { describeValidationError } from './validation.ts';

/**
 * The conventions of Partnerline's key-authenticated JSON APIs (the SK v2 API and the account
 * API): maintenance answers 503, limits answer 429, keys are checked, and every error is
 * `{"error": "..."}` with the status that fits.
 */
export interface JsonApiOptions {
  platform: Platform;
  limits: { perKey: RateLimitRule; identical: RateLimitRule };
  /** Core field and entity names as this API's clients know them, for error messages. */
  fieldNames?: Record<string, string>;
}

const MAINTENANCE_RETRY_AFTER_SECONDS = 60;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered without a key or session: signing in, applying as a partner, the links in emails. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The portal session a request came with, when it came with one rather than a key. */
    session?: SessionPrincipal;
  }
}

export function sendJsonError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).type('application/json').send(JSON.stringify({ error: message }));
}

/** A core field's name as the API writes it; of a nested one (`steps[1].payoutFlatMicros`), its last part. */
const apiField = (field: string, fieldNames: Record<string, string>) =>
  fieldNames[field] ?? field.replace(/(?<=\.)\w+$/, (name) => fieldNames[name] ?? name);

function errorStatus(error: FastifyError | Error, fieldNames: Record<string, string>): { statusCode: number; message: string } {
  if (error instanceof ValidationError) {
    return { statusCode: 400, message: `${apiField(error.field, fieldNames)}: ${error.detail}` };
  }
  if (error instanceof NotFoundError) return { statusCode: 404, message: error.inWords(fieldNames) };
  if (error instanceof ForbiddenError) return { statusCode: 403, message: error.message };
  if (error instanceof ConflictError) return { statusCode: 409, message: error.message };
  if (error instanceof UpstreamError) return { statusCode: 502, message: error.message };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation?.[0]) return { statusCode: 400, message: describeValidationError(fastifyError.validation[0]) };
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { statusCode: 400, message: 'The request body is not valid JSON' };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { statusCode: status, message: error.message };
  return { statusCode: 500, message: 'Internal server error' };
}

export function useJsonApiConventions(app: FastifyInstance, options: JsonApiOptions): void {
  const { platform, limits } = options;
  const fieldNames = options.fieldNames ?? {};

  app.addHook('onRequest', async (request, reply) => {
    if (platform.maintenance) {
      reply.header('Retry-After', String(MAINTENANCE_RETRY_AFTER_SECONDS));
      return sendJsonError(reply, 503, 'Service Unavailable: the platform is under maintenance, retry later');
    }
    const key = apiKeyHeader(request);
    const verdict = await platform.rateLimits.consume(limits.perKey, rateLimitSubject(request, key));
    if (!verdict.allowed) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendJsonError(reply, 429, 'Too Many Requests');
    }
    if (request.routeOptions.config.public) return;
    const session = key === undefined ? sessionCookieOf(request) : undefined;
    if (session !== undefined) {
      const principal = await findSession(platform.store, session);
      if (!principal) return sendJsonError(reply, 401, 'Your session has ended: sign in again');
      if (!isSafeMethod(request.method) && request.headers[CSRF_HEADER] !== principal.csrfToken) {
        return sendJsonError(reply, 403, `A change made with the session cookie must carry the session's CSRF token in the ${CSRF_HEADER} header`);
      }
      request.principal = principal;
      request.session = principal;
      return;
    }
    const check = await checkApiKey(platform.store, key);
    if (!check.ok) return sendJsonError(reply, 401, check.reason);
    request.principal = check.principal;
  });

  app.addHook('preValidation', async (request, reply) => {
    const problem = inputProblem(request.body) ?? inputProblem(request.query) ?? inputProblem(request.params);
    if (problem) return sendJsonError(reply, 400, problem);
    // A person reloading a page asks the same reads again; the per-key limit still holds.
    if (request.session && isSafeMethod(request.method)) return;
    const subject = `${rateLimitSubject(request, apiKeyHeader(request))}:${requestFingerprint(request)}`;
    const verdict = await platform.rateLimits.consume(limits.identical, subject);
    if (!verdict.allowed) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendJsonError(reply, 429, 'Too Many Requests');
    }
  });

  // Ajv coerces an overlong number in a query string ("1e400") to Infinity and lets it through.
  app.addHook('preHandler', async (request, reply) => {
    for (const part of [request.query, request.params] as Array<Record<string, unknown> | undefined>) {
      for (const [name, value] of Object.entries(part ?? {})) {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          return sendJsonError(reply, 400, `${name}: must be a finite number`);
        }
      }
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { statusCode, message } = errorStatus(error, fieldNames);
    if (statusCode >= 500) request.log.error({ err: error }, 'API request failed');
    return sendJsonError(reply, statusCode, message);
  });

  app.setNotFoundHandler((request, reply) => sendJsonError(reply, 404, `No endpoint ${request.method} ${request.url.split('?')[0]}`));
}

/** Runs a write in one transaction, honouring an Idempotency-Key header, and sends its response. */
export async function sendWrite(
  platform: Platform,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Transaction) => Promise<WorkResult>,
): Promise<FastifyReply> {
  const result = await runWrite(
    platform.store,
    {
      principal: request.principal,
      idempotencyKey: idempotencyKeyOf(request.headers),
      method: request.method,
      url: request.url,
      body: request.body,
      address: request.ip,
    },
    work,
  );
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  else await platform.afterWrite();
  return reply.code(result.statusCode).type('application/json').send(result.body);
}
