import { likePattern, SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { HasOffersError, unknownField, type Params } from './envelope.ts';
import { intParam, list } from './values.ts';

/** A model as the HasOffers API shows it: each field's SQL and how it is written out. */
export interface FieldDef {
  sql: string;
  out?: (value: unknown, row: Record<string, unknown>) => unknown;
  /** Compared as a number in filters. */
  numeric?: boolean;
  /** What filters compare, where it differs from what is selected (money: units, not micros). */
  filterSql?: string;
}

export interface ModelDef {
  name: string;
  /** FROM clause, with the model's alias. */
  from: string;
  idSql: string;
  fields: Record<string, FieldDef>;
}

export interface FindRequest {
  params: Params;
  /** Extra conditions the caller's scope imposes, with their parameters already in `sql`. */
  where: string[];
  sql: SqlParams;
  /** Only these fields are visible to the caller (affiliates see fewer). */
  visible?: readonly string[];
}

export interface FoundRow {
  id: string;
  record: Record<string, unknown>;
}

const OPERATORS: Record<string, string> = {
  NOT_EQUAL_TO: '<>',
  NOT_EQUAL: '<>',
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL_TO: '<=',
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL_TO: '>=',
  EQUAL_TO: '=',
};

function fieldOf(model: ModelDef, visible: readonly string[] | undefined, name: string): [string, FieldDef] {
  const bare = name.startsWith(`${model.name}.`) ? name.slice(model.name.length + 1) : name;
  const field = model.fields[bare];
  if (!field || (visible && !visible.includes(bare))) throw unknownField(name);
  return [bare, field];
}

function comparison(definition: FieldDef, operator: string, value: unknown, sql: SqlParams): string {
  const field = { ...definition, sql: definition.filterSql ?? definition.sql };
  const expression = field.numeric ? `(${field.sql})::numeric` : `(${field.sql})::text`;
  const bind = (raw: unknown) => {
    const text = String(raw);
    if (field.numeric && !/^-?\d+(\.\d+)?$/.test(text)) throw new HasOffersError(`Invalid value '${text}' for a numeric field`);
    return field.numeric ? `${sql.add(text)}::numeric` : sql.add(text);
  };
  switch (operator) {
    case 'LIKE':
      return `(${field.sql})::text ILIKE ${sql.add(likePattern(String(value)))}`;
    case 'NOT_LIKE':
      return `(${field.sql})::text NOT ILIKE ${sql.add(likePattern(String(value)))}`;
    case 'RLIKE':
      return `(${field.sql})::text ~* ${sql.add(String(value))}`;
    case 'NULL':
      return `(${field.sql}) IS NULL`;
    case 'NOT_NULL':
      return `(${field.sql}) IS NOT NULL`;
    case 'TRUE':
      return `(${field.sql})::text IN ('1', 'true', 't')`;
    case 'FALSE':
      return `(${field.sql})::text NOT IN ('1', 'true', 't')`;
    default: {
      const symbol = OPERATORS[operator];
      if (!symbol) throw new HasOffersError(`Invalid filter operator '${operator}'`);
      return `${expression} ${symbol} ${bind(value)}`;
    }
  }
}

/** One field's filter: a value, a list (IN), or {OPERATOR: value}. */
function fieldCondition(definition: FieldDef, value: unknown, sql: SqlParams): string {
  const field = { ...definition, sql: definition.filterSql ?? definition.sql };
  if (Array.isArray(value) || (typeof value === 'object' && value !== null && Object.keys(value).every((key) => /^\d+$/.test(key)))) {
    const values = list(value);
    if (values.length === 0) return 'FALSE';
    return field.numeric
      ? `(${field.sql})::numeric = ANY(${sql.add(values)}::numeric[])`
      : `(${field.sql})::text = ANY(${sql.add(values)}::text[])`;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([operator, operand]) => comparison(field, operator.toUpperCase(), operand, sql)).join(' AND ');
  }
  return comparison(field, 'EQUAL_TO', value ?? '', sql);
}

export function filterConditions(model: ModelDef, filters: unknown, sql: SqlParams, visible?: readonly string[]): string[] {
  if (filters === undefined || filters === '' || filters === null) return [];
  if (typeof filters !== 'object') throw new HasOffersError('filters must be given as filters[field]=value');
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(filters as Record<string, unknown>)) {
    if (name === 'OR') {
      if (typeof value !== 'object' || value === null) continue;
      const alternatives = Object.entries(value).map(([orName, orValue]) => fieldCondition(fieldOf(model, visible, orName)[1], orValue, sql));
      if (alternatives.length > 0) conditions.push(`(${alternatives.join(' OR ')})`);
    } else {
      conditions.push(fieldCondition(fieldOf(model, visible, name)[1], value, sql));
    }
  }
  return conditions;
}

/** find* over a model: filters, sort, fields, paging; rows keyed by id, fields as HasOffers writes them. */
export async function findRows(db: Queryable, model: ModelDef, request: FindRequest): Promise<{ rows: FoundRow[]; count: number; paged: boolean; page: number; limit: number }> {
  const { params, sql } = request;
  const requested = list(params.fields);
  const names = requested.length > 0 ? requested.map((name) => fieldOf(model, request.visible, name)[0]) : (request.visible ?? Object.keys(model.fields));
  const conditions = [...request.where, ...filterConditions(model, params.filters, sql, request.visible)];
  const order: string[] = [];
  if (params.sort && typeof params.sort === 'object') {
    for (const [name, direction] of Object.entries(params.sort as Record<string, unknown>)) {
      const [, field] = fieldOf(model, request.visible, name);
      order.push(`${field.sql} ${String(direction).toLowerCase() === 'desc' ? 'DESC' : 'ASC'}`);
    }
  }
  order.push(`${model.idSql} ASC`);
  const limit = intParam(params, 'limit');
  const paged = limit !== undefined && limit > 0;
  const page = Math.max(1, intParam(params, 'page') ?? 1);
  const selectAll = Object.entries(model.fields).map(([name, field]) => `${field.sql} AS "${name}"`);
  const whereSql = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const [counted] = await db.query<{ n: bigint }>(`SELECT count(*)::int8 AS n FROM ${model.from} ${whereSql}`, sql.values);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${selectAll.join(', ')}, ${model.idSql} AS "__id" FROM ${model.from} ${whereSql} ORDER BY ${order.join(', ')}
     ${paged ? `LIMIT ${sql.add(limit)} OFFSET ${sql.add((page - 1) * limit!)}` : ''}`,
    sql.values,
  );
  const count = Number(counted!.n);
  return {
    rows: rows.map((row) => ({
      id: String(row.__id),
      record: Object.fromEntries(names.map((name) => [name, model.fields[name]!.out ? model.fields[name]!.out!(row[name], row) : row[name]])),
    })),
    count,
    paged,
    page,
    limit: limit ?? 0,
  };
}

/** The find* response: an id-keyed map (PHP `[]` when empty), wrapped with paging when `limit` was sent. */
export function findResponse(found: { rows: FoundRow[]; count: number; paged: boolean; page: number; limit: number }, modelName: string, contains: (id: string) => Record<string, unknown> = () => ({})) {
  const entries = found.rows.map((row) => [row.id, { [modelName]: row.record, ...contains(row.id) }] as [string, unknown]);
  const map = entries.length === 0 ? [] : Object.fromEntries(entries);
  if (!found.paged) return map;
  return {
    page: found.page,
    current: (found.page - 1) * found.limit,
    count: found.count,
    pageCount: Math.ceil(found.count / found.limit),
    data: map,
  };
}

