import { hash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Platform } from '../platform.ts';
import { OUTCOME_WORDS } from '../tracking/click-rules.ts';
import type { ShortLink } from '../tracking/short-links.ts';
import { describeVisitor } from '../tracking/visitor.ts';
import { clickRequest, type Query } from './tracking-params.ts';

/** What the tracking endpoints read of a request, whichever server took it (Fastify, or the click fast path). */
export interface TrafficRequest {
  method: string;
  /** The visitor's address, as the trusted proxies tell it. */
  ip: string;
  protocol: string;
  headers: IncomingHttpHeaders;
}

const VISITOR_COOKIE = 'pl_vid';
const VISITOR_COOKIE_DAYS = 365;
export const sessionCookie = (offerId: number) => `pl_s${offerId}`;

/** A Set-Cookie value; our cookie values are hex or base64url, so they need no encoding. */
function cookie(request: TrafficRequest, name: string, value: string, maxAgeSeconds: number): string {
  // A conversion pixel fires on the advertiser's site: a third-party context needs SameSite=None, which needs https.
  const attributes = request.protocol === 'https' ? 'Secure; SameSite=None' : 'SameSite=Lax';
  return `${name}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; ${attributes}`;
}

export function cookieValue(request: TrafficRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

export function visitorOf(platform: Platform, request: TrafficRequest) {
  const header = platform.config.countryHeader ? request.headers[platform.config.countryHeader] : undefined;
  const visitor = describeVisitor(request.ip, request.headers['user-agent'] ?? '', Array.isArray(header) ? header[0] : header);
  // HEAD is how link checkers and monitors look at a link; no person follows it.
  return request.method === 'HEAD' ? { ...visitor, isBot: true } : visitor;
}

export const UNKNOWN_SHORT_LINK = 'Unknown tracking link';

/** A short link's click: the link's offer, partner and values over what the visitor's URL adds. */
export const shortLinkQuery = (query: Query, link: ShortLink): Query => ({
  ...query,
  ...link.params,
  offer_id: String(link.offerId),
  aff_id: String(link.partnerId),
});

/** A click's 302: where the visitor goes and the cookies that remember it; for a click not counted, why, in words. */
export interface ClickAnswer {
  headers: OutgoingHttpHeaders;
  body: string;
}

/** Decides a click and answers its 302. */
export function answerClick(platform: Platform, request: TrafficRequest, query: Query): ClickAnswer {
  const knownVisitor = cookieValue(request, VISITOR_COOKIE);
  const visitor = visitorOf(platform, request);
  const visitorId = knownVisitor ?? hash('sha256', `${visitor.ip}|${visitor.userAgent}`, 'base64url');
  const result = platform.tracker.click(clickRequest(query, visitorId, request.headers.referer), visitor);
  const cookies: string[] = [];
  // The first visit's fingerprint becomes the cookie, so the visitor is the same one with or without it.
  if (!knownVisitor) cookies.push(cookie(request, VISITOR_COOKIE, visitorId, VISITOR_COOKIE_DAYS * 86_400));
  if (result.outcome === 'counted' || result.outcome === 'bot') {
    cookies.push(cookie(request, sessionCookie(result.offerId!), result.transactionId, result.sessionHours * 3600));
  }
  // A person trying a link with curl reads the body: a click that does not count says why there too.
  const body = result.outcome === 'counted' ? '' : `Click not counted: ${OUTCOME_WORDS[result.outcome]}.\n`;
  return {
    headers: {
      ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}),
      location: result.location,
      'cache-control': 'no-store',
      'x-partnerline-click': result.outcome,
      ...(body ? { 'content-type': 'text/plain; charset=utf-8' } : {}),
    },
    body,
  };
}
