import { parseId } from '../shared/ids.ts';
import type { Params } from './envelope.ts';

/** Reading HasOffers parameters, which arrive as strings, `[]` lists, indexed lists or nested objects. */

/** A parameter as one string, or undefined. */
export function param(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A parameter that may arrive as a scalar, a `[]` list or an indexed list. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).map(String);
  return [String(value)];
}

export function intParam(params: Params, name: string): number | undefined {
  const value = param(params, name);
  return value === undefined ? undefined : parseId(value);
}
