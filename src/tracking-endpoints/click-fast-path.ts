import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Platform } from '../platform.ts';
import { answerClick, shortLinkQuery, UNKNOWN_SHORT_LINK, type TrafficRequest } from './click-answer.ts';
import type { Query } from './tracking-params.ts';

const CLICK_PATH = '/aff_c';

/** Who may tell the visitor's address and protocol (TRUST_PROXY), read as Fastify reads it. */
function trustFunction(trustProxy: boolean | string): ((address: string, hop: number) => boolean) | undefined {
  if (trustProxy === false) return undefined;
  if (trustProxy === true) return () => true;
  return proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
}

/** The last value of a header a proxy may have set more than once. */
const lastEntry = (header: string) => header.slice(header.lastIndexOf(',') + 1).trim();

/** A short link's path whose code the router would pass on as written: one segment, no escapes. */
const SHORT_LINK_PATH = /^\/t\/([^/%]+)$/;

/**
 * GET and HEAD of clicks (/aff_c, and short links /t/{code}) answered ahead of Fastify's router, the
 * same way its routes answer them (answerClick). Fastify's own work on a request (routing, its
 * request and reply objects, a child logger, the request id) is a good part of a click's time on the
 * HTTP thread: in back-to-back runs of the benchmark's clicks, 37–42 µs a click here against 42–51 µs
 * through the router, and 9–16 % more clicks a second. Only where clicks are not logged line by line
 * (logsEachClick); where they are, and for every other request, this answers false and Fastify
 * serves it.
 */
export function clickFastPath(
  platform: Platform,
  parseQuery: (query: string) => Query,
  onError: (error: unknown) => void,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const trusts = trustFunction(platform.config.trustProxy);
  const trafficRequest = (request: IncomingMessage): TrafficRequest => {
    const socket = request.socket;
    const forwardedProto = request.headers['x-forwarded-proto'];
    const protocolTrusted = trusts !== undefined && typeof forwardedProto === 'string' && trusts(socket.remoteAddress ?? '', 0);
    return {
      method: request.method!,
      ip: trusts === undefined ? socket.remoteAddress! : proxyAddr(request, trusts),
      protocol: protocolTrusted ? lastEntry(forwardedProto) : 'encrypted' in socket && socket.encrypted ? 'https' : 'http',
      headers: request.headers,
    };
  };
  const fail = (response: ServerResponse, error: unknown) => {
    onError(error);
    response.writeHead(500, { 'content-type': 'text/plain' }).end('The click could not be recorded');
  };
  const answer = (request: IncomingMessage, response: ServerResponse, query: Query) => {
    try {
      const { headers, body } = answerClick(platform, trafficRequest(request), query);
      response.writeHead(302, { ...headers, 'content-length': Buffer.byteLength(body) }).end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      fail(response, error);
    }
  };
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const url = request.url!;
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    if (path === CLICK_PATH) {
      answer(request, response, platform.importedLinks.translate(request.headers.host, parseQuery(query)));
      return true;
    }
    const code = SHORT_LINK_PATH.exec(path)?.[1];
    if (code === undefined) return false;
    platform.shortLinks.resolve(code).then(
      (link) => {
        if (link) answer(request, response, shortLinkQuery(parseQuery(query), link));
        else response.writeHead(404, { 'content-type': 'text/plain', 'content-length': UNKNOWN_SHORT_LINK.length }).end(UNKNOWN_SHORT_LINK);
      },
      (error: unknown) => fail(response, error),
    );
    return true;
  };
}
