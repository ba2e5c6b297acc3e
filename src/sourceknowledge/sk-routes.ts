import type { FastifyInstance } from 'fastify';
import {
  createAdvertiser,
  getAdvertiser,
  listAdvertisers,
  updateAdvertiser,
  type AdvertiserInput,
} from '../advertisers/advertisers.ts';
import { listCatalog } from '../catalog/catalog.ts';
import { getNetwork, networkTimeZone } from '../network/network.ts';
import { createOffer, getOffer, listOffers, setOfferActive, updateOffer } from '../offers/offers.ts';
import { parseDayRange, statsByOffer, statsBySubId } from '../reports/sk-stats.ts';
import { moneyToNumber } from '../shared/money.ts';
import { parseBidFactor, setBidFactors } from '../traffic-control/bid-factors.ts';
import { normalizeSubId } from '../traffic-control/sub-ids.ts';
import {
  createControlList,
  getControlList,
  listControlLists,
  updateControlList,
  type ControlListInput,
} from '../traffic-control/control-lists.ts';
import { campaignSettings, type SkCampaignBody } from './sk-input.ts';
import {
  skAdvertiser,
  skCampaign,
  skCampaignSummary,
  skControlList,
  skControlListSummary,
  skPage,
} from './sk-format.ts';
import { sendWrite } from '../http/json-api.ts';
import { sendReport } from '../http/report-reply.ts';
import type { Platform } from '../platform.ts';
import * as schema from './sk-schemas.ts';
import { idParams, idSchema } from '../http/schema-types.ts';

/** Page sizes: listings as SK pages them, stats at about a thousand rows as clients observe. */
const PER_PAGE = 100;
const STATS_PER_PAGE = 1000;

type Id = { Params: { id: number } };

function errors(...codes: number[]) {
  return Object.fromEntries(codes.map((code) => [code, schema.errorBody]));
}

export function registerSkRoutes(app: FastifyInstance, platform: Platform, hide: boolean): void {
  const db = platform.store;
  const doc = (tag: string, summary: string) => ({
    tags: [tag],
    summary,
    hide,
    security: [{ apiKey: [] }],
  });

  app.get('/categories', { schema: { ...doc('Advertisers', 'Advertiser categories'), response: { 200: schema.namedList, ...errors(401, 403) } } }, () =>
    listCatalog(db, 'categories'),
  );

  app.get('/channels', { schema: { ...doc('Campaigns', 'Partner channels a campaign may target'), response: { 200: schema.namedList, ...errors(401, 403) } } }, () =>
    listCatalog(db, 'channels'),
  );

  app.get<{ Querystring: { page: number } }>(
    '/advertisers',
    { schema: { ...doc('Advertisers', 'List advertisers'), querystring: schema.pageQuery, response: { 200: schema.paged(schema.advertiser), ...errors(400, 401, 403) } } },
    async (request) => {
      const page = await listAdvertisers(db, request.principal, request.query.page, PER_PAGE);
      return skPage({ ...page, items: page.items.map(skAdvertiser) });
    },
  );

  app.post<{ Body: AdvertiserInput }>(
    '/advertisers',
    { schema: { ...doc('Advertisers', 'Create an advertiser'), body: schema.advertiserBody, response: { 200: schema.advertiser, ...errors(400, 401, 403, 409) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: skAdvertiser(await createAdvertiser(tx, request.principal, request.body)),
      })),
  );

  app.get<Id>(
    '/advertisers/:id',
    { schema: { ...doc('Advertisers', 'Get an advertiser'), params: idParams, response: { 200: schema.advertiser, ...errors(400, 401, 403, 404) } } },
    async (request) => skAdvertiser(await getAdvertiser(db, request.principal, request.params.id)),
  );

  app.put<Id & { Body: AdvertiserInput }>(
    '/advertisers/:id',
    { schema: { ...doc('Advertisers', 'Replace an advertiser'), params: idParams, body: schema.advertiserBody, response: { 200: schema.advertiser, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: skAdvertiser(await updateAdvertiser(tx, request.principal, request.params.id, request.body)),
      })),
  );

  app.get<{ Querystring: { page: number; advertiserId?: number } }>(
    '/campaigns',
    { schema: { ...doc('Campaigns', 'List campaigns'), querystring: schema.campaignListQuery, response: { 200: schema.paged(schema.campaignSummary), ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const { page, advertiserId } = request.query;
      const result = await listOffers(db, request.principal, { advertiserId, page, perPage: PER_PAGE });
      const zone = await networkTimeZone(db);
      return skPage({ ...result, items: result.items.map((offer) => skCampaignSummary(offer, zone)) });
    },
  );

  app.post<{ Body: SkCampaignBody }>(
    '/campaigns',
    { schema: { ...doc('Campaigns', 'Create a campaign'), body: schema.campaignCreateBody, response: { 200: schema.campaign, ...errors(400, 401, 403, 409) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const network = await getNetwork(tx);
        const settings = campaignSettings(request.body, network);
        // An advertiser that is not there is a 404, as on every SK route, not a bad field.
        await getAdvertiser(tx, request.principal, request.body.advertiserId!);
        const offer = await createOffer(tx, request.principal, {
          ...settings,
          advertiserId: request.body.advertiserId!,
          name: request.body.name,
          destinationUrl: request.body.trackingUrl,
          payoutType: 'cpc',
          revenueType: 'cpc',
        });
        return { statusCode: 200, body: skCampaign(offer, network.timeZone) };
      }),
  );

  app.get<Id>(
    '/campaigns/:id',
    { schema: { ...doc('Campaigns', 'Get a campaign'), params: idParams, response: { 200: schema.campaign, ...errors(400, 401, 403, 404) } } },
    async (request) => skCampaign(await getOffer(db, request.principal, request.params.id), await networkTimeZone(db)),
  );

  app.put<Id & { Body: SkCampaignBody }>(
    '/campaigns/:id',
    { schema: { ...doc('Campaigns', 'Replace a campaign'), params: idParams, body: schema.campaignReplaceBody, response: { 200: schema.campaign, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const current = await getOffer(tx, request.principal, request.params.id);
        const network = await getNetwork(tx);
        const settings = campaignSettings(request.body, network, current);
        // The partner's CPC follows the bid only when the bid moves: a payout the network set stays.
        if (current.revenueType === 'cpc' && current.revenueFlatMicros === settings.revenueFlatMicros) {
          delete settings.payoutType;
          delete settings.payoutFlatMicros;
        }
        return { statusCode: 200, body: skCampaign(await updateOffer(tx, request.principal, current.id, settings), network.timeZone) };
      }),
  );

  app.post<Id & { Body: { active: boolean } }>(
    '/campaigns/:id',
    { schema: { ...doc('Campaigns', 'Pause or activate a campaign'), params: idParams, body: schema.campaignActiveBody, response: { 200: schema.campaign, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: skCampaign(await setOfferActive(tx, request.principal, request.params.id, request.body.active), await networkTimeZone(tx)),
      })),
  );

  app.post<Id & { Body: { subId: string | number; bidFactor: number } }>(
    '/campaigns/:id/bid-factor',
    { schema: { ...doc('Bid factors', 'Set the bid factor of one sub-ID'), params: idParams, body: schema.bidFactorBody, response: { 200: schema.bidFactorResult, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const factors = [{ subId: normalizeSubId('subId', String(request.body.subId)), factorE4: parseBidFactor('bidFactor', request.body.bidFactor) }];
        return { statusCode: 200, body: bidFactorResult(request.params.id, await setBidFactors(tx, request.principal, request.params.id, factors)) };
      }),
  );

  app.post<Id & { Body: { subIds: Array<{ subId: string | number; bidFactor: number }> } }>(
    '/campaigns/:id/bid-factors',
    { schema: { ...doc('Bid factors', 'Set the bid factors of several sub-IDs'), params: idParams, body: schema.bidFactorsBody, response: { 200: schema.bidFactorResult, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const factors = request.body.subIds.map((entry, index) => ({
          subId: normalizeSubId(`subIds[${index}].subId`, String(entry.subId)),
          factorE4: parseBidFactor(`subIds[${index}].bidFactor`, entry.bidFactor),
        }));
        return { statusCode: 200, body: bidFactorResult(request.params.id, await setBidFactors(tx, request.principal, request.params.id, factors)) };
      }),
  );

  app.get<{ Querystring: { page: number } }>(
    '/control-lists',
    { schema: { ...doc('Control lists', 'List control lists'), querystring: schema.pageQuery, response: { 200: schema.paged(schema.controlListSummary), ...errors(400, 401, 403) } } },
    async (request) => {
      const page = await listControlLists(db, request.principal, request.query.page, PER_PAGE);
      return skPage({ ...page, items: page.items.map(skControlListSummary) });
    },
  );

  app.post<{ Body: SkControlListBody }>(
    '/control-lists',
    { schema: { ...doc('Control lists', 'Create a control list'), body: schema.controlListBody, response: { 200: schema.controlList, ...errors(400, 401, 403, 409) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: skControlList(await createControlList(tx, request.principal, controlListInput(request.body))),
      })),
  );

  app.get<Id>(
    '/control-lists/:id',
    { schema: { ...doc('Control lists', 'Get a control list with its campaigns and sub-IDs'), params: idParams, response: { 200: schema.controlList, ...errors(400, 401, 403, 404) } } },
    async (request) => skControlList(await getControlList(db, request.principal, request.params.id)),
  );

  app.put<Id & { Body: SkControlListBody }>(
    '/control-lists/:id',
    { schema: { ...doc('Control lists', 'Replace a control list'), params: idParams, body: schema.controlListBody, response: { 200: schema.controlList, ...errors(400, 401, 403, 404) } } },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 200,
        body: skControlList(await updateControlList(tx, request.principal, request.params.id, controlListInput(request.body))),
      })),
  );

  app.patch('/control-lists/:id', { schema: { hide: true } }, async (_request, reply) =>
    reply.code(405).header('Allow', 'GET, PUT').type('application/json').send(JSON.stringify({ error: 'Method Not Allowed: use PUT' })),
  );

  app.get<{ Querystring: { from: string; to: string; page: number; advertiserId?: number; format?: 'json' | 'csv' } }>(
    '/stats/by-campaign',
    { schema: { ...doc('Stats', 'Spend, clicks and conversions by campaign'), querystring: schema.campaignStatsQuery, response: { 200: schema.paged(schema.campaignStatsItem), ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { from, to, page, advertiserId, format } = request.query;
      const result = await statsByOffer(db, request.principal, parseDayRange(from, to), { advertiserId, page, perPage: STATS_PER_PAGE });
      const body = skPage({
        ...result,
        items: result.items.map((row) => ({
          id: row.offerId,
          name: row.offerName,
          spend: moneyToNumber(row.spendMicros),
          revenue: moneyToNumber(row.saleMicros),
          clicks: Number(row.clicks),
          impressions: Number(row.impressions),
          conversions: Number(row.conversions),
          advertiser: { id: row.advertiserId, name: row.advertiserName },
        })),
      });
      const csvRows = body.items.map(({ advertiser, ...item }) => ({ ...item, advertiserId: advertiser.id, advertiserName: advertiser.name }));
      const columns = ['id', 'name', 'spend', 'revenue', 'clicks', 'impressions', 'conversions', 'advertiserId', 'advertiserName'];
      return sendReport(reply, format, columns, csvRows, body);
    },
  );

  app.get<{ Params: { campaignId: number }; Querystring: { from: string; to: string; page: number; subid?: string; channel?: number; format?: 'json' | 'csv' } }>(
    '/stats/campaigns/:campaignId/by-publisher',
    {
      schema: {
        ...doc('Stats', 'Clicks, spend and conversions of one campaign by sub-ID'),
        params: { type: 'object', properties: { campaignId: idSchema }, required: ['campaignId'] },
        querystring: schema.publisherStatsQuery,
        response: { 200: schema.paged(schema.publisherStatsItem), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { from, to, page, subid, channel, format } = request.query;
      const result = await statsBySubId(db, request.principal, request.params.campaignId, parseDayRange(from, to), {
        subId: subid,
        channelId: channel,
        page,
        perPage: STATS_PER_PAGE,
      });
      const body = skPage({
        ...result,
        items: result.items.map((row) => ({
          subId: row.subId,
          clicks: Number(row.clicks),
          spend: moneyToNumber(row.spendMicros),
          winRate: row.offered > 0n ? Number(row.clicks) / Number(row.offered) : 0,
          bidFactor: row.bidFactorE4 / 10_000,
          ecpc: row.clicks > 0n ? moneyToNumber(row.spendMicros / row.clicks) : 0,
          conversions: Number(row.conversions),
        })),
      });
      return sendReport(reply, format, ['subId', 'clicks', 'spend', 'winRate', 'bidFactor', 'ecpc', 'conversions'], body.items, body);
    },
  );
}

interface SkControlListBody {
  name: string;
  type: 'allow' | 'block';
  global: boolean;
  campaigns: Array<number | { id: number }>;
  subIds: Array<string | number>;
  resetBidFactors: boolean;
}

function controlListInput(body: SkControlListBody): ControlListInput {
  return {
    name: body.name,
    type: body.type,
    global: body.global,
    offerIds: body.campaigns.map((campaign) => (typeof campaign === 'number' ? campaign : campaign.id)),
    subIds: body.subIds.map(String),
    resetBidFactors: body.resetBidFactors,
  };
}

function bidFactorResult(campaignId: number, factors: Array<{ subId: string; factorE4: number }>) {
  return { campaignId, items: factors.map((factor) => ({ subId: factor.subId, bidFactor: factor.factorE4 / 10_000 })) };
}
