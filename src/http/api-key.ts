import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticate } from '../accounts/api-keys.ts';
import type { Principal } from '../accounts/principal.ts';
import type { Queryable } from '../store/store.ts';
import { sessionCookieOf } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export type KeyCheck = { ok: true; principal: Principal } | { ok: false; reason: string };

export function apiKeyHeader(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  const key = Array.isArray(header) ? header[0] : header;
  return key && key.trim() !== '' ? key.trim() : undefined;
}

export async function checkApiKey(db: Queryable, key: string | undefined): Promise<KeyCheck> {
  if (key === undefined) return { ok: false, reason: 'Missing API key: send it in the X-API-KEY header' };
  const principal = await authenticate(db, key);
  return principal ? { ok: true, principal } : { ok: false, reason: 'Invalid or revoked API key' };
}

/** Whom a request is counted against for rate limits: its key or session (hashed; never kept in clear), else its address. */
export function rateLimitSubject(request: FastifyRequest, key: string | undefined): string {
  const session = key ? undefined : sessionCookieOf(request);
  if (key) return 'key:' + createHash('sha256').update(key).digest('base64url');
  return session ? 'session:' + createHash('sha256').update(session).digest('base64url') : `ip:${request.ip}`;
}

/** A fingerprint of the whole request (method, URL and body): "the same request" for rate limits and idempotency. */
export function requestFingerprint(request: Pick<FastifyRequest, 'method' | 'url' | 'body'>): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}
