import type { Role } from '../accounts/principal.ts';
import { METRIC_KIND, runStats, type Dimension, type FilterOperator, type Metric, type StatsFilter, type StatsScope } from '../reports/stats-engine.ts';
import { formatMoney } from '../shared/money.ts';
import { likePattern, SqlParams } from '../shared/sql.ts';
import { isCalendarDate, localDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';
import { HasOffersError, missingArgument, unknownField, type Params } from './envelope.ts';
import { intParam, list, param } from './values.ts';

/** Report::getStats and getConversions, for the network, an affiliate or an advertiser, over the stats engine. */

const DIMENSION_FIELDS: Record<string, Dimension> = {
  'Stat.date': 'date',
  'Stat.hour': 'hour',
  'Stat.week': 'week',
  'Stat.month': 'month',
  'Stat.year': 'year',
  'Stat.offer_id': 'offer_id',
  'Offer.name': 'offer_name',
  'Stat.advertiser_id': 'advertiser_id',
  'Advertiser.company': 'advertiser_name',
  'Stat.affiliate_id': 'partner_id',
  'Affiliate.company': 'partner_name',
  'Stat.goal_id': 'goal_id',
  'Goal.name': 'goal_name',
  'Stat.country_code': 'country',
  'Country.name': 'country',
  'Stat.source': 'source',
  'Stat.affiliate_info': 'sub1',
  'Stat.affiliate_info1': 'sub1',
  'Stat.affiliate_info2': 'sub2',
  'Stat.affiliate_info3': 'sub3',
  'Stat.affiliate_info4': 'sub4',
  'Stat.affiliate_info5': 'sub5',
  'Browser.display_name': 'browser',
  'Stat.currency': 'currency',
  'Stat.payout_type': 'payout_type',
  'Stat.revenue_type': 'revenue_type',
  'Stat.device_type': 'device',
};

const METRIC_FIELDS: Record<string, Metric> = {
  'Stat.impressions': 'impressions',
  'Stat.clicks': 'clicks',
  'Stat.gross_clicks': 'gross_clicks',
  'Stat.unique_clicks': 'unique_clicks',
  'Stat.conversions': 'conversions',
  'Stat.pending_conversions': 'pending_conversions',
  'Stat.rejected_conversions': 'rejected_conversions',
  'Stat.payout': 'payout',
  'Stat.approved_payout': 'payout',
  'Stat.revenue': 'revenue',
  'Stat.profit': 'profit',
  'Stat.sale_amount': 'sale_amount',
  'Stat.pending_payout': 'pending_payout',
  'Stat.pending_revenue': 'pending_revenue',
  'Stat.pending_sale_amount': 'pending_sale_amount',
  'Stat.net_payout': 'net_payout',
  'Stat.net_revenue': 'net_revenue',
  'Stat.ctr': 'ctr',
  'Stat.gross_ctr': 'ctr',
  'Stat.unique_ctr': 'unique_ctr',
  'Stat.ltr': 'ltr',
  'Stat.cpc': 'cpc',
  'Stat.cpm': 'cpm',
  'Stat.cpa': 'cpa',
  'Stat.epc': 'epc',
  'Stat.erpc': 'erpc',
  'Stat.rpc': 'rpc',
  'Stat.rpm': 'rpm',
  'Stat.rpa': 'rpa',
  'Stat.approved_rate': 'approved_rate',
  'Stat.rejected_rate': 'rejected_rate',
};

/** An affiliate never sees revenue or profit, nor who else is in the network. */
/** Visitors' addresses are for the network alone, as in the v1 API. */
const VISITOR_ADDRESSES = ['Stat.ip', 'Stat.session_ip'];
const HIDDEN_FROM_AFFILIATES = new Set(['Stat.revenue', 'Stat.profit', 'Stat.pending_revenue', 'Stat.net_revenue', 'Stat.rpc', 'Stat.rpm', 'Stat.rpa', 'Stat.affiliate_id', 'Affiliate.company', 'Stat.advertiser_id', 'Advertiser.company', 'Stat.revenue_type', ...VISITOR_ADDRESSES]);
/** An advertiser sees its cost as payout: what it pays, which is the network's revenue. */
const ADVERTISER_METRICS: Record<string, Metric> = { 'Stat.payout': 'revenue', 'Stat.approved_payout': 'revenue', 'Stat.pending_payout': 'pending_revenue', 'Stat.net_payout': 'net_revenue', 'Stat.cpc': 'rpc', 'Stat.cpm': 'rpm', 'Stat.cpa': 'rpa', 'Stat.epc': 'rpc', 'Stat.erpc': 'rpc' };
const HIDDEN_FROM_ADVERTISERS = new Set(['Stat.revenue', 'Stat.profit', 'Stat.pending_revenue', 'Stat.net_revenue', 'Stat.rpc', 'Stat.rpm', 'Stat.rpa', 'Stat.payout_type', 'Stat.revenue_type', ...VISITOR_ADDRESSES]);

const CONDITIONALS: Record<string, FilterOperator> = {
  EQUAL_TO: 'eq',
  NOT_EQUAL_TO: 'ne',
  LESS_THAN: 'lt',
  LESS_THAN_OR_EQUAL_TO: 'le',
  GREATER_THAN: 'gt',
  GREATER_THAN_OR_EQUAL_TO: 'ge',
  BETWEEN: 'between',
  LIKE: 'like',
  NOT_LIKE: 'not_like',
  NULL: 'null',
  NOT_NULL: 'not_null',
};

/** Conditionals that compare the field with one value. */
const SCALAR_OPERATORS: Partial<Record<FilterOperator, string>> = { lt: '<', le: '<=', gt: '>', ge: '>=' };

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export interface ReportCaller {
  role: Role;
  scope: StatsScope;
  timeZone: string;
}

function resolveField(caller: ReportCaller, name: string): { dimension?: Dimension; metric?: Metric } {
  if (caller.role === 'partner' && HIDDEN_FROM_AFFILIATES.has(name)) throw unknownField(name);
  if (caller.role === 'advertiser' || caller.role === 'agency') {
    if (HIDDEN_FROM_ADVERTISERS.has(name)) throw unknownField(name);
    if (ADVERTISER_METRICS[name]) return { metric: ADVERTISER_METRICS[name] };
  }
  if (DIMENSION_FIELDS[name]) return { dimension: DIMENSION_FIELDS[name] };
  if (METRIC_FIELDS[name]) return { metric: METRIC_FIELDS[name] };
  throw unknownField(name);
}

/** hour_offset: hours added to the network's time zone for this report, at most a day either way. */
function hourOffsetOf(params: Params): number {
  const hourOffset = Number(param(params, 'hour_offset') ?? 0);
  if (!Number.isInteger(hourOffset) || Math.abs(hourOffset) > 24) throw new HasOffersError('hour_offset must be a whole number of hours');
  return hourOffset;
}

/** Report filters: filters[Field][conditional]=OP&filters[Field][values][]=…; Stat.date sets the range. */
function reportFilters(caller: ReportCaller, filters: unknown, today: string): { from: string; to: string; filters: StatsFilter[] } {
  let from = '2000-01-01';
  let to = today;
  const out: StatsFilter[] = [];
  if (filters && typeof filters === 'object') {
    for (const [name, spec] of Object.entries(filters as Record<string, unknown>)) {
      if (name === 'OR') throw new HasOffersError('Report filters cannot be combined with OR');
      const conditional = typeof spec === 'object' && spec !== null ? String((spec as Params).conditional ?? 'EQUAL_TO').toUpperCase() : 'EQUAL_TO';
      const values = typeof spec === 'object' && spec !== null ? list((spec as Params).values) : list(spec);
      const op = CONDITIONALS[conditional];
      if (!op) throw new HasOffersError(`Invalid conditional '${conditional}' for ${name}`);
      const field = resolveField(caller, name);
      if (name === 'Stat.date') {
        if (!values.every(isCalendarDate)) throw new HasOffersError(`Invalid date for ${name}: dates are YYYY-MM-DD`);
        if (op === 'between' || op === 'eq') {
          const sorted = [...values].sort();
          from = sorted[0] ?? from;
          to = sorted[sorted.length - 1] ?? to;
        } else if (op === 'ge' || op === 'gt') from = values[0]!;
        else if (op === 'le' || op === 'lt') to = values[0]!;
      }
      out.push({ field: (field.dimension ?? field.metric)!, op, values });
    }
  }
  return { from, to, filters: out };
}

function formatValue(field: string, value: string | number | bigint | null, metric: Metric | undefined): string | null {
  if (value === null) return null;
  if (metric) {
    if (METRIC_KIND[metric] === 'money') return formatMoney(BigInt(value), 5);
    if (METRIC_KIND[metric] === 'rate') return Number(value).toFixed(2);
    return String(value);
  }
  if (field === 'Country.name') return countryNames.of(String(value)) ?? String(value);
  return String(value);
}

/** Splits "Model.field" keys into {Model: {field: value}}. */
function grouped(entries: Array<[string, string | null]>): Record<string, Record<string, string | null>> {
  const out: Record<string, Record<string, string | null>> = {};
  for (const [name, value] of entries) {
    const [model, field] = name.split('.', 2) as [string, string];
    (out[model] ??= {})[field] = value;
  }
  return out;
}

export async function getStats(db: Queryable, caller: ReportCaller, params: Params) {
  const fields = list(params.fields);
  if (fields.length === 0) throw missingArgument('fields');
  const resolved = fields.map((name) => ({ name, ...resolveField(caller, name) }));
  const groups = list(params.groups);
  for (const name of groups) resolveField(caller, name);
  const dimensionNames = [...new Set([...groups, ...resolved.filter((field) => field.dimension).map((field) => field.name)])];
  const dimensions = [...new Set(dimensionNames.map((name) => resolveField(caller, name).dimension).filter((dimension): dimension is Dimension => Boolean(dimension)))];
  const metrics = [...new Set(resolved.map((field) => field.metric).filter((metric): metric is Metric => Boolean(metric)))];
  const hourOffset = hourOffsetOf(params);
  const today = localDay(new Date(), caller.timeZone);
  const range = reportFilters(caller, params.filters, today);
  const sort: Array<{ field: Dimension | Metric; direction: 'asc' | 'desc' }> = [];
  if (params.sort && typeof params.sort === 'object') {
    for (const [name, direction] of Object.entries(params.sort as Record<string, unknown>)) {
      const field = resolveField(caller, name);
      sort.push({ field: (field.dimension ?? field.metric)!, direction: String(direction).toLowerCase() === 'desc' ? 'desc' : 'asc' });
    }
  }
  const limit = intParam(params, 'limit');
  const page = Math.max(1, intParam(params, 'page') ?? 1);
  const result = await runStats(db, {
    dimensions,
    metrics,
    from: range.from,
    to: range.to,
    timeZone: caller.timeZone,
    hourOffset,
    filters: range.filters,
    sort,
    limit: limit && limit > 0 ? limit : undefined,
    page,
    totals: param(params, 'totals') === '1' || param(params, 'totals') === 'true',
    scope: caller.scope,
  });
  // Where amounts in several currencies come apart, each row says its own.
  if (!dimensions.includes('currency') && result.dimensions.includes('currency')) resolved.push({ name: 'Stat.currency', ...resolveField(caller, 'Stat.currency') });
  const shapeRow = (row: Record<string, string | number | bigint | null>, names: typeof resolved) =>
    grouped(names.map(({ name, dimension, metric }) => [name, formatValue(name, row[(dimension ?? metric)!] ?? null, metric)]));
  const data: Record<string, unknown> = {
    page,
    current: result.rows.length,
    count: result.count,
    pageCount: limit && limit > 0 ? Math.ceil(result.count / limit) : result.count > 0 ? 1 : 0,
    data: result.rows.map((row) => shapeRow(row, resolved)),
    dbSource: 'branddb',
  };
  if (result.totals) data.totals = shapeRow(result.totals, resolved.filter((field) => field.metric));
  if (result.totalsByCurrency) {
    data.totals_by_currency = result.totalsByCurrency.map((row) => shapeRow(row, resolved.filter((field) => field.metric || field.name === 'Stat.currency')));
  }
  return data;
}

/** Conversion-level rows; the fields of the conversion report, scoped like the stats. */
const CONVERSION_FIELDS: Record<string, { sql: string; kind?: 'money' | 'country' }> = {
  'Stat.id': { sql: 'c.id' },
  'Stat.tune_event_id': { sql: 'c.seq::text' },
  'Stat.datetime': { sql: `to_char(c.converted_at AT TIME ZONE n.time_zone + make_interval(hours => $OFFSET), 'YYYY-MM-DD HH24:MI:SS')` },
  'Stat.date': { sql: `to_char(c.converted_at AT TIME ZONE n.time_zone + make_interval(hours => $OFFSET), 'YYYY-MM-DD')` },
  'Stat.session_datetime': { sql: `to_char(c.click_at AT TIME ZONE n.time_zone + make_interval(hours => $OFFSET), 'YYYY-MM-DD HH24:MI:SS')` },
  'Stat.conversion_status': { sql: 'c.status' },
  'Stat.status': { sql: 'c.status' },
  'Stat.status_code': { sql: 'c.status_code' },
  'Stat.payout': { sql: 'c.payout_micros', kind: 'money' },
  'Stat.revenue': { sql: 'c.revenue_micros', kind: 'money' },
  'Stat.sale_amount': { sql: 'c.sale_amount_micros', kind: 'money' },
  'Stat.currency': { sql: 'trim(c.currency)' },
  'Stat.offer_id': { sql: 'c.offer_id' },
  'Stat.affiliate_id': { sql: 'c.partner_id' },
  'Stat.advertiser_id': { sql: 'c.advertiser_id' },
  'Stat.goal_id': { sql: 'coalesce(c.goal_id, 0)' },
  'Stat.offer_url_id': { sql: `coalesce(k.params->>'url_id', '0')` },
  'Stat.source': { sql: 'k.source' },
  'Stat.affiliate_info1': { sql: 'k.aff_sub1' },
  'Stat.affiliate_info2': { sql: 'k.aff_sub2' },
  'Stat.affiliate_info3': { sql: 'k.aff_sub3' },
  'Stat.affiliate_info4': { sql: 'k.aff_sub4' },
  'Stat.affiliate_info5': { sql: 'k.aff_sub5' },
  'Stat.ad_id': { sql: 'c.transaction_id' },
  'Stat.advertiser_info': { sql: 'c.adv_sub1' },
  'Stat.ip': { sql: 'c.ip' },
  'Stat.session_ip': { sql: 'k.ip' },
  'Stat.country_code': { sql: `nullif(c.country, '')` },
  'Country.name': { sql: `nullif(c.country, '')`, kind: 'country' },
  'Offer.name': { sql: 'o.name' },
  'Goal.name': { sql: `coalesce(g.name, 'Default')` },
  'Affiliate.company': { sql: 'p.name' },
  'Advertiser.company': { sql: 'a.name' },
  'ConversionsMobile.affiliate_click_id': { sql: 'k.aff_click_id' },
  'ConversionsMobile.adv_sub2': { sql: 'c.adv_sub2' },
  'ConversionsMobile.adv_sub3': { sql: 'c.adv_sub3' },
  'ConversionsMobile.adv_sub4': { sql: 'c.adv_sub4' },
  'ConversionsMobile.adv_sub5': { sql: 'c.adv_sub5' },
};

/**
 * A conversion field as the caller may read it: a partner and an advertiser see no visitor's
 * address, and an advertiser's payout is what it pays, as in its statistics.
 */
function conversionField(caller: ReportCaller, name: string) {
  const hidden = caller.role === 'partner' ? HIDDEN_FROM_AFFILIATES : caller.role === 'network_admin' ? new Set<string>() : HIDDEN_FROM_ADVERTISERS;
  const field = CONVERSION_FIELDS[name];
  if (!field || hidden.has(name)) throw unknownField(name);
  return caller.role !== 'network_admin' && caller.role !== 'partner' && name === 'Stat.payout' ? CONVERSION_FIELDS['Stat.revenue']! : field;
}

export async function getConversions(db: Queryable, caller: ReportCaller, params: Params) {
  const fields = list(params.fields);
  if (fields.length === 0) throw missingArgument('fields');
  const fieldSql = (name: string) => conversionField(caller, name);
  fields.forEach(fieldSql);
  const hourOffset = hourOffsetOf(params);
  const sql = new SqlParams();
  // Bound only when a time field uses it: a parameter the statement never names is an error.
  let offset: string | undefined;
  const expression = (name: string) => {
    const text = fieldSql(name).sql;
    return text.includes('$OFFSET') ? text.replaceAll('$OFFSET', (offset ??= sql.add(hourOffset))) : text;
  };
  const where: string[] = [];
  if (caller.scope.partnerId !== undefined) where.push(`c.partner_id = ${sql.add(caller.scope.partnerId)}`);
  if (caller.scope.advertiserIds) where.push(`c.advertiser_id = ANY(${sql.add(caller.scope.advertiserIds)}::int[])`);
  if (params.filters && typeof params.filters === 'object') {
    for (const [name, spec] of Object.entries(params.filters as Record<string, unknown>)) {
      const conditional = typeof spec === 'object' && spec !== null ? String((spec as Params).conditional ?? 'EQUAL_TO').toUpperCase() : 'EQUAL_TO';
      const values = typeof spec === 'object' && spec !== null ? list((spec as Params).values) : list(spec);
      const left = `(${expression(name)})::text`;
      const op = CONDITIONALS[conditional];
      const scalar = op === undefined ? undefined : SCALAR_OPERATORS[op];
      switch (op) {
        case 'eq':
          where.push(`${left} = ANY(${sql.add(values)}::text[])`);
          break;
        case 'ne':
          where.push(`NOT (${left} = ANY(${sql.add(values)}::text[]))`);
          break;
        case 'between':
          where.push(`${left} BETWEEN ${sql.add(values[0] ?? '')} AND ${sql.add(values[1] ?? '')}`);
          break;
        case 'null':
          where.push(`${left} IS NULL`);
          break;
        case 'not_null':
          where.push(`${left} IS NOT NULL`);
          break;
        case 'like':
          where.push(`${left} ILIKE ${sql.add(likePattern(values[0] ?? ''))}`);
          break;
        case 'not_like':
          where.push(`${left} NOT ILIKE ${sql.add(likePattern(values[0] ?? ''))}`);
          break;
        default:
          if (!scalar) throw new HasOffersError(`Invalid conditional '${conditional}' for ${name}`);
          where.push(`${left} ${scalar} ${sql.add(values[0] ?? '')}`);
      }
    }
  }
  const order: string[] = [];
  if (params.sort && typeof params.sort === 'object') {
    for (const [name, direction] of Object.entries(params.sort as Record<string, unknown>)) {
      order.push(`(${expression(name)}) ${String(direction).toLowerCase() === 'desc' ? 'DESC' : 'ASC'}`);
    }
  }
  order.push('c.id DESC');
  const limit = intParam(params, 'limit');
  const page = Math.max(1, intParam(params, 'page') ?? 1);
  const from = `FROM conversions c LEFT JOIN clicks k ON k.transaction_id = c.transaction_id JOIN offers o ON o.id = c.offer_id
    JOIN advertisers a ON a.id = c.advertiser_id JOIN partners p ON p.id = c.partner_id LEFT JOIN goals g ON g.id = c.goal_id
    CROSS JOIN network n ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`;
  const [counted] = await db.query<{ n: bigint }>(`SELECT count(*)::int8 AS n ${from}`, sql.values);
  const paging = limit && limit > 0 ? `LIMIT ${sql.add(limit)} OFFSET ${sql.add((page - 1) * limit)}` : '';
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${fields.map((name, index) => `(${expression(name)}) AS "f${index}"`).join(', ')} ${from} ORDER BY ${order.join(', ')} ${paging}`,
    sql.values,
  );
  const count = Number(counted!.n);
  return {
    page,
    current: rows.length,
    count,
    pageCount: limit && limit > 0 ? Math.ceil(count / limit) : count > 0 ? 1 : 0,
    data: rows.map((row) =>
      grouped(
        fields.map((name, index) => {
          const value = row[`f${index}`];
          const kind = CONVERSION_FIELDS[name]!.kind;
          if (value === null || value === undefined) return [name, null];
          if (kind === 'money') return [name, formatMoney(BigInt(value as bigint), 5)];
          if (kind === 'country') return [name, countryNames.of(String(value)) ?? String(value)];
          return [name, String(value)];
        }),
      ),
    ),
    dbSource: 'branddb',
  };
}
