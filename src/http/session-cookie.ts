import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StartedSession } from '../accounts/sessions.ts';

/** The portal's session travels in this cookie; scripts use API keys instead. */
export const SESSION_COOKIE = 'partnerline_session';
/** Writes made with the session cookie carry the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';

export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[SESSION_COOKIE];
  return value && value.length <= 100 ? value : undefined;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: StartedSession): void {
  reply.setCookie(SESSION_COOKIE, session.id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    // Behind a TLS-terminating proxy (TRUST_PROXY), the forwarded protocol says https.
    secure: request.protocol === 'https',
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** Reads that change nothing need no CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
