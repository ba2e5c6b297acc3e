import type { FastifyInstance } from 'fastify';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { createAdvertiser, getAdvertiser, listAdvertisers, setAdvertiserStanding, setSecurityToken, updateAdvertiser, type AdvertiserInput } from '../advertisers/advertisers.ts';
import { getAgency, listAgencies, saveAgency } from '../agencies/agencies.ts';
import { sendWrite } from '../http/json-api.ts';
import { errorBody, idParams, nullableIdSchema, pagedList, pageSchema, perPageSchema, strictBody } from '../http/schema-types.ts';
import { createPartner, getPartner, listPartners, updatePartner, PARTNER_STATUSES, type PartnerChanges, type PartnerStatus } from '../partners/partners.ts';
import type { Platform } from '../platform.ts';
import { advertiser } from '../sourceknowledge/sk-schemas.ts';
import { ForbiddenError } from '../shared/errors.ts';

/** The network's accounts: partners, advertisers and agencies. */

const partnerSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    company: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    website: { type: ['string', 'null'] },
    status: { type: 'string', enum: [...PARTNER_STATUSES] },
    channelId: { type: ['integer', 'null'] },
    tierId: { type: ['integer', 'null'] },
    tierName: { type: ['string', 'null'] },
    users: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The SourceKnowledge API's advertiser, with what the network and the advertiser itself manage beside. */
const advertiserSchema = {
  type: 'object',
  properties: {
    ...advertiser.properties,
    agencyId: { type: ['integer', 'null'] },
    status: { type: 'string' },
    conversionSecurityToken: { type: ['string', 'null'], description: 'Postbacks for its offers must carry it as security_token' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const agencySchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, advertisers: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' } },
} as const;

const partnerFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  email: { type: ['string', 'null'], maxLength: 254 },
  website: { type: ['string', 'null'], maxLength: 2000 },
  status: { type: 'string', enum: ['active', 'blocked', 'pending'], description: 'blocked: its clicks and conversions stop counting' },
} as const;

const advertiserFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  businessUrl: { type: 'string', maxLength: 2000 },
  categoryId: nullableIdSchema,
  status: { type: 'string', enum: ['active', 'paused', 'blocked'] },
  agencyId: nullableIdSchema,
  conversionSecurityToken: { type: ['string', 'null'], maxLength: 64 },
} as const;

export function registerAccountRoutes(app: FastifyInstance, platform: Platform): void {
  const doc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ apiKey: [] }] });

  app.get<{ Querystring: { status?: PartnerStatus; search?: string; page: number; perPage: number } }>(
    '/partners',
    {
      schema: {
        ...doc('Partners', 'The partners of the network, newest first, a page at a time (network only)'),
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...PARTNER_STATUSES] },
            search: { type: 'string', maxLength: 200, description: 'Part of the name or email' },
            page: pageSchema,
            perPage: perPageSchema,
          },
        },
        response: {
          200: pagedList(partnerSchema),
          403: errorBody,
        },
      },
    },
    (request) => {
      requireNetworkAdmin(request.principal);
      return listPartners(platform.store, request.query);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/partners/:id',
    { schema: { ...doc('Partners', 'One partner (the network; a partner its own)'), params: idParams, response: { 200: partnerSchema, 403: errorBody, 404: errorBody } } },
    async (request) => {
      const { principal } = request;
      if (principal.role !== 'network_admin' && principal.partnerId !== request.params.id) throw new ForbiddenError('You may read only your own partner account');
      const [partner] = (await listPartners(platform.store, { id: request.params.id })).items;
      return partner ?? getPartner(platform.store, request.params.id);
    },
  );

  app.post<{ Body: { name: string; email?: string | null; website?: string | null; status?: PartnerStatus } }>(
    '/partners',
    {
      schema: {
        ...doc('Partners', 'Add a partner (network only); invite its people with POST /users'),
        body: strictBody(partnerFields, { required: ['name'] }),
        response: { 201: partnerSchema, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) => {
      requireNetworkAdmin(request.principal);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await createPartner(tx, request.body) }));
    },
  );

  app.patch<{ Params: { id: number }; Body: PartnerChanges }>(
    '/partners/:id',
    {
      schema: {
        ...doc('Partners', 'Change a partner; status blocked deactivates it (network only)'),
        params: idParams,
        body: strictBody(partnerFields, { minProperties: 1 }),
        response: { 200: partnerSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) => {
      requireNetworkAdmin(request.principal);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await updatePartner(tx, request.params.id, request.body) }));
    },
  );

  app.get<{ Querystring: { page: number; perPage: number } }>(
    '/advertisers',
    {
      schema: {
        ...doc('Advertisers', 'Advertisers you may see (network: all; agencies: theirs; an advertiser: itself)'),
        querystring: { type: 'object', properties: { page: pageSchema, perPage: perPageSchema } },
        response: { 200: pagedList(advertiserSchema) },
      },
    },
    (request) => listAdvertisers(platform.store, request.principal, request.query.page, request.query.perPage),
  );

  app.get<{ Params: { id: number } }>(
    '/advertisers/:id',
    { schema: { ...doc('Advertisers', 'One advertiser'), params: idParams, response: { 200: advertiserSchema, 403: errorBody, 404: errorBody } } },
    (request) => getAdvertiser(platform.store, request.principal, request.params.id),
  );

  app.post<{ Body: AdvertiserInput }>(
    '/advertisers',
    {
      schema: {
        ...doc('Advertisers', 'Add an advertiser (network and agencies)'),
        body: strictBody({ name: advertiserFields.name, businessUrl: advertiserFields.businessUrl, categoryId: advertiserFields.categoryId }, { required: ['name'] }),
        response: { 201: advertiserSchema, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => ({
        statusCode: 201,
        body: await createAdvertiser(tx, request.principal, { name: request.body.name, businessUrl: request.body.businessUrl ?? '', categoryId: request.body.categoryId ?? null }),
      })),
  );

  app.patch<{ Params: { id: number }; Body: Partial<AdvertiserInput> & { status?: 'active' | 'paused' | 'blocked'; agencyId?: number | null; conversionSecurityToken?: string | null } }>(
    '/advertisers/:id',
    {
      schema: {
        ...doc('Advertisers', 'Change an advertiser and its postback security token; the network also sets its status (paused, blocked) and agency'),
        params: idParams,
        body: strictBody(advertiserFields, { minProperties: 1 }),
        response: { 200: advertiserSchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) =>
      sendWrite(platform, request, reply, async (tx) => {
        const { status, agencyId, conversionSecurityToken, ...details } = request.body;
        const current = await getAdvertiser(tx, request.principal, request.params.id);
        let advertiser = current;
        if (Object.keys(details).length > 0) {
          advertiser = await updateAdvertiser(tx, request.principal, current.id, {
            name: details.name ?? current.name,
            businessUrl: details.businessUrl ?? current.businessUrl,
            categoryId: details.categoryId === undefined ? current.categoryId : details.categoryId,
          });
        }
        if (status !== undefined || agencyId !== undefined) advertiser = await setAdvertiserStanding(tx, request.principal, current.id, { status, agencyId });
        if (conversionSecurityToken !== undefined) advertiser = await setSecurityToken(tx, request.principal, current.id, conversionSecurityToken);
        return { statusCode: 200, body: advertiser };
      }),
  );

  app.get('/agencies', { schema: { ...doc('Agencies', 'Agencies (network only)'), response: { 200: { type: 'array', items: agencySchema }, 403: errorBody } } }, (request) => {
    requireNetworkAdmin(request.principal);
    return listAgencies(platform.store);
  });

  app.post<{ Body: { name: string } }>(
    '/agencies',
    {
      schema: {
        ...doc('Agencies', 'Add an agency (network only)'),
        body: strictBody({ name: { type: 'string', minLength: 1, maxLength: 200 } }, { required: ['name'] }),
        response: { 201: agencySchema, 400: errorBody, 403: errorBody },
      },
    },
    (request, reply) => {
      requireNetworkAdmin(request.principal);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 201, body: await saveAgency(tx, null, request.body.name) }));
    },
  );

  app.patch<{ Params: { id: number }; Body: { name: string } }>(
    '/agencies/:id',
    {
      schema: {
        ...doc('Agencies', 'Rename an agency (network only)'),
        params: idParams,
        body: strictBody({ name: { type: 'string', minLength: 1, maxLength: 200 } }, { required: ['name'] }),
        response: { 200: agencySchema, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    (request, reply) => {
      requireNetworkAdmin(request.principal);
      return sendWrite(platform, request, reply, async (tx) => ({ statusCode: 200, body: await saveAgency(tx, request.params.id, request.body.name) }));
    },
  );

  app.get<{ Params: { id: number } }>('/agencies/:id', { schema: { ...doc('Agencies', 'One agency'), params: idParams, response: { 200: agencySchema, 403: errorBody, 404: errorBody } } }, (request) => {
    if (request.principal.role !== 'network_admin' && request.principal.agencyId !== request.params.id) throw new ForbiddenError('You may read only your own agency');
    return getAgency(platform.store, request.params.id);
  });
}
