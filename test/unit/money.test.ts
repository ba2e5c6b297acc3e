import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactMoney, formatMoney, moneyToNumber, parseMoney, parsePercentToPpm, percentOf } from '../../src/shared/money.ts';

test('parseMoney reads decimal amounts exactly as micros, below a trillion so that they fit the store', () => {
  const cases: Array<[number | string, bigint | undefined]> = [
    [0.25, 250_000n],
    [150.5, 150_500_000n],
    ['150.50', 150_500_000n],
    [0.1, 100_000n],
    [1e-6, 1n],
    [12, 12_000_000n],
    ['-3.2', -3_200_000n],
    [0.1234567, undefined],
    ['1,50', undefined],
    ['', undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [1e21, undefined],
    ['999999999999.999999', 999_999_999_999_999_999n],
    ['0000000000000012.5', 12_500_000n],
    ['1000000000000', undefined],
    ['99999999999999999999', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseMoney(input), expected, `parseMoney(${input})`);
});

test('parsePercentToPpm keeps four decimals of a percent', () => {
  const cases: Array<[number | string, number | undefined]> = [
    [25, 250_000],
    ['7.5', 75_000],
    [0.0001, 1],
    [0.00001, undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parsePercentToPpm(input), expected, `parsePercentToPpm(${input})`);
});

test('formatMoney writes fixed decimals, rounding half away from zero', () => {
  const cases: Array<[bigint, number, string]> = [
    [1_500_000n, 2, '1.50'],
    [1_234_565n, 5, '1.23457'],
    [1_234_564n, 5, '1.23456'],
    [5n, 5, '0.00001'],
    [4n, 5, '0.00000'],
    [-1_005_000n, 2, '-1.01'],
    [-4n, 5, '0.00000'],
    [0n, 6, '0.000000'],
    [123_000_000n, 0, '123'],
  ];
  for (const [micros, decimals, expected] of cases) assert.equal(formatMoney(micros, decimals), expected, `formatMoney(${micros}, ${decimals})`);
  assert.equal(moneyToNumber(150_500_000n), 150.5);
});

test('exactMoney gives the ledger\'s amount to the micro, with at least two decimals', () => {
  const cases: Array<[bigint, string]> = [
    [2_500_000n, '2.50'],
    [9_999_000n, '9.999'],
    [1_123_456n, '1.123456'],
    [0n, '0.00'],
    [100_000_000n, '100.00'],
    [-1_000_010n, '-1.00001'],
  ];
  for (const [micros, expected] of cases) assert.equal(exactMoney(micros), expected, `exactMoney(${micros})`);
});

test('percentOf takes a share of a sale to the micro', () => {
  const cases: Array<[bigint, number, bigint]> = [
    [100_000_000n, 80_000, 8_000_000n],
    [19_990_000n, 75_000, 1_499_250n],
    [3n, 500_000, 2n],
    [1n, 250_000, 0n],
    [-3n, 500_000, -2n],
  ];
  for (const [base, ppm, expected] of cases) assert.equal(percentOf(base, ppm), expected, `percentOf(${base}, ${ppm})`);
});
