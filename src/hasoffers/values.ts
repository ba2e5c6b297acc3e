import { formatMoney } from '../shared/money.ts';
import { zoneOffsetMs } from '../shared/time-zones.ts';
import type { Params } from './envelope.ts';

/** HasOffers' wire conventions: ids and numbers as strings, "0"/"1" booleans, fixed-decimal money. */

export const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
export const bool01 = (value: boolean): string => (value ? '1' : '0');
export const money5 = (micros: bigint | null | undefined): string => formatMoney(micros ?? 0n, 5);
export const money2 = (micros: bigint | null | undefined): string => formatMoney(micros ?? 0n, 2);
/** A percentage kept as parts per million of the base, as "25.00". */
export const percent2 = (ppm: number): string => (ppm / 10_000).toFixed(2);

/** "YYYY-MM-DD HH:MM:SS" in the network's zone; HasOffers' zero date for none. */
export function datetime(instant: Date | null | undefined, timeZone: string): string {
  if (!instant) return '0000-00-00 00:00:00';
  const shifted = new Date(instant.getTime() + zoneOffsetMs(instant, timeZone));
  return shifted.toISOString().slice(0, 19).replace('T', ' ');
}

export const unixTime = (instant: Date): number => Math.floor(instant.getTime() / 1000);

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
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed <= 2_147_483_647 ? parsed : undefined;
}
