import { networkTimeZone } from '../network/network.ts';
import { ValidationError } from '../shared/errors.ts';
import { likePattern, SqlParams } from '../shared/sql.ts';
import { isCalendarDate, nextDay, startOfLocalDay, zoneOffsetMs } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';

/**
 * The statistics engine: any combination of dimensions, metrics, filters, sort, paging and totals,
 * by local time in the network's zone (with an hour offset). It reads the smallest roll-up that
 * holds what the report asks: a daily one (by local day in the network's zone), an hourly one, or
 * the raw facts when a dimension is not rolled up at all. Every API's reports are views of this.
 */

/** `rolled`: kept in the hourly roll-up; the others come from the raw facts (or a daily roll-up that keeps them). */
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

/** The base figures of a fact row; a report sums them, then derives the rest. Money is in micros; rates are percentages. */
const BASE = {
  impressions: 'f.impressions',
  clicks: 'f.gross_clicks',
  gross_clicks: 'f.gross_clicks',
  unique_clicks: 'f.unique_clicks',
  conversions: 'f.approved',
  pending_conversions: 'f.pending',
  rejected_conversions: 'f.rejected',
  payout: 'f.approved_payout_micros + f.click_payout_micros',
  revenue: 'f.approved_revenue_micros + f.click_cost_micros',
  sale_amount: 'f.approved_sale_micros',
  pending_payout: 'f.pending_payout_micros',
  pending_revenue: 'f.pending_revenue_micros',
  pending_sale_amount: 'f.pending_sale_micros',
  click_spend: 'f.click_cost_micros',
} as const;

const per = (numerator: string, denominator: string, scale = 1) =>
  `round((${numerator})::numeric * ${scale} / nullif(${denominator}, 0), 6)`;
const perMicros = (numerator: string, denominator: string, scale = 1) =>
  `coalesce(round((${numerator})::numeric * ${scale} / nullif(${denominator}, 0)), 0)::int8`;

/** Every metric's SQL, over groups of fact rows (sum) or over single rows already at the report's grain. */
function metricExpressions(total: (column: string) => string) {
  const base = Object.fromEntries(Object.entries(BASE).map(([metric, column]) => [metric, total(column)])) as Record<keyof typeof BASE, string>;
  const allConversions = `${base.conversions} + ${base.pending_conversions} + ${base.rejected_conversions}`;
  return {
    ...base,
    profit: `(${base.revenue} - ${base.payout})`,
    net_payout: `(${base.payout} + ${base.pending_payout})`,
    net_revenue: `(${base.revenue} + ${base.pending_revenue})`,
    ctr: `coalesce(${per(base.clicks, base.impressions, 100)}, 0)`,
    unique_ctr: `coalesce(${per(base.unique_clicks, base.impressions, 100)}, 0)`,
    ltr: `coalesce(${per(base.conversions, base.clicks, 100)}, 0)`,
    cpc: perMicros(base.payout, base.clicks),
    cpm: perMicros(base.payout, base.impressions, 1000),
    cpa: perMicros(base.payout, base.conversions),
    epc: perMicros(base.payout, base.clicks),
    rpc: perMicros(base.revenue, base.clicks),
    rpm: perMicros(base.revenue, base.impressions, 1000),
    rpa: perMicros(base.revenue, base.conversions),
    erpc: perMicros(base.payout, base.clicks),
    approved_rate: `coalesce(${per(base.conversions, allConversions, 100)}, 0)`,
    rejected_rate: `coalesce(${per(base.rejected_conversions, allConversions, 100)}, 0)`,
  };
}

export const METRICS = metricExpressions((column) => `sum(${column})`);
export type Metric = keyof typeof METRICS;
const ROW_METRICS: Record<Metric, string> = metricExpressions((column) => `(${column})`);

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
  /** The rows' dimensions: those asked for, and the currency where amounts in several would otherwise be added. */
  dimensions: Dimension[];
  rows: Array<Record<string, string | number | bigint | null>>;
  count: number;
  /** Money totals are null where the rows hold several currencies; totalsByCurrency then holds them. */
  totals?: Record<string, string | number | bigint | null>;
  totalsByCurrency?: Array<Record<string, string | number | bigint | null>>;
}

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
      return `nullif(f.${dimension}, '')`;
  }
}

/** A daily roll-up: what it is keyed by (besides the day) and the dimensions it can answer. */
interface DailyRollup {
  table: string;
  key: string[];
  serves: Dimension[];
  /** The column of stats_daily_cells that counts this roll-up's rows per day. */
  cellCount?: string;
}

const DAY_DIMENSIONS: Dimension[] = ['date', 'week', 'month', 'year'];

/** What the hourly roll-up by offer answers: time, and what an offer decides; not partners, goals or places. */
const HOURLY_OFFER_DIMENSIONS: Dimension[] = ['date', 'hour', 'week', 'month', 'year', 'offer_id', 'offer_name', 'advertiser_id', 'advertiser_name', 'currency', 'payout_type', 'revenue_type'];

/** Smallest first: a report reads the first that serves it. */
const DAILY_ROLLUPS: DailyRollup[] = [
  { table: 'stats_daily_geo', key: ['country', 'device'], serves: ['country', 'device'] },
  { table: 'stats_daily_partner_sub', key: ['partner_id', 'source', 'sub1'], serves: ['partner_id', 'partner_name', 'source', 'sub1'] },
  {
    table: 'stats_daily_offer_partner',
    key: ['offer_id', 'partner_id'],
    cellCount: 'offer_partner',
    serves: ['offer_id', 'offer_name', 'advertiser_id', 'advertiser_name', 'partner_id', 'partner_name', 'currency', 'payout_type', 'revenue_type'],
  },
];

/** Where a report's facts come from, and how their time reads in local time. */
interface FactSource {
  sql: string;
  localTime: (params: SqlParams) => string;
  /** The daily roll-up read, if any. */
  daily?: DailyRollup;
}

function dailyRollupFor(query: StatsQuery, fields: Dimension[], rollupZone: string): DailyRollup | undefined {
  if (query.hourOffset !== 0 || query.timeZone !== rollupZone) return undefined;
  const scopeFields: Dimension[] = [
    ...(query.scope.partnerId === undefined ? [] : (['partner_id'] as const)),
    ...(query.scope.advertiserIds === undefined ? [] : (['advertiser_id'] as const)),
  ];
  return DAILY_ROLLUPS.find((rollup) =>
    [...fields, ...scopeFields].every((field) => DAY_DIMENSIONS.includes(field) || rollup.serves.includes(field)),
  );
}

function factSource(query: StatsQuery, fields: Dimension[], rollupZone: string, params: SqlParams): FactSource {
  const partnerScope = (column: string) => (query.scope.partnerId === undefined ? '' : ` AND ${column} = ${params.add(query.scope.partnerId)}`);
  const daily = dailyRollupFor(query, fields, rollupZone);
  if (daily) {
    return {
      sql: `SELECT * FROM ${daily.table} WHERE day BETWEEN ${params.add(query.from)}::date AND ${params.add(query.to)}::date${partnerScope('partner_id')}`,
      localTime: () => 'f.day::timestamp',
      daily,
    };
  }
  // The range is local days shifted by the hour offset; the facts are instants in UTC.
  const shiftMs = query.hourOffset * 3_600_000;
  const instants = [startOfLocalDay(query.from, query.timeZone), startOfLocalDay(nextDay(query.to), query.timeZone)].map(
    (instant) => new Date(instant.getTime() - shiftMs),
  );
  const [from, to] = instants.map((instant) => params.add(instant));
  const local = (column: string) => (sqlParams: SqlParams) =>
    `((${column} AT TIME ZONE ${sqlParams.add(query.timeZone)}) + make_interval(hours => ${sqlParams.add(query.hourOffset)}))`;
  // The hourly roll-up holds whole UTC hours: in a zone half an hour off UTC, one of them holds the
  // end of one local day and the start of the next, and only the raw facts can tell them apart.
  const wholeHours = instants.every((instant) => zoneOffsetMs(instant, query.timeZone) % 3_600_000 === 0);
  if (wholeHours && query.scope.partnerId === undefined && fields.every((field) => HOURLY_OFFER_DIMENSIONS.includes(field))) {
    return { sql: `SELECT * FROM stats_hourly_by_offer WHERE hour >= ${from} AND hour < ${to}`, localTime: local('f.hour') };
  }
  if (wholeHours && fields.every((field) => DIMENSIONS[field].rolled)) {
    return { sql: `SELECT * FROM stats_hourly WHERE hour >= ${from} AND hour < ${to}${partnerScope('partner_id')}`, localTime: local('f.hour') };
  }
  return { sql: `SELECT * FROM stats_facts WHERE at >= ${from} AND at < ${to}${partnerScope('partner_id')}`, localTime: local('f.at') };
}

/**
 * Whether each row of the daily roll-up is already one row of the report (its day and every key
 * named by a dimension), so the report reads rows in the roll-up's order instead of grouping them.
 */
function rollupAtGrain(daily: DailyRollup | undefined, dimensions: Dimension[]): DailyRollup | undefined {
  return daily && dimensions.includes('date') && daily.key.every((column) => dimensions.includes(column as Dimension)) ? daily : undefined;
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
      return `${expression}::text ILIKE ${params.add(likePattern(first ?? ''))}`;
    case 'not_like':
      return `${expression}::text NOT ILIKE ${params.add(likePattern(first ?? ''))}`;
    default: {
      const numeric = !isDimension(filter.field) || ['hour', 'week', 'month', 'year', 'offer_id', 'advertiser_id', 'partner_id', 'goal_id'].includes(filter.field);
      const cast = (value: string | undefined) => {
        if (value === undefined) throw new ValidationError(filter.field, 'the filter needs a value');
        if (numeric && !/^-?\d+(\.\d+)?$/.test(value)) throw new ValidationError(filter.field, `"${value}" is not a number`);
        // Dates compare as text, which orders only dates written in full.
        if (filter.field === 'date' && !isCalendarDate(value)) throw new ValidationError(filter.field, `"${value}" is not a date written YYYY-MM-DD`);
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

/** A daily roll-up orders by its day column, not the date's text, so a report at its grain reads the index in order. */
function orderSql(dimension: Dimension, expression: string, daily: DailyRollup | undefined): string {
  return daily && dimension === 'date' ? 'f.day' : expression;
}

/**
 * A report. Amounts in different currencies are never added: where the network's offers use more
 * than one, a report with money figures is split by currency, each row and each total in one.
 */
export async function runStats(db: Queryable, query: StatsQuery): Promise<StatsResult> {
  // The daily roll-ups are kept in the network's zone; a report in another zone cannot use them.
  const zone = await networkTimeZone(db);
  const money = query.metrics.filter((metric) => METRIC_KIND[metric] === 'money');
  if (money.length === 0 || query.dimensions.includes('currency') || !(await severalCurrencies(db))) return statsIn(db, query, zone);
  const result = await statsIn(db, { ...query, dimensions: [...query.dimensions, 'currency'], totals: false }, zone);
  if (query.totals) {
    const counts = await statsIn(db, { ...totalsQuery(query, []), metrics: query.metrics.filter((metric) => METRIC_KIND[metric] !== 'money') }, zone);
    result.totals = { ...counts.rows[0], ...Object.fromEntries(money.map((metric) => [metric, null])) };
    result.totalsByCurrency = (await statsIn(db, totalsQuery(query, ['currency']), zone)).rows;
  }
  return result;
}

/**
 * The totals of a report: the same facts under the same dimension filters, grouped only by the
 * dimensions given (none, or the currency), so rates come from the sums.
 */
function totalsQuery(query: StatsQuery, dimensions: Dimension[]): StatsQuery {
  const filters = query.filters.filter((filter) => isDimension(filter.field));
  return { ...query, dimensions, filters, sort: dimensions.map((field) => ({ field, direction: 'asc' as const })), limit: undefined, page: 1, totals: false };
}

async function severalCurrencies(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ n: bigint }>('SELECT count(DISTINCT currency)::int8 AS n FROM offers');
  return row!.n > 1n;
}

async function statsIn(db: Queryable, query: StatsQuery, rollupZone: string): Promise<StatsResult> {
  const params = new SqlParams();
  const fields = [...new Set([...query.dimensions, ...query.filters.map((filter) => filter.field).filter(isDimension)])];
  const source = factSource(query, fields, rollupZone, params);
  const atGrain = rollupAtGrain(source.daily, query.dimensions);
  const metricSql = atGrain ? ROW_METRICS : METRICS;
  // Bound only when a dimension or filter needs local time, so unused parameters never reach the statement.
  let localSql: string | undefined;
  const local = () => (localSql ??= source.localTime(params));
  const where: string[] = [];
  if (query.scope.advertiserIds) where.push(`o.advertiser_id = ANY(${params.add(query.scope.advertiserIds)}::int[])`);
  const having: string[] = [];
  for (const filter of query.filters) {
    if (isDimension(filter.field)) where.push(condition(dimensionSql(filter.field, local), filter, params));
    else (atGrain ? where : having).push(condition(metricSql[filter.field], filter, params));
  }
  const dimensionColumns = query.dimensions.map((dimension) => `${dimensionSql(dimension, local)} AS "${dimension}"`);
  const metricColumns = query.metrics.map((metric) => `${metricSql[metric]} AS "${metric}"`);
  const from_ = `FROM (${source.sql}) f ${joinsFor(query)} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`;
  const paging = () => (query.limit === undefined ? '' : `LIMIT ${params.add(query.limit)} OFFSET ${params.add((query.page - 1) * query.limit)}`);
  const shape = (row: Record<string, unknown>) => {
    const out: Record<string, string | number | bigint | null> = {};
    for (const dimension of query.dimensions) out[dimension] = (row[dimension] as string | number | null) ?? null;
    for (const metric of query.metrics) out[metric] = moneyMetricScale(metric, row[metric] ?? 0);
    return out;
  };
  const sorted = query.sort.filter((item) => query.dimensions.includes(item.field as Dimension) || query.metrics.includes(item.field as Metric));
  /** The sort asked for, then every dimension, so pages never overlap. */
  const orderList = (expression: (field: Dimension | Metric) => string) => [
    ...sorted.map((item) => `${expression(item.field)} ${item.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`),
    ...query.dimensions.map(expression),
  ];
  // Counting reads the same rows without the page's parameters, which paging() adds later.
  const countParams = [...params.values];
  let rows: Array<Record<string, unknown>>;
  let count: number;
  if (query.dimensions.length === 0 && having.length === 0) {
    rows = await db.query(`SELECT ${metricColumns.join(', ') || '1'} ${from_}`, params.values);
    count = rows.length;
  } else if (atGrain) {
    const expression = (field: Dimension | Metric) =>
      isDimension(field) ? orderSql(field, dimensionSql(field, local), source.daily) : metricSql[field];
    rows = await db.query(`SELECT ${[...dimensionColumns, ...metricColumns].join(', ')} ${from_} ORDER BY ${orderList(expression).join(', ')} ${paging()}`, params.values);
    const everyCell = atGrain.cellCount !== undefined && where.length === 0 && query.scope.partnerId === undefined;
    const [counted] =
      query.limit === undefined
        ? [{ n: BigInt(rows.length) }]
        : everyCell
          ? await db.query<{ n: bigint }>(
              `SELECT coalesce(sum(${atGrain.cellCount}), 0)::int8 AS n FROM stats_daily_cells WHERE day BETWEEN $1::date AND $2::date`,
              [query.from, query.to],
            )
          : await db.query<{ n: bigint }>(`SELECT count(*)::int8 AS n ${from_}`, countParams);
    count = Number(counted!.n);
  } else {
    const groupBy = query.dimensions.length > 0 ? `GROUP BY ${query.dimensions.map((_, index) => index + 1).join(', ')}` : '';
    const havingSql = having.length > 0 ? `HAVING ${having.join(' AND ')}` : '';
    const base = `SELECT ${[...dimensionColumns, ...metricColumns].join(', ')} ${from_} ${groupBy} ${havingSql}`;
    const order = orderList((field) => `"${field}"`);
    const orderBy = order.length > 0 ? `ORDER BY ${order.join(', ')}` : '';
    rows = await db.query(`SELECT *, count(*) OVER () AS "__count" FROM (${base}) r ${orderBy} ${paging()}`, params.values);
    count = rows.length === 0 ? 0 : Number(rows[0]!.__count);
    if (rows.length === 0 && query.page > 1) {
      const [counted] = await db.query<{ n: bigint }>(`SELECT count(*)::int8 AS n FROM (${base}) r`, countParams);
      count = Number(counted!.n);
    }
  }
  const result: StatsResult = { dimensions: query.dimensions, rows: rows.map(shape), count };
  if (query.totals) {
    const totals = await statsIn(db, totalsQuery(query, []), rollupZone);
    result.totals = totals.rows[0] ?? shape({});
  }
  return result;
}
