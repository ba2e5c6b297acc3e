import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { quietLogLevel } from '../http/request-log.ts';
import type { ConversionChannel, ConversionOutcome, ConversionRequest } from '../ledger/conversions.ts';
import type { ConversionStatus } from '../ledger/conversion-record.ts';
import { STATUS_CODE } from '../ledger/status-codes.ts';
import type { Platform } from '../platform.ts';
import { parseId } from '../shared/ids.ts';
import { AMOUNT_FORM, parseMoney } from '../shared/money.ts';
import { answerClick, cookieValue, sessionCookie, shortLinkQuery, UNKNOWN_SHORT_LINK, visitorOf } from './click-answer.ts';
import { TRACKING_DOCS } from './tracking-docs.ts';
import { fullText, id, text, type Query } from './tracking-params.ts';

/** The tracking face: HasOffers' click, impression and conversion endpoints. */

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const CONVERSION_STATUSES: ConversionStatus[] = ['approved', 'pending', 'rejected'];

/** A conversion endpoint's request to the ledger; what is wrong with it as sent is its refusal. */
function conversionInput(request: FastifyRequest, query: Query, channel: ConversionChannel, goal: boolean): ConversionRequest {
  const amount = text(query, 'amount', 'sale_amount');
  const saleAmountMicros = amount === undefined ? undefined : parseMoney(amount);
  const status = text(query, 'status')?.toLowerCase();
  // A goal named wrongly must not pass for the offer's own conversion and its payout; 0 is HasOffers' "no goal".
  const goalParam = text(query, 'goal_id');
  const goalId = goalParam === undefined ? undefined : parseId(goalParam);
  const goalName = text(query, 'goal_name');
  const problem =
    amount !== undefined && (saleAmountMicros === undefined || saleAmountMicros < 0n)
      ? `amount "${amount}" is not a non-negative amount with ${AMOUNT_FORM}`
      : status !== undefined && !CONVERSION_STATUSES.includes(status as ConversionStatus)
        ? `status must be one of ${CONVERSION_STATUSES.join(', ')}`
        : goalParam !== undefined && goalId === undefined
          ? `goal_id "${goalParam}" is not a goal id`
          : goal && !goalId && goalName === undefined
            ? 'aff_goal needs goal_id or goal_name'
            : undefined;
  const conversion: ConversionRequest = {
    channel,
    actor: channel === 'pixel' ? 'advertiser pixel' : 'advertiser postback',
    transactionId: text(query, 'transaction_id'),
    offerId: id(query, 'offer_id'),
    partnerId: id(query, 'aff_id', 'affiliate_id'),
    goalId: goalId || undefined,
    goalName,
    saleAmountMicros: problem ? undefined : saleAmountMicros,
    // Whole, as sent: the ledger refuses an order id too long to keep rather than cut it.
    advSubs: [fullText(query, 'adv_sub', 'adv_sub1'), fullText(query, 'adv_sub2'), fullText(query, 'adv_sub3'), fullText(query, 'adv_sub4'), fullText(query, 'adv_sub5')],
    orderId: fullText(query, 'order_id'),
    status: problem ? undefined : (status as ConversionStatus | undefined),
    securityToken: text(query, 'security_token'),
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    refusal: problem === undefined ? undefined : { statusCode: STATUS_CODE.INVALID_REQUEST, reason: problem },
  };
  if (channel === 'pixel' && !conversion.transactionId && conversion.offerId !== undefined) {
    conversion.transactionId = cookieValue(request, sessionCookie(conversion.offerId));
    if (!conversion.transactionId) conversion.refusal ??= { statusCode: STATUS_CODE.SESSION_EXPIRED, reason: 'no session cookie for this offer' };
  }
  return conversion;
}

function sendOutcome(reply: FastifyReply, outcome: ConversionOutcome, asJson: boolean, pixel: boolean): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (outcome.ok) {
    reply.header('x-partnerline-conversion-id', String(outcome.conversion.id));
    reply.header('x-partnerline-status-code', String(outcome.conversion.statusCode));
  } else {
    reply.header('x-partnerline-status-code', String(outcome.statusCode));
    reply.header('x-partnerline-reason', outcome.reason.replace(/[^\x20-\x7e]/g, '?'));
  }
  if (asJson) {
    return reply.type('application/json').send(
      outcome.ok
        ? { success: true, conversion_id: String(outcome.conversion.id), status: outcome.conversion.status, status_code: outcome.conversion.statusCode }
        : { success: false, status_code: outcome.statusCode, reason: outcome.reason },
    );
  }
  if (pixel) return reply.type('image/gif').send(PIXEL);
  return reply.type('text/plain').send(outcome.ok ? 'success=true;' : 'success=false;');
}

export async function trackingRoutes(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  const trafficLog = { logLevel: quietLogLevel(platform.config.logLevel) };

  const click = (request: FastifyRequest, reply: FastifyReply, query: Query) => {
    const { headers, body } = answerClick(platform, request, query);
    return reply.code(302).headers(headers).send(body || undefined);
  };

  app.get('/aff_c', { ...TRACKING_DOCS.click, ...trafficLog }, (request, reply) =>
    click(request, reply, platform.importedLinks.translate(request.headers.host, request.query as Query)),
  );

  app.get<{ Params: { code: string } }>('/t/:code', { ...TRACKING_DOCS.shortLink, ...trafficLog }, async (request, reply) => {
    const link = await platform.shortLinks.resolve(request.params.code);
    if (!link) return reply.code(404).type('text/plain').send(UNKNOWN_SHORT_LINK);
    return click(request, reply, shortLinkQuery(request.query as Query, link));
  });

  app.get('/aff_i', { ...TRACKING_DOCS.impression, ...trafficLog }, (request, reply) => {
    const query = platform.importedLinks.translate(request.headers.host, request.query as Query);
    platform.tracker.impression(
      id(query, 'offer_id'),
      id(query, 'aff_id', 'affiliate_id'),
      { source: text(query, 'source'), affSub1: text(query, 'aff_sub', 'aff_sub1'), fileId: id(query, 'file_id'), referrer: request.headers.referer },
      visitorOf(platform, request),
    );
    return reply.type('image/gif').header('cache-control', 'no-store').send(PIXEL);
  });

  const convert = async (request: FastifyRequest, reply: FastifyReply, channel: ConversionChannel, goal: boolean) => {
    const query = platform.importedLinks.translate(request.headers.host, request.query as Query);
    const outcome = await platform.conversions.submit(conversionInput(request, query, channel, goal));
    return sendOutcome(reply, outcome, text(query, 'format') === 'json', channel === 'pixel');
  };

  // A HEAD (a link checker testing the URL an advertiser saves) answers as a GET would look, and records nothing.
  const headOnly = (path: string, pixel: (query: Query) => boolean) =>
    app.head(path, { schema: { hide: true } }, (request, reply) => {
      const query = request.query as Query;
      const type = text(query, 'format') === 'json' ? 'application/json' : pixel(query) ? 'image/gif' : 'text/plain';
      return reply.type(type).header('cache-control', 'no-store').send();
    });
  const postback = { exposeHeadRoute: false, ...trafficLog };
  app.get('/aff_lsr', { ...TRACKING_DOCS.serverPostback, ...postback }, (request, reply) => convert(request, reply, 'server_postback', false));
  app.get('/aff_l', { ...TRACKING_DOCS.pixel, ...postback }, (request, reply) => convert(request, reply, 'pixel', false));
  app.get('/aff_goal', { ...TRACKING_DOCS.goal, ...postback }, (request, reply) => {
    const mode = text(request.query as Query, 'a');
    return convert(request, reply, mode === 'l' ? 'pixel' : 'server_postback', true);
  });
  headOnly('/aff_lsr', () => false);
  headOnly('/aff_l', () => true);
  headOnly('/aff_goal', (query) => text(query, 'a') === 'l');
}
