import { ValidationError } from '../shared/errors.ts';
import { SqlParams } from '../shared/sql.ts';
import { nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';

/**
 * The statistics engine: any combination of dimensions, metrics, filters, sort, paging and totals,
 * by local time in the network's zone (with an hour offset). It reads the hourly roll-ups, and the
 * raw clicks, impressions and conversions when a dimension is not rolled up (sub-IDs, source,
 * browser). Every API's reports are views of this.
 */

export const DIMENSIONS = {
  date: { rolled: true },
  hour: { rolled: true },
  week: { rolled: true },
  month: { rolled: true },
  year: { rolled: true },
  offer_id: { rolled: true },
  offer_name: { rolled: true },
  advertiser_id: { rolled: true },
  advertiser_name: { rolled: true },
  partner_id: { rolled: true },
  partner_name: { rolled: true },
  goal_id: { rolled: true },
  goal_name: { rolled: true },
  country: { rolled: true },
  device: { rolled: true },
  currency: { rolled: true },
  payout_type: { rolled: true },
  revenue_type: { rolled: true },
  source: { rolled: false },
  sub1: { rolled: false },
  sub2: { rolled: false },
  sub3: { rolled: false },
  sub4: { rolled: false },
  sub5: { rolled: false },
  browser: { rolled: false },
  /** SourceKnowledge's sub-ID: the partner, or partner_source. */
  sub_id: { rolled: false },
} as const;
export type Dimension = keyof typeof DIMENSIONS;

/** Base sums, then what is derived from them. Money is in micros; rates are percentages. */
const BASE = {
  impressions: 'sum(f.impressions)',
  clicks: 'sum(f.gross_clicks)',
  gross_clicks: 'sum(f.gross_clicks)',
  unique_clicks: 'sum(f.unique_clicks)',
  conversions: 'sum(f.approved)',
  pending_conversions: 'sum(f.pending)',
  rejected_conversions: 'sum(f.rejected)',
  payout: 'sum(f.approved_payout + f.click_payout)',
  revenue: 'sum(f.approved_revenue + f.click_cost)',
  sale_amount: 'sum(f.approved_sale)',
  pending_payout: 'sum(f.pending_payout)',
  pending_revenue: 'sum(f.pending_revenue)',
  pending_sale_amount: 'sum(f.pending_sale)',
  click_spend: 'sum(f.click_cost)',
} as const;

const per = (numerator: string, denominator: string, scale = 1) =>
  `round((${numerator})::numeric * ${scale} / nullif(${denominator}, 0), 6)`;
const perMicros = (numerator: string, denominator: string, scale = 1) =>
  `coalesce(round((${numerator})::numeric * ${scale} / nullif(${denominator}, 0)), 0)::int8`;

const DERIVED = {
  profit: `(${BASE.revenue} - ${BASE.payout})`,
  net_payout: `(${BASE.payout} + ${BASE.pending_payout})`,
  net_revenue: `(${BASE.revenue} + ${BASE.pending_revenue})`,
  ctr: `coalesce(${per(BASE.clicks, BASE.impressions, 100)}, 0)`,
  unique_ctr: `coalesce(${per(BASE.unique_clicks, BASE.impressions, 100)}, 0)`,
  ltr: `coalesce(${per(BASE.conversions, BASE.clicks, 100)}, 0)`,
  cpc: perMicros(BASE.payout, BASE.clicks),
  cpm: perMicros(BASE.payout, BASE.impressions, 1000),
  cpa: perMicros(BASE.payout, BASE.conversions),
  epc: perMicros(BASE.payout, BASE.clicks),
  rpc: perMicros(BASE.revenue, BASE.clicks),
  rpm: perMicros(BASE.revenue, BASE.impressions, 1000),
  rpa: perMicros(BASE.revenue, BASE.conversions),
  erpc: perMicros(BASE.payout, BASE.clicks),
  approved_rate: `coalesce(${per(BASE.conversions, `${BASE.conversions} + ${BASE.pending_conversions} + ${BASE.rejected_conversions}`, 100)}, 0)`,
  rejected_rate: `coalesce(${per(BASE.rejected_conversions, `${BASE.conversions} + ${BASE.pending_conversions} + ${BASE.rejected_conversions}`, 100)}, 0)`,
} as const;

export const METRICS = { ...BASE, ...DERIVED };
export type Metric = keyof typeof METRICS;

/** How each metric is written out: a count, money (micros), or a rate (percent). */
export const METRIC_KIND: Record<Metric, 'count' | 'money' | 'rate'> = {
  impressions: 'count',
  clicks: 'count',
  gross_clicks: 'count',
  unique_clicks: 'count',
  conversions: 'count',
  pending_conversions: 'count',
  rejected_conversions: 'count',
  payout: 'money',
  revenue: 'money',
  sale_amount: 'money',
  pending_payout: 'money',
  pending_revenue: 'money',
  pending_sale_amount: 'money',
  click_spend: 'money',
  profit: 'money',
  net_payout: 'money',
  net_revenue: 'money',
  ctr: 'rate',
  unique_ctr: 'rate',
  ltr: 'rate',
  cpc: 'money',
  cpm: 'money',
  cpa: 'money',
  epc: 'money',
  rpc: 'money',
  rpm: 'money',
  rpa: 'money',
  erpc: 'money',
  approved_rate: 'rate',
  rejected_rate: 'rate',
};

export type FilterOperator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'between' | 'like' | 'not_like' | 'null' | 'not_null';

export interface StatsFilter {
  field: Dimension | Metric;
  op: FilterOperator;
  values: string[];
}

/** Whose figures: a partner sees only its own rows, an advertiser only its offers'. */
export interface StatsScope {
  partnerId?: number;
  advertiserIds?: number[];
}

export interface StatsQuery {
  dimensions: Dimension[];
  metrics: Metric[];
  /** Local calendar days, inclusive. */
  from: string;
  to: string;
  timeZone: string;
  hourOffset: number;
  filters: StatsFilter[];
  sort: Array<{ field: Dimension | Metric; direction: 'asc' | 'desc' }>;
  /** Undefined: every row. */
  limit?: number;
  page: number;
  totals: boolean;
  scope: StatsScope;
}

export interface StatsResult {
  rows: Array<Record<string, string | number | bigint | null>>;
  count: number;
  totals?: Record<string, string | number | bigint | null>;
}

const LOCAL = (params: SqlParams, query: StatsQuery) =>
  `((f.hour AT TIME ZONE ${params.add(query.timeZone)}) + make_interval(hours => ${params.add(query.hourOffset)}))`;

function dimensionSql(dimension: Dimension, localTime: () => string): string {
  switch (dimension) {
    case 'date':
      return `to_char(${localTime()}, 'YYYY-MM-DD')`;
    case 'hour':
      return `extract(hour FROM ${localTime()})::int`;
    case 'week':
      return `extract(week FROM ${localTime()})::int`;
    case 'month':
      return `extract(month FROM ${localTime()})::int`;
    case 'year':
      return `extract(year FROM ${localTime()})::int`;
    case 'offer_id':
      return 'f.offer_id';
    case 'offer_name':
      return 'o.name';
    case 'advertiser_id':
      return 'o.advertiser_id';
    case 'advertiser_name':
      return 'a.name';
    case 'partner_id':
      return 'f.partner_id';
    case 'partner_name':
      return 'p.name';
    case 'goal_id':
      return 'f.goal_id';
    case 'goal_name':
      return `coalesce(g.name, 'Default')`;
    case 'country':
      return `nullif(f.country, '')`;
    case 'device':
      return `nullif(f.device, '')`;
    case 'currency':
      return 'trim(o.currency)';
    case 'payout_type':
      return 'o.payout_type';
    case 'revenue_type':
      return 'o.revenue_type';
    case 'source':
    case 'sub1':
    case 'sub2':
    case 'sub3':
    case 'sub4':
    case 'sub5':
    case 'browser':
    case 'sub_id':
      return `f.${dimension}`;
  }
}

const FACT_METRICS = [
  'impressions', 'gross_clicks', 'unique_clicks', 'click_cost', 'click_payout', 'approved', 'pending', 'rejected',
  'approved_payout', 'approved_revenue', 'approved_sale', 'pending_payout', 'pending_revenue', 'pending_sale',
] as const;

/** The facts to aggregate: the roll-ups, or raw rows shaped like them with the extra dimensions. */
function factSource(raw: boolean, params: SqlParams, from: Date, to: Date, scope: StatsScope): string {
  const fromParam = params.add(from);
  const toParam = params.add(to);
  const partner = scope.partnerId === undefined ? undefined : params.add(scope.partnerId);
  if (!raw) {
    return `SELECT hour, offer_id, partner_id, goal_id, country, device, approved_payout_micros AS approved_payout,
              approved_revenue_micros AS approved_revenue, approved_sale_micros AS approved_sale,
              pending_payout_micros AS pending_payout, pending_revenue_micros AS pending_revenue, pending_sale_micros AS pending_sale,
              click_cost_micros AS click_cost, click_payout_micros AS click_payout, impressions, gross_clicks, unique_clicks,
              approved, pending, rejected
            FROM stats_hourly WHERE hour >= ${fromParam} AND hour < ${toParam}${partner ? ` AND partner_id = ${partner}` : ''}`;
  }
  const zeros = (except: string[]) => FACT_METRICS.filter((metric) => !except.includes(metric)).map((metric) => `0::int8 AS ${metric}`).join(', ');
  return `SELECT date_trunc('hour', k.created_at) AS hour, k.offer_id, k.partner_id, 0 AS goal_id, coalesce(k.country, '') AS country,
            coalesce(k.device, '') AS device, k.source, k.aff_sub1 AS sub1, k.aff_sub2 AS sub2, k.aff_sub3 AS sub3, k.aff_sub4 AS sub4,
            k.aff_sub5 AS sub5, k.browser, k.sub_id, 1::int8 AS gross_clicks, k.is_unique::int::int8 AS unique_clicks, k.cost_micros AS click_cost,
            k.payout_micros AS click_payout, ${zeros(['gross_clicks', 'unique_clicks', 'click_cost', 'click_payout'])}
          FROM clicks k WHERE k.outcome = 'counted' AND k.created_at >= ${fromParam} AND k.created_at < ${toParam}${partner ? ` AND k.partner_id = ${partner}` : ''}
          UNION ALL
          SELECT date_trunc('hour', i.created_at), i.offer_id, i.partner_id, 0, coalesce(i.country, ''), coalesce(i.device, ''), i.source,
            i.aff_sub1, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
          FROM impressions i WHERE i.created_at >= ${fromParam} AND i.created_at < ${toParam}${partner ? ` AND i.partner_id = ${partner}` : ''}
          UNION ALL
          SELECT date_trunc('hour', c.converted_at), c.offer_id, c.partner_id, coalesce(c.goal_id, 0), c.country, c.device, k.source,
            k.aff_sub1, k.aff_sub2, k.aff_sub3, k.aff_sub4, k.aff_sub5, k.browser, k.sub_id, 0, 0, 0, 0, 0,
            (c.status = 'approved')::int, (c.status = 'pending')::int, (c.status = 'rejected')::int,
            CASE WHEN c.status = 'approved' THEN c.payout_micros ELSE 0 END, CASE WHEN c.status = 'approved' THEN c.revenue_micros ELSE 0 END,
            CASE WHEN c.status = 'approved' THEN c.sale_amount_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.payout_micros ELSE 0 END,
            CASE WHEN c.status = 'pending' THEN c.revenue_micros ELSE 0 END, CASE WHEN c.status = 'pending' THEN c.sale_amount_micros ELSE 0 END
          FROM conversions c LEFT JOIN clicks k ON k.transaction_id = c.transaction_id
          WHERE c.converted_at >= ${fromParam} AND c.converted_at < ${toParam}${partner ? ` AND c.partner_id = ${partner}` : ''}`;
}

function isDimension(field: string): field is Dimension {
  return Object.hasOwn(DIMENSIONS, field);
}

function condition(expression: string, filter: StatsFilter, params: SqlParams): string {
  const [first] = filter.values;
  switch (filter.op) {
    case 'eq':
      return filter.values.length === 1 ? `${expression}::text = ${params.add(first)}` : `${expression}::text = ANY(${params.add(filter.values)}::text[])`;
    case 'ne':
      return `(${expression} IS NULL OR NOT (${expression}::text = ANY(${params.add(filter.values)}::text[])))`;
    case 'null':
      return `${expression} IS NULL`;
    case 'not_null':
      return `${expression} IS NOT NULL`;
    case 'like':
      return `${expression}::text ILIKE ${params.add(first)}`;
    case 'not_like':
      return `${expression}::text NOT ILIKE ${params.add(first)}`;
    default: {
      const numeric = !isDimension(filter.field) || ['hour', 'week', 'month', 'year', 'offer_id', 'advertiser_id', 'partner_id', 'goal_id'].includes(filter.field);
      const cast = (value: string | undefined) => {
        if (value === undefined) throw new ValidationError(filter.field, 'the filter needs a value');
        if (numeric && !/^-?\d+(\.\d+)?$/.test(value)) throw new ValidationError(filter.field, `"${value}" is not a number`);
        return numeric ? `${params.add(value)}::numeric` : params.add(value);
      };
      const left = numeric ? `${expression}::numeric` : `${expression}::text`;
      if (filter.op === 'between') return `${left} BETWEEN ${cast(first)} AND ${cast(filter.values[1])}`;
      const operator = { lt: '<', le: '<=', gt: '>', ge: '>=' }[filter.op];
      return `${left} ${operator} ${cast(first)}`;
    }
  }
}

export function moneyMetricScale(metric: Metric, value: unknown): bigint | number | null {
  if (value === null || value === undefined) return null;
  return METRIC_KIND[metric] === 'rate' ? Number(value) : BigInt(value as string | number | bigint);
}

/** Only the joins the report needs: joining every fact row to four tables costs more than the aggregation. */
function joinsFor(query: StatsQuery): string {
  const fields = new Set<string>([...query.dimensions, ...query.filters.map((filter) => filter.field)]);
  const needs = (...names: string[]) => names.some((name) => fields.has(name));
  const advertiser = needs('advertiser_name');
  const offer = advertiser || query.scope.advertiserIds !== undefined || needs('offer_name', 'advertiser_id', 'currency', 'payout_type', 'revenue_type');
  return [
    offer ? 'JOIN offers o ON o.id = f.offer_id' : '',
    advertiser ? 'JOIN advertisers a ON a.id = o.advertiser_id' : '',
    needs('partner_name') ? 'JOIN partners p ON p.id = f.partner_id' : '',
    needs('goal_name') ? 'LEFT JOIN goals g ON g.id = nullif(f.goal_id, 0)' : '',
  ].join(' ');
}

export async function runStats(db: Queryable, query: StatsQuery): Promise<StatsResult> {
  const params = new SqlParams();
  const raw = query.dimensions.some((dimension) => !DIMENSIONS[dimension].rolled) || query.filters.some((filter) => isDimension(filter.field) && !DIMENSIONS[filter.field].rolled);
  // The range is local days shifted by the hour offset; the facts are hours in UTC.
  const shiftMs = query.hourOffset * 3_600_000;
  const from = new Date(startOfLocalDay(query.from, query.timeZone).getTime() - shiftMs);
  const to = new Date(startOfLocalDay(nextDay(query.to), query.timeZone).getTime() - shiftMs);
  const source = factSource(raw, params, from, to, query.scope);
  // Bound only when a dimension or filter needs local time, so unused parameters never reach the statement.
  let localSql: string | undefined;
  const local = () => (localSql ??= LOCAL(params, query));
  const where: string[] = [];
  if (query.scope.advertiserIds) where.push(`o.advertiser_id = ANY(${params.add(query.scope.advertiserIds)}::int[])`);
  const having: string[] = [];
  for (const filter of query.filters) {
    if (isDimension(filter.field)) where.push(condition(dimensionSql(filter.field, local), filter, params));
    else having.push(condition(METRICS[filter.field], filter, params));
  }
  const dimensionColumns = query.dimensions.map((dimension) => `${dimensionSql(dimension, local)} AS "${dimension}"`);
  const metricColumns = query.metrics.map((metric) => `${METRICS[metric]} AS "${metric}"`);
  const from_ = `FROM (${source}) f ${joinsFor(query)} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`;
  const groupBy = query.dimensions.length > 0 ? `GROUP BY ${query.dimensions.map((_, index) => index + 1).join(', ')}` : '';
  const havingSql = having.length > 0 ? `HAVING ${having.join(' AND ')}` : '';
  const order = query.sort
    .filter((item) => query.dimensions.includes(item.field as Dimension) || query.metrics.includes(item.field as Metric))
    .map((item) => `"${item.field}" ${item.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
  const orderList = [...order, ...query.dimensions.map((dimension) => `"${dimension}"`)];
  const orderBy = orderList.length > 0 ? `ORDER BY ${orderList.join(', ')}` : '';
  const base = `SELECT ${[...dimensionColumns, ...metricColumns].join(', ')} ${from_} ${groupBy} ${havingSql}`;
  const countParams = [...params.values];
  const paging = query.limit === undefined ? '' : `LIMIT ${params.add(query.limit)} OFFSET ${params.add((query.page - 1) * query.limit)}`;
  const rows = await db.query<Record<string, unknown>>(
    query.dimensions.length === 0 && having.length === 0
      ? `SELECT ${metricColumns.join(', ') || '1'} ${from_}`
      : `SELECT *, count(*) OVER () AS "__count" FROM (${base}) r ${orderBy} ${paging}`,
    params.values,
  );
  let count = query.dimensions.length === 0 && having.length === 0 ? rows.length : rows.length === 0 ? 0 : Number(rows[0]!.__count);
  if (rows.length === 0 && query.page > 1) {
    const [counted] = await db.query<{ n: bigint }>(`SELECT count(*)::int8 AS n FROM (${base}) r`, countParams);
    count = Number(counted!.n);
  }
  const shape = (row: Record<string, unknown>) => {
    const out: Record<string, string | number | bigint | null> = {};
    for (const dimension of query.dimensions) out[dimension] = (row[dimension] as string | number | null) ?? null;
    for (const metric of query.metrics) out[metric] = moneyMetricScale(metric, row[metric] ?? 0);
    return out;
  };
  const result: StatsResult = { rows: rows.map(shape), count };
  if (query.totals) {
    // Totals are the same facts under the same dimension filters, not grouped: rates come from the sums.
    const dimensionFilters = query.filters.filter((filter) => isDimension(filter.field));
    const totals = await runStats(db, { ...query, dimensions: [], filters: dimensionFilters, sort: [], limit: undefined, page: 1, totals: false });
    result.totals = totals.rows[0] ?? shape({});
  }
  return result;
}
