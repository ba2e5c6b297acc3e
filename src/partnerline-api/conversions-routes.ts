import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendWrite } from '../http/json-api.ts';
import { sendReport } from '../http/report-reply.ts';
import { errorBody, idSchema } from '../http/schema-types.ts';
import { applyBatch, BATCH_TEXT_LIMITS, parseBatchCsv, type BatchRow } from '../ledger/batch-updates.ts';
import type { ConversionStatus } from '../ledger/conversion-record.ts';
import { recordConversionIn } from '../ledger/conversions.ts';
import {
  adjustSaleAmount,
  approveConversion,
  reattributeConversion,
  rejectConversion,
  reverseConversion,
  type CorrectionResult,
  type Corrector,
} from '../ledger/corrections.ts';
import { advertiserScopeOf, conversionWithHistory, correctorFor } from '../ledger/ledger-access.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { listConversions, type ConversionListQuery } from '../reports/conversion-list.ts';
import { listRefusedConversions } from '../reports/refused-conversions.ts';
import { statsScopeFor } from '../reports/report-access.ts';
import { checkDays } from '../reports/sk-stats.ts';
import { ForbiddenError } from '../shared/errors.ts';
import type { Transaction } from '../store/store.ts';
import { amountInput, moneySchema } from './amounts.ts';
import { conversionCsvColumns, conversionCsvRow, conversionView, historyView } from './conversion-format.ts';

const conversionId = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } },
  required: ['id'],
} as const;
const reasonBody = (required: boolean) =>
  ({
    type: 'object',
    properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
    ...(required ? { required: ['reason'] } : {}),
  }) as const;

interface ConversionBody {
  transactionId?: string;
  offerId?: number;
  partnerId?: number;
  goalId?: number;
  goalName?: string;
  saleAmount?: number | string;
  advSubs?: string[];
  orderId?: string;
  status?: ConversionStatus;
  convertedAt?: string;
}

/** The list's filters as the query string carries them: instants and the cursor as text. */
type ListQuerystring = Omit<ConversionListQuery, 'timeZone' | 'updatedSince' | 'after'> & {
  updatedSince?: string;
  cursor?: string;
  format?: 'json' | 'csv';
};

export function registerConversionRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (summary: string) => ({ tags: ['Conversions'], summary, security: [{ apiKey: [] }] });

  app.post<{ Body: ConversionBody }>(
    '/conversions',
    {
      schema: {
        ...doc('Record a conversion (advertisers and the network); send an Idempotency-Key to retry safely'),
        body: {
          type: 'object',
          properties: {
            transactionId: { type: 'string', minLength: 1, maxLength: 64 },
            offerId: idSchema,
            partnerId: idSchema,
            goalId: idSchema,
            goalName: { type: 'string', minLength: 1, maxLength: 255 },
            saleAmount: moneySchema,
            advSubs: { type: 'array', items: { type: 'string', maxLength: 255 }, maxItems: 5 },
            orderId: { type: 'string', minLength: 1, maxLength: 255 },
            status: { type: 'string', enum: ['approved', 'pending', 'rejected'] },
            convertedAt: { type: 'string', format: 'date-time' },
          },
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const saleAmountMicros = amountInput('saleAmount', body.saleAmount);
      const convertedAt = body.convertedAt ? new Date(body.convertedAt) : undefined;
      const advertiserScope = await advertiserScopeOf(platform.store, request.principal);
      if (body.transactionId) await platform.tracker.writer.ensureWritten(body.transactionId);
      return sendWrite(platform, request, reply, async (tx) => {
        const outcome = await recordConversionIn(tx, {
          channel: 'api',
          actor: `user:${request.principal.userId}`,
          transactionId: body.transactionId,
          offerId: body.offerId,
          partnerId: body.partnerId,
          goalId: body.goalId,
          goalName: body.goalName,
          saleAmountMicros,
          advSubs: body.advSubs,
          orderId: body.orderId,
          status: body.status,
          convertedAt,
          advertiserScope,
          ip: request.ip,
        });
        if (!outcome.ok) {
          return {
            statusCode: 422,
            body: {
              success: false,
              error: outcome.reason,
              statusCode: outcome.statusCode,
              conversionId: outcome.conversionId === undefined ? null : String(outcome.conversionId),
            },
          };
        }
        return {
          statusCode: outcome.created ? 201 : 200,
          body: { success: true, created: outcome.created, conversion: conversionView(outcome.conversion, request.principal.role) },
        };
      });
    },
  );

  app.get<{ Querystring: ListQuerystring }>(
    '/conversions',
    {
      schema: {
        ...doc('The conversions you may see, page by page, as JSON or CSV'),
        description:
          'A partner sees its own conversions, an advertiser (or agency) its offers\', the network all; a partner never sees revenue. ' +
          'Oldest first by id: follow nextCursor (pass it as cursor) until it is null; a CSV page gives it in the X-Next-Cursor header. from and to are local days of the conversion in the ' +
          "network's time zone. To keep in step with the ledger, ask again with updatedSince set a minute before your last call began: " +
          'every conversion created or changed since then comes back, the same one as often as it changed.',
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', description: 'First local day, YYYY-MM-DD' },
            to: { type: 'string', description: 'Last local day, YYYY-MM-DD' },
            status: { type: 'string', enum: ['approved', 'pending', 'rejected'] },
            statusCode: {
              type: 'integer',
              minimum: 1,
              maximum: 999,
              description: 'e.g. 99: rejected for review, converted sooner after the click than the network allows; 17: over a daily cap',
            },
            offerId: idSchema,
            partnerId: idSchema,
            transactionId: { type: 'string', minLength: 1, maxLength: 64 },
            orderId: { type: 'string', minLength: 1, maxLength: 255 },
            updatedSince: { type: 'string', format: 'date-time', description: 'Only conversions created or changed at or after this instant' },
            cursor: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'nextCursor of the page before' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
        },
        response: { 400: errorBody },
      },
    },
    async (request, reply) => {
      const query = request.query;
      checkDays(query.from, query.to);
      const { timeZone } = await getNetwork(platform.store);
      const page = await listConversions(platform.store, await statsScopeFor(platform.store, request.principal), {
        ...query,
        timeZone,
        updatedSince: query.updatedSince === undefined ? undefined : new Date(query.updatedSince),
        after: query.cursor === undefined ? undefined : BigInt(query.cursor),
      });
      const role = request.principal.role;
      const rows = page.items.map((conversion) => conversionView(conversion, role));
      if (page.nextCursor !== null) reply.header('x-next-cursor', page.nextCursor);
      return sendReport(reply, query.format, conversionCsvColumns(role), query.format === 'csv' ? rows.map(conversionCsvRow) : [], { conversions: rows, nextCursor: page.nextCursor });
    },
  );

  app.get<{ Querystring: { offerId?: number; transactionId?: string; statusCode?: number; cursor?: string; limit: number } }>(
    '/refused-conversions',
    {
      schema: {
        ...doc('Conversion requests that were refused, and why (advertisers and the network)'),
        description:
          'Postbacks, pixels and API calls answered success=false, newest first, with the status code, the reason and what the request ' +
          "asked for: an advertiser's first place to look when a conversion is missing. An advertiser (or agency) sees those naming its " +
          'offers or its clicks, the network all. Kept LOG_RETENTION_DAYS (90 by default). Follow nextCursor (pass it as cursor) until it is null.',
        querystring: {
          type: 'object',
          properties: {
            offerId: idSchema,
            transactionId: { type: 'string', minLength: 1, maxLength: 64 },
            statusCode: { type: 'integer', minimum: 1, maximum: 999, description: 'e.g. 12 duplicate, 19 invalid security token, 91 unknown transaction' },
            cursor: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'nextCursor of the page before' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      if (request.principal.role === 'partner') {
        throw new ForbiddenError("Refused conversions are the advertisers' log; your conversions are at GET /api/v1/conversions");
      }
      const { cursor, ...query } = request.query;
      const page = await listRefusedConversions(platform.store, { advertiserIds: await advertiserScopeOf(platform.store, request.principal) }, {
        ...query,
        before: cursor === undefined ? undefined : BigInt(cursor),
      });
      return { refused: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/conversions/:id',
    { schema: { ...doc('A conversion with its full history'), params: conversionId, response: { 403: errorBody, 404: errorBody } } },
    async (request) => {
      const { conversion, history } = await conversionWithHistory(platform.store, request.principal, BigInt(request.params.id));
      return { conversion: conversionView(conversion, request.principal.role), history: historyView(history, request.principal.role) };
    },
  );

  const correction = <Body>(
    path: string,
    summary: string,
    body: object,
    apply: (tx: Transaction, corrector: Corrector, id: bigint, body: Body) => Promise<CorrectionResult>,
  ) =>
    app.post<{ Params: { id: string }; Body: Body }>(
      `/conversions/:id/${path}`,
      { schema: { ...doc(summary), params: conversionId, body, response: { 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody } } },
      async (request: FastifyRequest<{ Params: { id: string }; Body: Body }>, reply) => {
        const corrector = await correctorFor(platform.store, request.principal);
        return sendWrite(platform, request, reply, async (tx) => {
          const result = await apply(tx, corrector, BigInt(request.params.id), request.body as Body);
          return { statusCode: 200, body: { changed: result.changed, conversion: conversionView(result.conversion, request.principal.role) } };
        });
      },
    );

  correction<{ reason?: string }>('approve', 'Approve a pending or rejected conversion', reasonBody(false), (tx, corrector, id, body) =>
    approveConversion(tx, corrector, id, body?.reason ?? null),
  );
  correction<{ reason: string }>('reject', 'Reject a conversion with a reason the partner sees', reasonBody(true), (tx, corrector, id, body) =>
    rejectConversion(tx, corrector, id, body.reason),
  );
  correction<{ reason: string }>('reverse', 'Reverse an approved conversion after a refund or chargeback', reasonBody(true), (tx, corrector, id, body) =>
    reverseConversion(tx, corrector, id, body.reason),
  );
  correction<{ saleAmount: number | string; reason?: string }>(
    'adjust',
    'Correct the sale amount; payout and revenue are priced again by the offer',
    { type: 'object', properties: { saleAmount: moneySchema, reason: { type: 'string', maxLength: 1000 } }, required: ['saleAmount'] },
    (tx, corrector, id, body) => adjustSaleAmount(tx, corrector, id, amountInput('saleAmount', body.saleAmount)!, body.reason ?? null),
  );
  correction<{ transactionId: string; reason?: string }>(
    'reattribute',
    "Give the order to another click: this conversion is rejected as re-attributed and a new one made for that click's partner",
    {
      type: 'object',
      properties: { transactionId: { type: 'string', minLength: 1, maxLength: 64 }, reason: { type: 'string', maxLength: 1000 } },
      required: ['transactionId'],
    },
    (tx, corrector, id, body) => reattributeConversion(tx, corrector, id, body.transactionId, body.reason ?? null),
  );

  app.post<{ Body: { rows: BatchRow[] } | string; Querystring: { preview?: boolean } }>(
    '/conversions/batch',
    {
      schema: {
        ...doc('Apply late updates in bulk, as JSON {rows} or as CSV (text/csv); sending a batch again changes nothing, and a row keyed by a transaction whose order was re-attributed applies where the order went'),
        body: {
          oneOf: [
            {
              type: 'object',
              properties: {
                rows: {
                  type: 'array',
                  maxItems: 50_000,
                  items: {
                    type: 'object',
                    properties: {
                      transactionId: { type: 'string', maxLength: BATCH_TEXT_LIMITS.transactionId },
                      orderId: { type: 'string', maxLength: BATCH_TEXT_LIMITS.orderId },
                      offerId: idSchema,
                      goalId: idSchema,
                      status: { type: 'string', enum: ['approved', 'pending', 'rejected', 'reversed'] },
                      reason: { type: 'string', maxLength: BATCH_TEXT_LIMITS.reason },
                      saleAmount: { type: 'string', maxLength: BATCH_TEXT_LIMITS.saleAmount },
                      reattributeTo: { type: 'string', maxLength: BATCH_TEXT_LIMITS.reattributeTo },
                    },
                  },
                },
              },
              required: ['rows'],
            },
            { type: 'string', description: 'CSV with a header row: transaction_id, order_id (or adv_sub), offer_id, goal_id, status, reason, sale_amount, reattribute_to' },
          ],
        },
        querystring: {
          type: 'object',
          properties: { preview: { type: 'boolean', description: 'Say what each row would do, and change nothing' } },
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      const rows = typeof request.body === 'string' ? parseBatchCsv(request.body) : request.body.rows;
      const corrector = await correctorFor(platform.store, request.principal);
      const preview = request.query.preview === true;
      const results = await applyBatch(platform.store, platform.tracker.writer, corrector, rows, { preview });
      if (!preview) await platform.afterWrite();
      return reply.send({
        rows: results.length,
        updated: results.filter((result) => result.outcome === 'updated').length,
        unchanged: results.filter((result) => result.outcome === 'unchanged').length,
        errors: results.filter((result) => result.outcome === 'error').length,
        results,
      });
    },
  );
}
