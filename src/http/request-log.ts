import type { FastifyRequest } from 'fastify';

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
