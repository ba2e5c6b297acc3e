import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capDays, capWindow, periodKey, type Days } from '../../src/ledger/cap-windows.ts';
import type { CapPeriod } from '../../src/offers/offer-rules.ts';
import { chooseTerms, priceConversion, repriceAtKeptRates, volumeStepFor, withVolumeStep, type KeptPricing, type PayoutRule, type Pricing } from '../../src/ledger/payouts.ts';
import type { ConversionStatus } from '../../src/ledger/conversion-record.ts';
import { decideConversion, type ClickSession, type ConversionRequest, type OfferConversionTerms } from '../../src/ledger/conversion-rules.ts';
import { capStatusCode } from '../../src/ledger/status-codes.ts';
import { retryDelayMs } from '../../src/postbacks/delivery-worker.ts';
import { isPrivateAddress } from '../../src/postbacks/destination-guard.ts';
import { conversionMetrics, mergeDeltas, metricsDifference } from '../../src/stats/stats-deltas.ts';

const flat = (dollars: number): Pricing => ({ type: 'cpa_flat', flatMicros: BigInt(dollars * 1_000_000), percentPpm: 0 });
const percent = (pct: number): Pricing => ({ type: 'cpa_percentage', flatMicros: 0n, percentPpm: pct * 10_000 });
const both = (dollars: number, pct: number): Pricing => ({ type: 'cpa_both', flatMicros: BigInt(dollars * 1_000_000), percentPpm: pct * 10_000 });

test('conversions are priced by flat, percent of sale, or both, to the micro', () => {
  const cases: Array<[string, Pricing, bigint, bigint]> = [
    ['flat', flat(25), 0n, 25_000_000n],
    ['flat ignores the sale', flat(25), 99_990_000n, 25_000_000n],
    ['8% of 19.99', percent(8), 19_990_000n, 1_599_200n],
    ['12.5% of 0.01', { type: 'cpa_percentage', flatMicros: 0n, percentPpm: 125_000 }, 10_000n, 1_250n],
    ['3 + 6% of 50', both(3, 6), 50_000_000n, 6_000_000n],
    ['cpc pays nothing per conversion', { type: 'cpc', flatMicros: 450_000n, percentPpm: 0 }, 50_000_000n, 0n],
  ];
  for (const [name, pricing, sale, expected] of cases) {
    const priced = priceConversion({ payout: pricing, revenue: pricing, rule: 'offer' }, sale);
    assert.equal(priced.payoutMicros, expected, name);
    const rate = pricing.type === 'cpc' ? [null, null] : [pricing.flatMicros, pricing.percentPpm];
    assert.deepEqual([priced.payoutFlatMicros, priced.payoutPercentPpm], rate, `${name}: the rate kept`);
    assert.deepEqual([priced.revenueFlatMicros, priced.revenuePercentPpm], rate, `${name}: the revenue's rate kept`);
  }
});

test('the most specific terms win, on each side: custom terms for the goal (the partner\'s or its tier\'s), then goal, then offer', () => {
  const offer = { payout: percent(8), revenue: percent(12) };
  const goal = { payout: flat(1), revenue: flat(2) };
  const own = (goalId: number | null, pricing: Pricing) => ({ goalId, pricing, rule: 'partner override' as const });
  const tier = (goalId: number | null, pricing: Pricing) => ({ goalId, pricing, rule: 'partner tier' as const });
  const cases: Array<[string, Parameters<typeof chooseTerms>[0], number | null, string, Pricing, Pricing]> = [
    ['offer alone', { offer }, null, 'offer', offer.payout, offer.revenue],
    ['goal terms', { offer, goal }, 5, 'goal', goal.payout, goal.revenue],
    ['custom payout for the default conversion', { offer, customPayout: own(null, percent(10)) }, null, 'partner override', percent(10), offer.revenue],
    ['tier payout for the default conversion', { offer, customPayout: tier(null, flat(4)) }, null, 'partner tier', flat(4), offer.revenue],
    ["the offer's custom payout does not touch a goal", { offer, goal, customPayout: own(null, percent(10)) }, 5, 'goal', goal.payout, goal.revenue],
    ['custom payout for the goal', { offer, goal, customPayout: own(5, flat(3)) }, 5, 'partner override', flat(3), goal.revenue],
    ['tier payout for the goal', { offer, goal, customPayout: tier(5, flat(2)) }, 5, 'partner tier', flat(2), goal.revenue],
    ['custom revenue for the default conversion', { offer, customRevenue: own(null, flat(7)) }, null, 'offer', offer.payout, flat(7)],
    ['tier revenue for the goal', { offer, goal, customRevenue: tier(5, percent(20)) }, 5, 'goal', goal.payout, percent(20)],
    ["the offer's custom revenue does not touch a goal", { offer, goal, customRevenue: own(null, flat(7)) }, 5, 'goal', goal.payout, goal.revenue],
    ['both sides custom', { offer, customPayout: tier(null, flat(4)), customRevenue: own(null, flat(6)) }, null, 'partner tier', flat(4), flat(6)],
  ];
  for (const [name, source, goalId, rule, payout, revenue] of cases) {
    const terms = chooseTerms(source, goalId);
    assert.equal(terms.rule, rule, name);
    assert.deepEqual(terms.payout, payout, name);
    assert.deepEqual(terms.revenue, revenue, name);
  }
});

test("a partner's Nth conversion of the period is paid by the highest volume step it reached; custom payouts rank above", () => {
  const steps = [{ fromConversion: 11, pricing: percent(15) }, { fromConversion: 5, pricing: percent(12) }, { fromConversion: 50, pricing: both(1, 15) }];
  const cases: Array<[number, Pricing | undefined]> = [
    [1, undefined],
    [4, undefined],
    [5, percent(12)],
    [10, percent(12)],
    [11, percent(15)],
    [49, percent(15)],
    [50, both(1, 15)],
    [5000, both(1, 15)],
  ];
  for (const [ordinal, pricing] of cases) assert.deepEqual(volumeStepFor(steps, ordinal)?.pricing, pricing, `conversion ${ordinal}`);
  assert.equal(volumeStepFor([], 7), undefined, 'no steps');

  const priced = {
    ...priceConversion({ payout: percent(8), revenue: percent(12), rule: 'offer' }, 100_000_000n),
    saleAmountMicros: 100_000_000n,
  };
  const step = { fromConversion: 5, pricing: both(1, 12) };
  const repriced: Array<[string, PayoutRule, PayoutRule, bigint]> = [
    ["the offer's own payout", 'offer', 'volume step', 13_000_000n],
    ["the goal's own payout", 'goal', 'volume step', 13_000_000n],
    ["the partner's own payout", 'partner override', 'partner override', 8_000_000n],
    ["its tier's payout", 'partner tier', 'partner tier', 8_000_000n],
  ];
  for (const [name, rule, expectedRule, payout] of repriced) {
    const result = withVolumeStep({ ...priced, rule }, step);
    assert.deepEqual([result.rule, result.payoutMicros, result.revenueMicros], [expectedRule, payout, 12_000_000n], name);
    const rate = expectedRule === 'volume step' ? [1_000_000n, 120_000] : [0n, 80_000];
    assert.deepEqual([result.payoutFlatMicros, result.payoutPercentPpm], rate, `${name}: the rate kept`);
  }
  assert.deepEqual(withVolumeStep({ ...priced, rule: 'offer' }, undefined), { ...priced, rule: 'offer' }, 'below the first step');
});

test('a corrected sale amount is priced at the rates the conversion kept; amounts with no rate to go by stay', () => {
  // Priced at 1.00 + 10 % of a 50.00 sale, earning 2.00 + 20 %.
  const kept: KeptPricing = {
    payoutRule: 'offer', payoutMicros: 6_000_000n, revenueMicros: 12_000_000n, payoutType: 'cpa_both', revenueType: 'cpa_both',
    payoutFlatMicros: 1_000_000n, payoutPercentPpm: 100_000, revenueFlatMicros: 2_000_000n, revenuePercentPpm: 200_000,
  };
  const noRate = { payoutFlatMicros: null, payoutPercentPpm: null };
  const cases: Array<[string, KeptPricing, { payoutMicros: bigint; revenueMicros: bigint } | undefined]> = [
    ['both sides at their kept rates', kept, { payoutMicros: 9_000_000n, revenueMicros: 18_000_000n }],
    ['a payout set by hand stays', { ...kept, payoutRule: 'manual', ...noRate }, { payoutMicros: 6_000_000n, revenueMicros: 18_000_000n }],
    ['a payout per click stays', { ...kept, payoutType: 'cpc', ...noRate }, { payoutMicros: 6_000_000n, revenueMicros: 18_000_000n }],
    ['recorded before rates were kept: none to go by', { ...kept, ...noRate }, undefined],
  ];
  for (const [name, pricing, expected] of cases) assert.deepEqual(repriceAtKeptRates(pricing, 80_000_000n), expected, name);
});

/** An offer whose sessions last a day, and a click on it. */
const sessionOffer: OfferConversionTerms = {
  id: 1, advertiserId: 1, securityToken: null, currency: 'USD', attributionWindowHours: 24, approveConversions: false,
  holdHours: null, allowMultiple: false, hasCaps: false, hasVolumePayouts: false, minSecondsToConversion: 0, reviewBotConversions: true, payout: flat(1), revenue: flat(2),
};
const sessionClick: ClickSession = {
  transactionId: '10abc', offerId: 1, partnerId: 2, outcome: 'counted', createdAt: new Date('2026-12-01T12:00:00Z'),
  country: 'US', device: 'mobile', source: null, affSub1: null,
};

test('a conversion is dated within its click\'s session and not in the future, give or take five minutes of clock', () => {
  const now = new Date('2026-12-02T06:00:00Z');
  const cases: Array<[string, boolean, string | undefined, number | undefined, RegExp?]> = [
    ['on a click, dated now', true, undefined, undefined],
    ['on a click, an hour after it', true, '2026-12-01T13:00:00Z', undefined],
    ['on a click, four minutes before it (clock skew)', true, '2026-12-01T11:56:00Z', undefined],
    ['on a click, six minutes before it (a click after the sale)', true, '2026-12-01T11:54:00Z', 90, /before its click at 2026-12-01T12:00:00.000Z/],
    ['on a click, 24 hours and a minute after it', true, '2026-12-02T12:01:00Z', 90, /in the future/],
    ['on a click, 24 hours and a minute after it, arriving later', true, '2026-12-02T12:01:00Z', 92, /session expired/],
    ['without a click, four minutes ahead of our clock', false, '2026-12-02T06:04:00Z', undefined],
    ['without a click, six minutes ahead of our clock', false, '2026-12-02T06:06:00Z', 90, /in the future/],
    ['without a click, a year ago (a late import)', false, '2025-12-02T06:00:00Z', undefined],
  ];
  for (const [name, onClick, convertedAt, code, reason] of cases) {
    const arrives = name.endsWith('arriving later') ? new Date('2026-12-03T00:00:00Z') : now;
    const decision = decideConversion({
      request: {
        channel: 'api',
        actor: 'test',
        ...(onClick ? { transactionId: sessionClick.transactionId } : { offerId: 1, partnerId: 2 }),
        convertedAt: convertedAt === undefined ? undefined : new Date(convertedAt),
      },
      now: arrives,
      click: onClick ? sessionClick : undefined,
      offer: sessionOffer,
      goal: undefined,
      partnerKnown: true,
    });
    if (code === undefined) {
      assert.ok('conversion' in decision, name);
      assert.equal(decision.conversion.convertedAt.getTime(), convertedAt === undefined ? arrives.getTime() : Date.parse(convertedAt), name);
    } else {
      assert.ok('refused' in decision, name);
      assert.equal(decision.refused.statusCode, code, name);
      assert.match(decision.refused.reason, reason!, name);
    }
  }
});

test("a conversion sooner after its click than the network's minimum is recorded rejected, for review", () => {
  const clickAt = sessionClick.createdAt.getTime();
  const cases: Array<[string, number, ConversionRequest['channel'], number, boolean, ConversionStatus | undefined, [ConversionStatus, number, RegExp | null]]> = [
    ['no minimum, 2 s after', 0, 'server_postback', 2, true, undefined, ['approved', 43, null]],
    ['29 s after, under a minimum of 30', 30, 'server_postback', 29, true, undefined, ['rejected', 99, /^converted 29 s after its click, sooner than the network's minimum of 30 s$/]],
    ['exactly the minimum', 30, 'server_postback', 30, true, undefined, ['approved', 43, null]],
    ['dated before its click, within the clock skew', 30, 'pixel', -120, true, undefined, ['rejected', 99, /^converted 0 s after/]],
    ['the advertiser says approved', 30, 'api', 5, true, 'approved', ['rejected', 99, /sooner than/]],
    ['a correction made by hand', 30, 'adjustment', 5, true, undefined, ['approved', 52, null]],
    ['no click to time it by', 30, 'server_postback', 5, false, undefined, ['approved', 43, null]],
  ];
  for (const [name, minSeconds, channel, afterSeconds, onClick, status, [expectedStatus, code, reason]] of cases) {
    const decision = decideConversion({
      request: {
        channel,
        actor: 'test',
        ...(onClick ? { transactionId: sessionClick.transactionId } : { offerId: 1, partnerId: 2 }),
        convertedAt: new Date(clickAt + afterSeconds * 1000),
        status,
      },
      now: new Date(clickAt + 600_000),
      click: onClick ? sessionClick : undefined,
      offer: { ...sessionOffer, minSecondsToConversion: minSeconds },
      goal: undefined,
      partnerKnown: true,
    });
    assert.ok('conversion' in decision, name);
    assert.deepEqual([decision.conversion.status, decision.conversion.statusCode], [expectedStatus, code], name);
    if (reason) assert.match(decision.conversion.reason!, reason, name);
    else assert.equal(decision.conversion.reason, null, name);
  }
});

test('a conversion on a click judged a bot is recorded rejected for review, unless the network turns that off', () => {
  const botClick: ClickSession = { ...sessionClick, outcome: 'bot' };
  const cases: Array<[string, ClickSession, boolean, ConversionRequest['channel'], [ConversionStatus, number]]> = [
    ['a bot\'s click', botClick, true, 'server_postback', ['rejected', 89]],
    ['a bot\'s click, the advertiser saying approved', botClick, true, 'api', ['rejected', 89]],
    ['a bot\'s click, review turned off', botClick, false, 'server_postback', ['approved', 43]],
    ['a bot\'s click, re-attributed to by hand', botClick, true, 'adjustment', ['approved', 52]],
    ['a person\'s click', sessionClick, true, 'server_postback', ['approved', 43]],
  ];
  for (const [name, click, review, channel, expected] of cases) {
    const decision = decideConversion({
      request: { channel, actor: 'test', transactionId: click.transactionId, ...(channel === 'api' ? { status: 'approved' as const } : {}) },
      now: new Date(click.createdAt.getTime() + 600_000),
      click,
      offer: { ...sessionOffer, reviewBotConversions: review },
      goal: undefined,
      partnerKnown: true,
    });
    assert.ok('conversion' in decision, name);
    assert.deepEqual([decision.conversion.status, decision.conversion.statusCode], expected, name);
    if (expected[1] === 89) assert.match(decision.conversion.reason!, /judged a bot/, name);
  }
});

test('cap windows follow the network calendar', () => {
  const at = new Date('2026-03-08T12:00:00Z');
  assert.deepEqual(capWindow('day', at, 'America/New_York'), { from: new Date('2026-03-08T05:00:00Z'), to: new Date('2026-03-09T04:00:00Z') });
  assert.deepEqual(capWindow('month', at, 'America/New_York'), { from: new Date('2026-03-01T05:00:00Z'), to: new Date('2026-04-01T04:00:00Z') });
  assert.deepEqual(capWindow('month', new Date('2026-12-31T23:00:00Z'), 'UTC'), { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
  // Conversions may be dated long ago (a late import): a lifetime holds them all, as its days do.
  assert.deepEqual(capWindow('lifetime', at, 'Asia/Kolkata'), { from: new Date('0001-01-01T00:00:00Z'), to: new Date('9999-12-31T00:00:00Z') });
  const days: Array<[CapPeriod, string, string, Days]> = [
    ['day', '2026-03-08T12:00:00Z', 'America/New_York', { from: '2026-03-08', to: '2026-03-09' }],
    ['day', '2026-03-08T18:40:00Z', 'Asia/Kolkata', { from: '2026-03-09', to: '2026-03-10' }],
    ['day', '2026-03-08T18:20:00Z', 'Asia/Kolkata', { from: '2026-03-08', to: '2026-03-09' }],
    ['week', '2026-03-08T12:00:00Z', 'America/New_York', { from: '2026-03-02', to: '2026-03-09' }],
    ['week', '2026-03-09T03:59:00Z', 'America/New_York', { from: '2026-03-02', to: '2026-03-09' }],
    ['week', '2026-03-09T04:00:00Z', 'America/New_York', { from: '2026-03-09', to: '2026-03-16' }],
    ['week', '2026-12-31T23:00:00Z', 'UTC', { from: '2026-12-28', to: '2027-01-04' }],
    ['week', '2027-01-03T18:30:00Z', 'Asia/Kolkata', { from: '2027-01-04', to: '2027-01-11' }],
    ['month', '2026-12-31T18:30:00Z', 'Asia/Kolkata', { from: '2027-01-01', to: '2027-02-01' }],
    ['month', '2026-12-31T23:00:00Z', 'UTC', { from: '2026-12-01', to: '2027-01-01' }],
    ['lifetime', '2026-12-31T23:00:00Z', 'UTC', { from: '0001-01-01', to: '9999-12-31' }],
  ];
  for (const [period, at, zone, expected] of days) assert.deepEqual(capDays(period, new Date(at), zone), expected, `${period} ${at} ${zone}`);
  assert.equal(periodKey('day', new Date('2026-03-01T04:59:00Z'), 'America/New_York'), '2026-02-28');
  assert.equal(periodKey('month', new Date('2026-03-01T04:59:00Z'), 'America/New_York'), '2026-02');
  assert.equal(periodKey('week', new Date('2026-03-01T04:59:00Z'), 'America/New_York'), 'week of 2026-02-23');
  // A week that spans a change to summer time is still seven local days long.
  assert.deepEqual(capWindow('week', at, 'America/New_York'), { from: new Date('2026-03-02T05:00:00Z'), to: new Date('2026-03-09T04:00:00Z') });
});

test('cap status codes follow the HasOffers table', () => {
  assert.equal(capStatusCode('conversions', 'day', false), 17);
  assert.equal(capStatusCode('conversions', 'month', false), 61);
  assert.equal(capStatusCode('payout', 'day', false), 62);
  assert.equal(capStatusCode('revenue', 'month', false), 65);
  assert.equal(capStatusCode('conversions', 'month', true), 81);
  assert.equal(capStatusCode('payout', 'month', true), 83);
  assert.equal(capStatusCode('revenue', 'week', true), 88, 'Partnerline\'s own code: HasOffers has no weekly caps');
});

test('a status change moves figures between buckets, and deltas merge per cell', () => {
  const approved = conversionMetrics({ status: 'approved', payoutMicros: 5n, revenueMicros: 8n, saleMicros: 100n });
  const rejected = conversionMetrics({ status: 'rejected', payoutMicros: 5n, revenueMicros: 8n, saleMicros: 100n });
  assert.deepEqual(metricsDifference(rejected, approved), {
    approved: -1n,
    rejected: 1n,
    approved_payout_micros: -5n,
    approved_revenue_micros: -8n,
    approved_sale_micros: -100n,
  });
  const cell = { at: new Date('2026-01-01T10:00:00Z'), offerId: 1, partnerId: 2, goalId: 0, country: 'US', device: 'mobile', source: '', sub1: 'a' };
  const merged = mergeDeltas([
    { ...cell, metrics: { gross_clicks: 1n } },
    { ...cell, at: new Date('2026-01-01T10:14:59Z'), metrics: { gross_clicks: 1n, unique_clicks: 1n } },
    { ...cell, at: new Date('2026-01-01T10:15:00Z'), metrics: { gross_clicks: 1n } },
    { ...cell, sub1: 'b', metrics: { gross_clicks: 1n } },
    { ...cell, partnerId: 3, metrics: { gross_clicks: 1n } },
  ]);
  assert.equal(merged.length, 4, 'one cell per quarter hour and dimensions');
  assert.deepEqual(merged[0]!.metrics, { gross_clicks: 2n, unique_clicks: 1n });
  assert.equal(merged[0]!.at.toISOString(), '2026-01-01T10:00:00.000Z');
});

test('retries back off exponentially up to a ceiling', () => {
  assert.deepEqual([1, 2, 3, 4, 10].map((attempt) => retryDelayMs(attempt, 30_000, 3_600_000)), [30_000, 60_000, 120_000, 240_000, 3_600_000]);
});

test('private and loopback addresses are recognised', () => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['::7f00:1', true],
    ['::127.0.0.1', true],
    ['::a00:1', true],
    ['64:ff9b::7f00:1', true],
    ['64:ff9b:1::a00:1', true],
    ['2002:7f00:1::', true],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::', true],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not-an-ip', true],
  ];
  for (const [address, isPrivate] of cases) assert.equal(isPrivateAddress(address), isPrivate, address);
});
