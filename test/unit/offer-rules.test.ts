import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capProblem, CPA_TYPES, pricingProblem, PRICING_TYPES, type CapMetric, type PricingInput } from '../../src/offers/offer-rules.ts';

test('one side of the terms must be a type allowed there, a non-negative amount and a percentage from 0 to 100', () => {
  const cases: Array<[PricingInput, readonly string[], string | undefined]> = [
    [{ type: 'cpa_flat', flatMicros: 2_500_000n, percentPpm: 0 }, CPA_TYPES, undefined],
    [{ type: 'cpa_both', flatMicros: 0n, percentPpm: 1_000_000 }, CPA_TYPES, undefined],
    [{ type: 'cpc', flatMicros: 300_000n, percentPpm: 0 }, PRICING_TYPES, undefined],
    [{ type: 'cpc', flatMicros: 300_000n, percentPpm: 0 }, CPA_TYPES, 'Type'],
    [{ type: 'cpm', flatMicros: 0n, percentPpm: 0 }, CPA_TYPES, 'Type'],
    [{ type: 'cpa_flat', flatMicros: -1n, percentPpm: 0 }, PRICING_TYPES, 'FlatMicros'],
    [{ type: 'cpa_percentage', flatMicros: 0n, percentPpm: 1_000_001 }, PRICING_TYPES, 'PercentPpm'],
    [{ type: 'cpa_percentage', flatMicros: 0n, percentPpm: -1 }, PRICING_TYPES, 'PercentPpm'],
    [{ type: 'cpa_percentage', flatMicros: 0n, percentPpm: 0.5 }, PRICING_TYPES, 'PercentPpm'],
  ];
  for (const [pricing, allowed, part] of cases) {
    assert.equal(pricingProblem(pricing, allowed as typeof PRICING_TYPES)?.part, part, JSON.stringify({ ...pricing, flatMicros: String(pricing.flatMicros), allowed }));
  }
});

test('a cap counts more than nothing, and only what conversions count may be capped per goal', () => {
  const cases: Array<[CapMetric, number | null, bigint, string | undefined]> = [
    ['conversions', 7, 10n, undefined],
    ['payout', 7, 1_000_000n, undefined],
    ['revenue', null, 1n, undefined],
    ['clicks', null, 100n, undefined],
    ['budget', null, 25_000_000n, undefined],
    ['clicks', 7, 100n, 'goalId'],
    ['budget', 7, 100n, 'goalId'],
    ['conversions', null, 0n, 'limit'],
    ['payout', null, -5n, 'limit'],
  ];
  for (const [metric, goalId, limit, field] of cases) assert.equal(capProblem({ metric, goalId, limit })?.field, field, `${metric} ${goalId} ${limit}`);
});
