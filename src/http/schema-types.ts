import { MAX_ID } from '../shared/ids.ts';

/** Schema pieces every API shares. */
export const idSchema = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
/** An id that may be null: none, as in a postback for every offer. */
export const nullableIdSchema = { ...idSchema, type: ['integer', 'null'] } as const;

export const pageSchema = { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1, description: 'Results page number, from 1.' } as const;

export const perPageSchema = { type: 'integer', minimum: 1, maximum: 500, default: 100, description: 'Results a page holds.' } as const;

/** A page of a v1 list: its items, which page it is, and whether another follows. */
export const pagedList = <Item extends object>(item: Item) =>
  ({ type: 'object', properties: { items: { type: 'array', items: item }, page: { type: 'integer' }, perPage: { type: 'integer' }, hasMore: { type: 'boolean' } } }) as const;

export const idParams = { type: 'object', properties: { id: idSchema }, required: ['id'] } as const;
/** The path of one thing inside another: /things/{id}/parts/{item}. */
export const itemParams = (item: string) => ({ type: 'object', properties: { id: idSchema, [item]: idSchema }, required: ['id', item] }) as const;

export const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;

/** A body whose misspelt field is refused rather than dropped: its caller would think the field was set. */
export const strictBody = <Properties extends Record<string, object>>(properties: Properties, rest: { required?: string[]; minProperties?: number } = {}) => ({
  type: 'object',
  propertyNames: { enum: Object.keys(properties) },
  properties,
  ...rest,
});
