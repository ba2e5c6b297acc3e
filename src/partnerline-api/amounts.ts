import { ValidationError } from '../shared/errors.ts';
import { AMOUNT_FORM, parseMoney, parsePercentToPpm } from '../shared/money.ts';

/** Money and percentages as the v1 API takes them: amounts in currency units, percentages from 0 to 100. */

export const moneySchema = { type: ['number', 'string'], description: `An amount in currency units, e.g. 49.90 (${AMOUNT_FORM})` } as const;
export const percentSchema = { type: ['number', 'string'], description: 'A percentage from 0 to 100, e.g. 7.5 (at most 4 decimals)' } as const;

export function amountInput(field: string, value: number | string): bigint;
export function amountInput(field: string, value: number | string | undefined): bigint | undefined;
export function amountInput(field: string, value: number | string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const micros = parseMoney(value);
  if (micros === undefined || micros < 0n) throw new ValidationError(field, `must be a non-negative amount with ${AMOUNT_FORM}`);
  return micros;
}

export function percentInput(field: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ppm = parsePercentToPpm(value);
  if (ppm === undefined || ppm < 0 || ppm > 1_000_000) throw new ValidationError(field, 'must be a percentage from 0 to 100 with at most 4 decimals');
  return ppm;
}

