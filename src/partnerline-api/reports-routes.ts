import type { FastifyInstance } from 'fastify';
import { sendReport } from '../http/report-reply.ts';
import { errorBody } from '../http/schema-types.ts';
import { getNetwork } from '../network/network.ts';
import type { Platform } from '../platform.ts';
import { buildDashboard } from '../reports/dashboard.ts';
import { refusedClicksByDay } from '../reports/refused-clicks-report.ts';
import { fieldAllowed, statsScopeFor } from '../reports/report-access.ts';
import { parseDayRange } from '../reports/sk-stats.ts';
import { DIMENSIONS, METRIC_KIND, METRICS, runStats, type Dimension, type FilterOperator, type Metric, type StatsFilter } from '../reports/stats-engine.ts';
import { ForbiddenError, ValidationError } from '../shared/errors.ts';
import { formatMoney } from '../shared/money.ts';

interface StatsQuerystring {
  dimensions?: string;
  metrics: string;
  from: string;
  to: string;
  hourOffset?: number;
  filter?: string | string[];
  sort?: string;
  limit?: number;
  page: number;
  totals?: boolean;
  format?: 'json' | 'csv';
}

const OPERATORS: FilterOperator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'between', 'like', 'not_like', 'null', 'not_null'];

/** `field:op:value[,value…]`, e.g. `country:eq:US,CA` or `payout:gt:10`. */
function parseFilter(text: string): StatsFilter {
  const [field = '', op = '', ...rest] = text.split(':');
  const values = rest.join(':');
  if (!Object.hasOwn(DIMENSIONS, field) && !Object.hasOwn(METRICS, field)) throw new ValidationError('filter', `unknown field "${field}"`);
  if (!OPERATORS.includes(op as FilterOperator)) throw new ValidationError('filter', `operator must be one of ${OPERATORS.join(', ')}`);
  return { field: field as Dimension | Metric, op: op as FilterOperator, values: values === '' ? [] : values.split(',') };
}

function names<T extends string>(text: string | undefined, known: Record<string, unknown>, what: string): T[] {
  const list = (text ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of list) if (!Object.hasOwn(known, name)) throw new ValidationError(what, `unknown ${what.slice(0, -1)} "${name}"; known: ${Object.keys(known).join(', ')}`);
  // A column asked for twice is one column.
  return [...new Set(list)] as T[];
}

function formatMetric(metric: Metric, value: unknown): string | number {
  if (METRIC_KIND[metric] === 'money') return formatMoney(BigInt(value as bigint), 6);
  if (METRIC_KIND[metric] === 'rate') return Number(Number(value).toFixed(4));
  return Number(value);
}

export function registerReportRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: StatsQuerystring }>(
    '/reports/stats',
    {
      schema: {
        tags: ['Reports'],
        summary: 'Any report: dimensions × metrics over local days, filtered, sorted, paged, as JSON or CSV',
        description:
          `Dimensions: ${Object.keys(DIMENSIONS).join(', ')}. Metrics: ${Object.keys(METRICS).join(', ')}. ` +
          'Filters as field:op:values (op eq, ne, lt, le, gt, ge, between, like, not_like, null, not_null). Sort as field or -field. ' +
          'Money is in currency units with 6 decimals; rates are percentages.',
        security: [{ apiKey: [] }],
        querystring: {
          type: 'object',
          properties: {
            dimensions: { type: 'string' },
            metrics: { type: 'string', minLength: 1 },
            from: { type: 'string' },
            to: { type: 'string' },
            hourOffset: { type: 'integer', minimum: -24, maximum: 24 },
            filter: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            sort: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 100_000 },
            page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
            totals: { type: 'boolean' },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
          required: ['metrics', 'from', 'to'],
        },
        response: { 400: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const dimensions = names<Dimension>(query.dimensions, DIMENSIONS, 'dimensions');
      const metrics = names<Metric>(query.metrics, METRICS, 'metrics');
      for (const field of [...dimensions, ...metrics]) if (!fieldAllowed(request.principal, field)) throw new ForbiddenError(`The field ${field} is not available to partners`);
      const range = parseDayRange(query.from, query.to);
      const filters = (Array.isArray(query.filter) ? query.filter : query.filter ? [query.filter] : []).map(parseFilter);
      for (const filter of filters) if (!fieldAllowed(request.principal, filter.field)) throw new ForbiddenError(`The field ${filter.field} is not available to partners`);
      const sort = (query.sort ?? '').split(',').filter(Boolean).map((item) => {
        const field = item.replace(/^-/, '');
        if (!dimensions.includes(field as Dimension) && !metrics.includes(field as Metric)) throw new ValidationError('sort', `"${field}" is not among the report's columns`);
        return { field: field as Dimension | Metric, direction: item.startsWith('-') ? ('desc' as const) : ('asc' as const) };
      });
      const { timeZone } = await getNetwork(platform.store);
      const result = await runStats(platform.store, {
        dimensions,
        metrics,
        from: range.from,
        to: range.to,
        timeZone,
        hourOffset: query.hourOffset ?? 0,
        filters,
        sort,
        limit: query.limit,
        page: query.page,
        totals: query.totals ?? false,
        scope: await statsScopeFor(platform.store, request.principal),
      });
      const figures = (row: Record<string, unknown>) =>
        Object.fromEntries(metrics.map((metric) => [metric, row[metric] === null ? null : formatMetric(metric, row[metric] ?? 0)]));
      const shape = (row: Record<string, unknown>) => ({
        ...Object.fromEntries(result.dimensions.map((dimension) => [dimension, row[dimension] ?? null])),
        ...figures(row),
      });
      const rows = result.rows.map(shape);
      return sendReport(reply, query.format, [...result.dimensions, ...metrics], rows, {
        timeZone,
        from: range.from,
        to: range.to,
        count: result.count,
        page: query.page,
        rows,
        ...(result.totals ? { totals: figures(result.totals) } : {}),
        ...(result.totalsByCurrency ? { totalsByCurrency: result.totalsByCurrency.map((row) => ({ currency: row.currency, ...figures(row) })) } : {}),
      });
    },
  );

  app.get<{ Querystring: { from: string; to: string; offerId?: number; partnerId?: number; outcome?: string; subId?: string; page: number; limit: number; format?: 'json' | 'csv' } }>(
    '/reports/refused-clicks',
    {
      schema: {
        tags: ['Reports'],
        summary: 'Clicks sent on without being counted, and why: by local day, offer, partner, outcome and sub-ID, as JSON or CSV',
        description:
          "A refused click goes to the offer's fallback URL and a bot's to the offer, but neither enters the statistics or costs " +
          'anything. outcome is bot, or the reason: unknown_offer, unknown_partner, offer_inactive, offer_not_started, offer_ended, ' +
          'partner_inactive, not_approved, partner_blocked, sub_id_not_allowed, sub_id_blocked, ip_blocked, referrer_blocked, channel_not_targeted, ' +
          'geo_not_targeted, device_not_targeted, bid_factor_zero, budget_exhausted, click_cap_reached or ip_click_limit. offerId and partnerId are 0 where the link named none. ' +
          "subId is the sub-ID the click was judged by (the partner's id and source as partner_source, else the partner's id), '' where the offer or partner was unknown. " +
          'A partner sees the clicks naming it, an advertiser (or agency) those on its offers, the network all.',
        security: [{ apiKey: [] }],
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', description: 'First local day, YYYY-MM-DD' },
            to: { type: 'string', description: 'Last local day, YYYY-MM-DD' },
            offerId: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
            partnerId: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
            outcome: { type: 'string', pattern: '^[a-z_]{1,40}$' },
            subId: { type: 'string', maxLength: 255 },
            page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
          required: ['from', 'to'],
        },
        response: { 400: errorBody },
      },
    },
    async (request, reply) => {
      const { from, to, format, ...query } = request.query;
      const range = parseDayRange(from, to);
      const { timeZone } = await getNetwork(platform.store);
      const page = await refusedClicksByDay(platform.store, await statsScopeFor(platform.store, request.principal), { ...query, ...range, timeZone });
      return sendReport(reply, format, ['date', 'offerId', 'partnerId', 'outcome', 'subId', 'clicks'], page.items, {
        timeZone,
        ...range,
        page: page.page,
        hasMore: page.hasMore,
        rows: page.items,
      });
    },
  );
}

/** Report rows as JSON carries them: money as decimal strings, counts and rates as numbers. */
function formatRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([field, value]) => [field, Object.hasOwn(METRICS, field) && value !== null ? formatMetric(field as Metric, value) : value]));
}

export function registerDashboardRoute(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: { series: 'day' | 'hour' } }>(
    '/dashboard',
    {
      schema: {
        tags: ['Reports'],
        summary: "Your dashboard's figures: today, yesterday, this month and last month; a series by day (30 days) or by hour (today); top offers; what waits on you",
        security: [{ apiKey: [] }],
        querystring: { type: 'object', properties: { series: { type: 'string', enum: ['day', 'hour'], default: 'day' } } },
      },
    },
    async (request) => {
      const { timeZone } = await getNetwork(platform.store);
      const dashboard = await buildDashboard(platform.store, request.principal, timeZone, new Date(), request.query.series);
      return {
        ...dashboard,
        periods: Object.fromEntries(Object.entries(dashboard.periods).map(([period, rows]) => [period, rows.map(formatRow)])),
        series: dashboard.series.map(formatRow),
        topOffers: dashboard.topOffers.map(formatRow),
      };
    },
  );
}
