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
 * How requests that come constantly and are recorded elsewhere are logged: clicks, impressions and
 * conversion postbacks (by the thousand a second, each leaving its outcome in the store: a click, a
 * conversion, or a refusal among the conversion attempts) and health probes (every few seconds, from
 * the load balancer). At the default level only their warnings and errors are logged: a line per
 * click would cost more than deciding it, and a line per postback a tenth of the conversions a
 * second on the embedded store. At debug and trace they are logged like any request.
 */
export function quietLogLevel(level: LogLevel): LogLevel {
  return level === 'info' ? 'warn' : level;
}

/** Whether clicks and impressions are logged line by line: at debug and trace only. */
export const logsEachClick = (level: LogLevel) => level === 'debug' || level === 'trace';
