import type { FastifyRequest } from 'fastify';
import type { LogLevel } from '../config.ts';

/** Credentials that may ride in a query string (HasOffers API keys, postback tokens). */
const SECRET_QUERY_PARAMS = /([?&](?:api_key|NetworkToken|security_token|token)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

/** What a log line tells of a request: never its headers, which carry keys. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    remoteAddress: request.ip,
  };
}

/**
 * How the requests of clicks and impressions are logged. They come by the thousand a second, and
 * each is already a row in the store with its outcome, so at the default level only their warnings
 * and errors are logged: a line per click would cost more than deciding it. At debug and trace
 * they are logged like any request.
 */
export function trafficLogLevel(level: LogLevel): LogLevel {
  return level === 'info' ? 'warn' : level;
}
