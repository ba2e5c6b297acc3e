import { idSchema, nullableIdSchema, pageSchema } from '../http/schema-types.ts';

/** JSON schemas of the SourceKnowledge v2 wire format: they validate requests and document the API. */

export const errorBody = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;

const nullableString = { type: ['string', 'null'] } as const;
export const pageQuery = { type: 'object', properties: { page: pageSchema } } as const;

export const advertiser = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    businessUrl: { type: 'string' },
    categoryId: { type: ['integer', 'null'] },
    categoryName: nullableString,
  },
} as const;

export const advertiserBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    businessUrl: { type: 'string', minLength: 1, maxLength: 2048 },
    categoryId: nullableIdSchema,
  },
  required: ['name', 'businessUrl', 'categoryId'],
  example: { name: 'Acme Outdoor', businessUrl: 'https://acme-outdoor.example', categoryId: 1 },
} as const;

const campaignSummaryProperties = {
  id: { type: 'integer' },
  name: { type: 'string' },
  active: { type: 'boolean' },
  status: { type: 'integer', description: '1 live, 0 paused' },
  start: { type: 'string', description: 'ISO-8601 UTC' },
  end: { ...nullableString, description: 'ISO-8601 UTC; null when the campaign has no end' },
  updated: { type: 'string' },
  advertiser: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
} as const;

export const campaignSummary = { type: 'object', properties: campaignSummaryProperties } as const;

export const campaign = {
  type: 'object',
  properties: {
    ...campaignSummaryProperties,
    dailyBudget: { type: 'number' },
    cpc: { type: 'number' },
    trackingUrl: { type: 'string' },
    allowDeepLink: { type: 'boolean' },
    geoTargeting: { type: 'array', items: { type: 'string' } },
    deviceTargeting: { type: 'array', items: { type: 'string' } },
    partnerChannels: { type: 'array', items: { type: 'integer' } },
  },
} as const;

const dateOrDateTime = {
  type: 'string',
  description: 'YYYY-MM-DD (a day in the network time zone) or an ISO-8601 date-time',
} as const;

const campaignFields = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  start: dateOrDateTime,
  end: { anyOf: [dateOrDateTime, { type: 'null' }] },
  dailyBudget: { type: 'number', minimum: 0, description: 'Currency units a day, e.g. 150.50; 0 sets no daily budget' },
  cpc: { type: 'number', minimum: 0, description: 'Cost per click in currency units, e.g. 0.25; a campaign priced per conversion reads and takes 0' },
  trackingUrl: { type: 'string', minLength: 1, maxLength: 4096 },
  allowDeepLink: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }], description: 'true or false; "true" and "false" are taken too' },
  geoTargeting: { type: 'array', items: { type: 'string' }, maxItems: 300 },
  deviceTargeting: { type: 'array', items: { type: 'string' }, maxItems: 3 },
  partnerChannels: { type: 'array', items: idSchema, maxItems: 100 },
  strategyId: { type: 'integer', enum: [3], description: 'Only 3 (domain targeting)' },
  advertiserId: idSchema,
} as const;

export const campaignCreateBody = {
  type: 'object',
  properties: campaignFields,
  required: ['name', 'start', 'dailyBudget', 'cpc', 'trackingUrl', 'geoTargeting', 'strategyId', 'advertiserId'],
  example: {
    name: 'Spring sale',
    start: '2026-03-01',
    end: '2026-03-31',
    dailyBudget: 150.5,
    cpc: 0.25,
    trackingUrl: 'https://acme-outdoor.example/sale?clickid={clickid}',
    allowDeepLink: false,
    geoTargeting: ['US', 'CA'],
    deviceTargeting: ['Mobile'],
    partnerChannels: [1],
    strategyId: 3,
    advertiserId: 1,
  },
} as const;

/** A full replace; clients send back what GET gave them, so `advertiser`, `active` and the rest are accepted. */
export const campaignReplaceBody = {
  type: 'object',
  properties: {
    ...campaignFields,
    active: { type: 'boolean' },
    advertiser: { type: 'object', properties: { id: idSchema } },
  },
  required: ['name', 'start', 'dailyBudget', 'cpc', 'trackingUrl', 'geoTargeting'],
} as const;

export const campaignActiveBody = {
  type: 'object',
  properties: { active: { type: 'boolean' } },
  required: ['active'],
  example: { active: false },
} as const;

export const campaignListQuery = {
  type: 'object',
  properties: { ...pageQuery.properties, advertiserId: idSchema },
} as const;

const subId = { type: ['string', 'integer'], description: 'Sub-ID: a partner id, or partnerId_source' } as const;
const bidFactor = { type: 'number', minimum: 0, maximum: 100, description: 'Multiplier on the CPC; 0 stops buying' } as const;

export const bidFactorBody = {
  type: 'object',
  properties: { subId, bidFactor },
  required: ['subId', 'bidFactor'],
  example: { subId: '12', bidFactor: 1.25 },
} as const;

export const bidFactorsBody = {
  type: 'object',
  properties: {
    subIds: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'object', properties: { subId, bidFactor }, required: ['subId', 'bidFactor'] },
    },
  },
  required: ['subIds'],
} as const;

export const bidFactorResult = {
  type: 'object',
  properties: {
    campaignId: { type: 'integer' },
    items: {
      type: 'array',
      items: { type: 'object', properties: { subId: { type: 'string' }, bidFactor: { type: 'number' } } },
    },
  },
} as const;

const controlListSummaryProperties = {
  id: { type: 'integer' },
  name: { type: 'string' },
  itemsCount: { type: 'integer', description: 'Number of sub-IDs on the list' },
  type: { type: 'string', enum: ['allow', 'block'] },
  global: { type: 'boolean' },
  updated: { type: 'string', description: 'YYYY-MM-DD HH:MM:SS (UTC)' },
} as const;

export const controlListSummary = { type: 'object', properties: controlListSummaryProperties } as const;

export const controlList = {
  type: 'object',
  properties: {
    ...controlListSummaryProperties,
    campaigns: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } },
    subIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const controlListBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    type: { type: 'string', enum: ['allow', 'block'] },
    global: { type: 'boolean', default: false },
    campaigns: {
      type: 'array',
      maxItems: 10000,
      default: [],
      items: { anyOf: [idSchema, { type: 'object', properties: { id: idSchema }, required: ['id'] }] },
    },
    subIds: { type: 'array', maxItems: 100000, default: [], items: subId },
    resetBidFactors: { type: 'boolean', default: false },
  },
  required: ['name', 'type'],
  example: { name: 'Trusted sources', type: 'allow', global: false, campaigns: [1], subIds: ['12', '12_blog'] },
} as const;

export const statsQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', description: 'First day, YYYY-MM-DD, in the network time zone' },
    to: { type: 'string', description: 'Last day, YYYY-MM-DD, inclusive' },
    page: pageSchema,
    format: { type: 'string', enum: ['json', 'csv'], description: 'csv: the page as a CSV file' },
  },
  required: ['from', 'to'],
} as const;

export const campaignStatsQuery = {
  type: 'object',
  properties: { ...statsQuery.properties, advertiserId: idSchema },
  required: ['from', 'to'],
} as const;

export const publisherStatsQuery = {
  type: 'object',
  properties: { ...statsQuery.properties, subid: { type: 'string' }, channel: idSchema },
  required: ['from', 'to'],
} as const;

export const campaignStatsItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    spend: { type: 'number' },
    revenue: { type: 'number' },
    clicks: { type: 'integer' },
    impressions: { type: 'integer' },
    conversions: { type: 'integer' },
    advertiser: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
  },
} as const;

export const publisherStatsItem = {
  type: 'object',
  properties: {
    subId: { type: 'string' },
    clicks: { type: 'integer' },
    spend: { type: 'number' },
    winRate: { type: 'number' },
    bidFactor: { type: 'number' },
    ecpc: { type: 'number' },
    conversions: { type: 'integer' },
  },
} as const;

export function paged(item: object) {
  return {
    type: 'object',
    properties: {
      itemsCount: { type: 'integer' },
      items: { type: 'array', items: item },
      hasMore: { type: 'boolean' },
      page: { type: 'integer' },
    },
  } as const;
}

export const namedList = {
  type: 'array',
  items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
} as const;

