import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitAlert, type LimitUsage, type OfferLimit } from '../../src/offers/limit-alerts.ts';

const budget: OfferLimit = {
  offerId: 7, offerName: 'Spring', advertiserId: 3, currency: 'EUR', capId: null, partnerId: null, goalId: null, metric: 'budget', period: 'day', limit: 100_000_000n,
};
const used = (change: Partial<LimitUsage>): LimitUsage => ({ clicks: 0n, clickCostMicros: 0n, conversions: 0n, payoutMicros: 0n, revenueMicros: 0n, ...change });

test('a limit raises one alert at 80 % and one at 100 %, to whom may read its figures', () => {
  const cases: Array<[string, OfferLimit, LimitUsage, string, [string, number | null, string, RegExp] | undefined]> = [
    ['a daily budget 79.99 % spent', budget, used({ clickCostMicros: 79_990_000n }), '2026-12-05', undefined],
    ['a daily budget 80 % spent', budget, used({ clickCostMicros: 80_000_000n }), '2026-12-05', ['limit_nearly_reached', null, 'limit:budget:7:2026-12-05:80', /used 80\.00 EUR of its daily budget of 100\.00 EUR \(2026-12-05\): 80% reached\.$/]],
    ['a daily budget overspent', budget, used({ clickCostMicros: 100_250_000n }), '2026-12-05', ['limit_reached', null, 'limit:budget:7:2026-12-05:100', /used 100\.25 EUR .*further traffic is refused/]],
    ['conversion revenue does not spend the daily budget', budget, used({ revenueMicros: 500_000_000n }), '2026-12-05', undefined],
    ['a budget cap counts clicks and conversions', { ...budget, capId: 4, period: 'month' }, used({ clickCostMicros: 50_000_000n, revenueMicros: 50_000_000n }), '2026-12', ['limit_reached', null, 'limit:cap:4:2026-12:100', /monthly budget cap of 100\.00 EUR \(2026-12\)/]],
    ["a partner's conversions cap", { ...budget, capId: 5, partnerId: 9, metric: 'conversions', period: 'lifetime', limit: 10n }, used({ conversions: 8n }), 'lifetime', ['limit_nearly_reached', 9, 'limit:cap:5:lifetime:80', /used 8 conversions of its lifetime conversions cap for partner 9 of 10 conversions/]],
    ["a partner's payout cap: the partner is told", { ...budget, capId: 6, partnerId: 9, metric: 'payout', limit: 10_000_000n }, used({ payoutMicros: 10_000_000n }), '2026-12-05', ['limit_reached', 9, 'limit:cap:6:2026-12-05:100', /daily payout cap for partner 9 of 10\.00 EUR/]],
    ["a goal's conversions cap", { ...budget, capId: 10, goalId: 12, metric: 'conversions', period: 'week', limit: 5n }, used({ conversions: 5n }), 'week of 2026-11-30', ['limit_reached', null, 'limit:cap:10:week of 2026-11-30:100', /used 5 conversions of its weekly conversions cap on goal 12 of 5 conversions \(week of 2026-11-30\)/]],
    ["a partner's revenue cap: only the advertiser, as revenue is the network's", { ...budget, capId: 8, partnerId: 9, metric: 'revenue', limit: 10_000_000n }, used({ revenueMicros: 9_000_000n }), '2026-12-05', ['limit_nearly_reached', null, 'limit:cap:8:2026-12-05:80', /daily revenue cap for partner 9/]],
  ];
  for (const [name, limit, usage, period, expected] of cases) {
    const alert = limitAlert(limit, usage, period);
    if (!expected) {
      assert.equal(alert, undefined, name);
      continue;
    }
    const [kind, partnerId, dedupeKey, message] = expected;
    assert.deepEqual([alert?.kind, alert?.partnerId, alert?.dedupeKey, alert?.advertiserId], [kind, partnerId, dedupeKey, 3], name);
    assert.match(alert!.message, message, name);
  }
});
