import type { FastifyInstance } from 'fastify';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { callHasOffers, HasOffersCallError, patiently } from '../hasoffers-bridge/hasoffers-client.ts';
import { linkByName, linkImported, listLinks, readExternalNames, setLink } from '../hasoffers-bridge/hasoffers-links.ts';
import {
  addHasOffersNetwork,
  changeHasOffersNetwork,
  checkedNetworkInput,
  getHasOffersNetwork,
  hasOffersAccess,
  listHasOffersNetworks,
  removeHasOffersNetwork,
  type HasOffersNetworkInput,
} from '../hasoffers-bridge/hasoffers-networks.ts';
import { readReconciliation, RECONCILE_CLASSES, reconcile, repairReconciliation, REPAIRABLE, type Reconciliation, type ReconcileClass } from '../hasoffers-bridge/reconcile.ts';
import { replayParked, syncCalls, syncState } from '../hasoffers-bridge/sync-out.ts';
import { sendWrite } from '../http/json-api.ts';
import { sendReport } from '../http/report-reply.ts';
import { errorBody, idParams, idSchema, itemParams, strictBody } from '../http/schema-types.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { UpstreamError, ValidationError } from '../shared/errors.ts';
import { isCalendarDate } from '../shared/time-zones.ts';

/** The HasOffers networks the network syncs its ledger into, and its offers' and partners' counterparts there (network admins). */

const networkSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    apiUrl: { type: 'string' },
    networkId: { type: 'string' },
    timeZone: { type: 'string' },
    tokenEnding: { type: 'string', description: 'The last four characters of the token, which is never shown again' },
    offersLinked: { type: 'integer' },
    partnersLinked: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const linksSchema = {
  type: 'object',
  properties: {
    offers: {
      type: 'array',
      items: { type: 'object', properties: { offerId: { type: 'integer' }, name: { type: 'string' }, externalOfferId: { type: ['integer', 'null'] } } },
    },
    partners: {
      type: 'array',
      items: { type: 'object', properties: { partnerId: { type: 'integer' }, name: { type: 'string' }, externalAffiliateId: { type: ['integer', 'null'] } } },
    },
    linkedNow: { type: 'object', properties: { offers: { type: 'integer' }, partners: { type: 'integer' } } },
  },
} as const;

const networkFields = {
  name: { type: 'string', minLength: 1, maxLength: 200, example: 'Our TUNE network' },
  apiUrl: { type: 'string', maxLength: 2000, example: 'https://api.hasoffers.com' },
  networkId: { type: 'string', maxLength: 100, example: 'demo' },
  networkToken: { type: 'string', maxLength: 200, description: 'The network API key; kept to call the network, never shown again' },
  timeZone: { type: 'string', maxLength: 64, description: "The network's time zone, in which HasOffers reads datetimes (UTC unless given)", example: 'America/New_York' },
} as const;

const externalId = { type: ['integer', 'null'], minimum: 1, maximum: 9_007_199_254_740_991 } as const;

/** A token is tried before it is kept or used, so a typo shows at once rather than at the first sync or import. */
export async function tryHasOffersAccess(input: { apiUrl: string; networkId: string; networkToken: string }): Promise<void> {
  checkedNetworkInput(input);
  try {
    // A network whose 50 calls in 10 seconds are spent is asked again once it allows.
    await patiently(() => callHasOffers(input, 'Application', 'validNetworkApiKey'));
  } catch (error) {
    if (!(error instanceof HasOffersCallError)) throw error;
    if (error.refused) throw new ValidationError('networkToken', `the HasOffers network did not accept it: ${error.message}`);
    throw new UpstreamError(`The HasOffers network at ${input.apiUrl} could not be reached: ${error.message}`);
  }
}

export function registerHasOffersNetworkRoutes(app: FastifyInstance, platform: Platform): void {
  const db = platform.store;
  const doc = (summary: string, description?: string) => ({ tags: ['HasOffers bridge'], summary, description, security: [{ apiKey: [] }] });
  const admin = (request: { principal: Parameters<typeof requireNetworkAdmin>[0] }) => requireNetworkAdmin(request.principal);

  app.get('/hasoffers-networks', { schema: { ...doc('The HasOffers networks the ledger syncs into'), response: { 200: { type: 'array', items: networkSchema }, 403: errorBody } } }, (request) => {
    admin(request);
    return listHasOffersNetworks(db);
  });

  app.post<{ Body: HasOffersNetworkInput & Required<Omit<HasOffersNetworkInput, 'timeZone'>> }>(
    '/hasoffers-networks',
    {
      schema: {
        ...doc('Connect a HasOffers network', 'The token is tried with Application::validNetworkApiKey first; a network that refuses it is not added.'),
        body: strictBody(networkFields, { required: ['name', 'apiUrl', 'networkId', 'networkToken'] }),
        response: { 201: networkSchema, 400: errorBody, 403: errorBody, 409: errorBody, 502: errorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      await tryHasOffersAccess(request.body);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await addHasOffersNetwork(tx, request.body) }));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/hasoffers-networks/:id',
    { schema: { ...doc('One HasOffers network'), params: idParams, response: { 200: networkSchema, 403: errorBody, 404: errorBody } } },
    (request) => {
      admin(request);
      return getHasOffersNetwork(db, request.params.id);
    },
  );

  app.patch<{ Params: { id: number }; Body: HasOffersNetworkInput }>(
    '/hasoffers-networks/:id',
    {
      schema: {
        ...doc('Change a HasOffers network: what is not given stays', 'A new URL, network id or token is tried before it is kept.'),
        params: idParams,
        body: strictBody(networkFields, { minProperties: 1 }),
        response: { 200: networkSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 502: errorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      const { name: _name, timeZone: _timeZone, ...access } = request.body;
      if (Object.keys(access).length > 0) await tryHasOffersAccess({ ...(await hasOffersAccess(db, request.params.id)), ...access });
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await changeHasOffersNetwork(tx, request.params.id, request.body) }));
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/hasoffers-networks/:id',
    { schema: { ...doc('Disconnect a HasOffers network and forget its links'), params: idParams, response: { 204: { type: 'null' }, 403: errorBody, 404: errorBody } } },
    (request, reply) => {
      admin(request);
      return sendWrite(platform, request, reply, async (tx) => {
        await removeHasOffersNetwork(tx, request.params.id);
        return { statusCode: 204, body: null };
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/links',
    {
      schema: {
        ...doc('Every offer and partner with its counterpart on the HasOffers network; null where none is linked yet'),
        params: idParams,
        response: { 200: linksSchema, 403: errorBody, 404: errorBody },
      },
    },
    (request) => {
      admin(request);
      return listLinks(db, request.params.id);
    },
  );

  for (const side of ['offer', 'partner'] as const) {
    const field = side === 'offer' ? 'externalOfferId' : 'externalAffiliateId';
    const item = side === 'offer' ? 'offerId' : 'partnerId';
    app.put<{ Params: { id: number } & Record<string, number>; Body: Record<string, number | null> }>(
      `/hasoffers-networks/:id/${side}s/:${item}`,
      {
        schema: {
          ...doc(`Link one ${side} to its ${side === 'offer' ? 'offer' : 'affiliate'} on the HasOffers network, or unlink it with null`),
          params: itemParams(item),
          body: strictBody({ [field]: externalId }, { required: [field] }),
          response: { 200: linksSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      (request, reply) => {
        admin(request);
        return sendWrite(platform, request, reply, async (tx) => {
          await setLink(tx, request.params.id, side, request.params[item]!, request.body[field] ?? null);
          return { statusCode: 200, body: await listLinks(tx, request.params.id) };
        });
      },
    );
  }

  app.post<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/link-by-name',
    {
      schema: {
        ...doc(
          'Link offers and partners to the HasOffers offers and affiliates of the same name',
          'Names compare without case or extra spaces. A name two records share on either side, or a counterpart already linked, is left for you to link by hand.',
        ),
        params: idParams,
        response: { 200: linksSchema, 403: errorBody, 404: errorBody, 502: errorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      const names = await readExternalNames(await hasOffersAccess(db, request.params.id));
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await linkByName(tx, request.params.id, names) }));
    },
  );

  app.post<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/link-imported',
    {
      schema: {
        ...doc(
          'Link what was imported from this HasOffers network to the offers and affiliates it came from',
          'For a network moving over: after an import, its old network is kept in step while partners move. What is linked already is left as it is.',
        ),
        params: idParams,
        response: { 200: linksSchema, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) => {
      admin(request);
      return sendWrite(platform, request, reply, async (tx) => {
        await getHasOffersNetwork(tx, request.params.id);
        return { statusCode: 200, body: await linkImported(tx, request.params.id) };
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/sync',
    {
      schema: {
        ...doc(
          'Where the sync into the network stands',
          'queued: conversions with changes still to send; parked: those that failed too often and wait for a replay; behindSeconds: how long the oldest change has waited.',
        ),
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { queued: { type: 'integer' }, parked: { type: 'integer' }, synced: { type: 'integer' }, behindSeconds: { type: 'integer' }, lastError: { type: ['string', 'null'] } },
          },
          403: errorBody,
          404: errorBody,
        },
      },
    },
    async (request) => {
      admin(request);
      await getHasOffersNetwork(db, request.params.id);
      return syncState(db, request.params.id);
    },
  );

  app.get<{ Params: { id: number }; Querystring: { limit: number; conversionId?: string } }>(
    '/hasoffers-networks/:id/sync/calls',
    {
      schema: {
        ...doc('Every call the sync made to the network, newest first, with what it sent and what came back'),
        params: idParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, conversionId: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } },
        },
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                conversionId: { type: ['string', 'null'] },
                method: { type: 'string' },
                params: { type: 'object', additionalProperties: true },
                outcome: { type: 'string', enum: ['ok', 'refused', 'unknown'] },
                answer: { type: ['string', 'null'] },
                durationMs: { type: 'integer' },
                createdAt: { type: 'string', format: 'date-time' },
              },
            },
          },
          400: errorBody,
          403: errorBody,
          404: errorBody,
        },
      },
    },
    async (request) => {
      admin(request);
      await getHasOffersNetwork(db, request.params.id);
      return syncCalls(db, request.params.id, request.query.limit, request.query.conversionId);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/sync/replay',
    {
      schema: {
        ...doc('Send the parked conversions again, now'),
        params: idParams,
        response: { 200: { type: 'object', properties: { replayed: { type: 'integer' } } }, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) => {
      admin(request);
      return sendWrite(platform, request, reply, async (tx) => {
        await getHasOffersNetwork(tx, request.params.id);
        return { statusCode: 200, body: { replayed: await replayParked(tx, request.params.id) } };
      });
    },
  );

  const sideSchema = {
    type: ['object', 'null'],
    properties: {
      status: { type: 'string' },
      payout: { type: 'string' },
      revenue: { type: 'string' },
      saleAmount: { type: 'string' },
      offerId: { type: 'integer', description: "The HasOffers offer id (here: the linked one)" },
      partnerOrAffiliateId: { type: 'integer', description: 'The HasOffers affiliate id (here: the linked one, 0 where none)' },
    },
  } as const;
  const classTotals = { type: 'object', properties: { count: { type: 'integer' }, payout: { type: 'string' }, revenue: { type: 'string' } } } as const;
  const cellFigures = { type: 'object', properties: { conversions: { type: 'integer' }, payout: { type: 'string' }, revenue: { type: 'string' } } } as const;
  const reconciliationSchema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      from: { type: 'string' },
      to: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      repairedAt: { type: ['string', 'null'], format: 'date-time' },
      totals: { type: 'object', properties: Object.fromEntries(RECONCILE_CLASSES.map((kind) => [kind, classTotals])) },
      items: {
        type: 'array',
        description: 'Every conversion that does not match (matched ones are only counted)',
        items: {
          type: 'object',
          properties: {
            class: { type: 'string', enum: [...RECONCILE_CLASSES] },
            conversionId: { type: ['string', 'null'] },
            key: { type: ['string', 'null'] },
            externalIds: { type: 'array', items: { type: 'string' } },
            here: sideSchema,
            there: sideSchema,
          },
        },
      },
      cells: {
        type: 'object',
        description: "Approved conversions, payout and revenue by day, offer and affiliate there (the network's days), against its Report::getStats",
        properties: {
          compared: { type: 'integer' },
          differing: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                day: { type: 'string', format: 'date' },
                externalOfferId: { type: 'integer' },
                externalAffiliateId: { type: 'integer' },
                here: cellFigures,
                there: cellFigures,
              },
            },
          },
        },
      },
    },
  } as const;
  const reconciliationParams = { type: 'object', properties: { id: idSchema, reconciliationId: idSchema }, required: ['id', 'reconciliationId'] } as const;

  app.post<{ Params: { id: number }; Body: { from: string; to: string } }>(
    '/hasoffers-networks/:id/reconciliations',
    {
      schema: {
        ...doc(
          "Reconcile a window of days: the network's conversions joined with the ledger's, each classified",
          'from and to are local days in your network\'s time zone. Classes: matched, missing_outside, duplicate_outside, superseded_live, status_differs, ' +
            'refused_outside, amounts_differ, attribution_differs, foreign. Nothing changes: apply repairs with POST …/repair.',
        ),
        params: idParams,
        body: strictBody({ from: { type: 'string', example: '2026-12-01' }, to: { type: 'string', example: '2026-12-06' } }, { required: ['from', 'to'] }),
        response: { 201: reconciliationSchema, 400: errorBody, 403: errorBody, 404: errorBody, 502: errorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      const { from, to } = request.body;
      for (const [name, day] of [['from', from], ['to', to]] as const) if (!isCalendarDate(day)) throw new ValidationError(name, 'must be a day written YYYY-MM-DD');
      if (from > to) throw new ValidationError('to', 'is before from');
      await getHasOffersNetwork(db, request.params.id);
      try {
        const made = await reconcile(db, request.params.id, from, to, (await getNetwork(db)).timeZone);
        return reply.code(201).send(await readReconciliation(db, request.params.id, made.id));
      } catch (error) {
        if (error instanceof HasOffersCallError) throw new UpstreamError(`The HasOffers network could not be read: ${error.message}`);
        throw error;
      }
    },
  );

  app.get<{ Params: { id: number } }>(
    '/hasoffers-networks/:id/reconciliations',
    {
      schema: {
        ...doc('The reconciliations of the network, newest first, with their counts and amounts per class'),
        params: idParams,
        response: { 200: { type: 'array', items: { ...reconciliationSchema, properties: { ...reconciliationSchema.properties, items: { type: 'array', maxItems: 0 } } } }, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      admin(request);
      await getHasOffersNetwork(db, request.params.id);
      const rows = await db.query<{ id: number; result: Reconciliation; createdAt: Date; repairedAt: Date | null }>(
        `SELECT id, result - 'items' AS result, created_at AS "createdAt", repaired_at AS "repairedAt" FROM hasoffers_reconciliations
         WHERE hasoffers_network_id = $1 ORDER BY id DESC LIMIT 100`,
        [request.params.id],
      );
      return rows.map((row) => ({ id: row.id, createdAt: row.createdAt, repairedAt: row.repairedAt, ...row.result, items: [] }));
    },
  );

  app.get<{ Params: { id: number; reconciliationId: number }; Querystring: { format?: 'json' | 'csv' } }>(
    '/hasoffers-networks/:id/reconciliations/:reconciliationId',
    {
      schema: {
        ...doc('One reconciliation, as JSON or CSV (one row per conversion that does not match)'),
        params: reconciliationParams,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'csv'] } } },
        response: { 200: reconciliationSchema, 403: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      const found = await readReconciliation(db, request.params.id, request.params.reconciliationId);
      const rows = found.items.map((item) => ({
        class: item.class,
        conversion_id: item.conversionId,
        key: item.key,
        external_ids: item.externalIds.join(' '),
        status_here: item.here?.status,
        status_there: item.there?.status,
        payout_here: item.here?.payout,
        payout_there: item.there?.payout,
        revenue_here: item.here?.revenue,
        revenue_there: item.there?.revenue,
        sale_amount_here: item.here?.saleAmount,
        sale_amount_there: item.there?.saleAmount,
      }));
      const columns = ['class', 'conversion_id', 'key', 'external_ids', 'status_here', 'status_there', 'payout_here', 'payout_there', 'revenue_here', 'revenue_there', 'sale_amount_here', 'sale_amount_there'];
      return sendReport(reply, request.query.format, columns, rows, found);
    },
  );

  app.post<{ Params: { id: number; reconciliationId: number }; Body: { classes?: ReconcileClass[]; conversionIds?: string[] } }>(
    '/hasoffers-networks/:id/reconciliations/:reconciliationId/repair',
    {
      schema: {
        ...doc(
          'Repair what a reconciliation found: all of it, some classes, or some conversions',
          `Each repair is an ordinary sync task that looks the conversion up there first, so it is safe to send again. Repairable: ${REPAIRABLE.join(', ')}.`,
        ),
        params: reconciliationParams,
        body: strictBody({
          classes: { type: 'array', items: { type: 'string', enum: REPAIRABLE }, uniqueItems: true },
          conversionIds: { type: 'array', items: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' }, maxItems: 10000 },
        }),
        response: { 200: { type: 'object', properties: { queued: { type: 'integer' } } }, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) => {
      admin(request);
      return sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: { queued: await repairReconciliation(tx, request.params.id, request.params.reconciliationId, request.body) },
      }));
    },
  );
}
