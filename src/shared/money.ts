/**
 * Money is integer micro-units (1e-6 of the currency unit) in bigint; percentages are parts per
 * million of the base. No floating point touches an amount.
 */
export const MICROS_PER_UNIT = 1_000_000n;
/**
 * Below 10^12 currency units an amount's micros fit PostgreSQL's bigint, with room for the sums of
 * many; anything larger is a typo or an attack, and would fail the statement that stores it.
 */
const DECIMAL = /^(-)?0*(\d{1,12})(?:\.(\d+))?$/;
/** How an amount must be written, for error messages. */
export const AMOUNT_FORM = 'at most 6 decimals and 12 digits before the point';

/**
 * An amount written in currency units (a JSON number such as 150.5 or a string "150.50") as micros.
 * Returns undefined when it is not a plain decimal of AMOUNT_FORM.
 */
export function parseMoney(value: number | string): bigint | undefined {
  return parseScaled(value, 6);
}

/** A percentage such as 25 or "7.5" as parts per million of the base (250000, 75000). */
export function parsePercentToPpm(value: number | string): number | undefined {
  const scaled = parseScaled(value, 4);
  return scaled === undefined ? undefined : Number(scaled);
}

/** Parts per million as a percentage: 75000 is 7.5. */
export const ppmToPercent = (ppm: number) => ppm / 10_000;

/** A plain decimal as an integer count of 10^-decimals; undefined when it has more decimals, more than 12 digits before the point, or is not a number. */
export function parseScaled(value: number | string, decimals: number): bigint | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > decimals) return undefined;
  const scaled = BigInt(whole + fraction.padEnd(decimals, '0'));
  return sign ? -scaled : scaled;
}

/** Micros as a fixed-point decimal string: formatMoney(1500000n, 2) === "1.50". Rounds half away from zero. */
export function formatMoney(micros: bigint, decimals = 6): string {
  const negative = micros < 0n;
  let magnitude = negative ? -micros : micros;
  const drop = 10n ** BigInt(6 - decimals);
  if (decimals < 6) magnitude = (magnitude + drop / 2n) / drop;
  const base = 10n ** BigInt(decimals);
  const whole = magnitude / base;
  const fraction = decimals > 0 ? '.' + (magnitude % base).toString().padStart(decimals, '0') : '';
  return `${negative && magnitude !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** The amount to the micro, with at least two decimals and no trailing zeros beyond them: 2.50, 9.999, 1.123456. */
export function exactMoney(micros: bigint): string {
  return formatMoney(micros).replace(/(\.\d\d\d*?)0+$/, '$1');
}

/** Micros as a JSON number, for APIs whose wire format is a float (150.5). Exact below 2^53 micros. */
export function moneyToNumber(micros: bigint): number {
  return Number(formatMoney(micros));
}

/** base × ppm / 1e6, rounded half away from zero to whole micros. */
export function percentOf(baseMicros: bigint, ppm: number): bigint {
  const product = baseMicros * BigInt(ppm);
  const half = product >= 0n ? 500_000n : -500_000n;
  return (product + half) / 1_000_000n;
}
