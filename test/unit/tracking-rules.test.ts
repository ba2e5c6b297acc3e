import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickMacro, type ClickMacroContext } from '../../src/tracking/click-macros.ts';
import { decideClick, subIdsOf, type ClickFacts, type OfferTerms } from '../../src/tracking/click-rules.ts';
import { advertiserDomains, isAllowedDeepLink } from '../../src/tracking/deep-links.ts';
import { expandMacros, macrosFrom } from '../../src/tracking/macros.ts';
import type { TrackedOffer } from '../../src/tracking/tracking-catalog.ts';
import { unitPrice, type TrafficUnit } from '../../src/tracking/traffic-prices.ts';
import { newTransactionId } from '../../src/tracking/transaction-ids.ts';

const offer: OfferTerms = {
  status: 'active',
  startsAt: new Date('2026-01-01T00:00:00Z'),
  endsAt: new Date('2027-01-01T00:00:00Z'),
  visibility: 'open',
  geoTargeting: new Set(['US', 'CA']),
  deviceTargeting: new Set(['mobile']),
  channelIds: new Set([1]),
  allowedSubIds: null,
  blockedSubIds: new Set(['7_spam']),
};
const facts: ClickFacts = {
  now: new Date('2026-06-01T12:00:00Z'),
  partnerStatus: 'active',
  partnerChannelIds: new Set([1, 2]),
  approval: undefined,
  subIds: ['7_blog', '7'],
  country: 'US',
  device: 'mobile',
  isBot: false,
  bidFactorE4: 10_000,
  overBudget: false,
  overClickCap: false,
  ipBlocked: false,
  referrerBlocked: false,
  overIpClickLimit: false,
};

test('decideClick checks the offer, the partner, lists, targeting and money, in that order', () => {
  const cases: Array<[string, Partial<OfferTerms>, Partial<ClickFacts>, string]> = [
    ['a click that passes', {}, {}, 'counted'],
    ['paused offer', { status: 'paused' }, {}, 'offer_inactive'],
    ['before the start', {}, { now: new Date('2025-12-31T23:59:59Z') }, 'offer_not_started'],
    ['at the end', {}, { now: new Date('2027-01-01T00:00:00Z') }, 'offer_ended'],
    ['blocked partner account', {}, { partnerStatus: 'blocked' }, 'partner_inactive'],
    ['blocked on the offer', {}, { approval: 'blocked' }, 'partner_blocked'],
    ['rejected application on an open offer', {}, { approval: 'rejected' }, 'partner_blocked'],
    ['approval needed, pending', { visibility: 'approval' }, { approval: 'pending' }, 'not_approved'],
    ['approval needed, approved', { visibility: 'approval' }, { approval: 'approved' }, 'counted'],
    ['private, not invited', { visibility: 'private' }, {}, 'not_approved'],
    ['blocked source', {}, { subIds: ['7_spam', '7'] }, 'sub_id_blocked'],
    ['allow list without the partner', { allowedSubIds: new Set(['8']) }, {}, 'sub_id_not_allowed'],
    ['allow list with the partner', { allowedSubIds: new Set(['7']) }, {}, 'counted'],
    ['allow list with only the source', { allowedSubIds: new Set(['7_blog']) }, {}, 'counted'],
    ['blocked address', {}, { ipBlocked: true }, 'ip_blocked'],
    ['blocked address with a bot agent: refused, not sent on', {}, { ipBlocked: true, isBot: true }, 'ip_blocked'],
    ['blocked address, but the offer is paused', { status: 'paused' }, { ipBlocked: true }, 'offer_inactive'],
    ['from a blocked referrer', {}, { referrerBlocked: true }, 'referrer_blocked'],
    ['from a blocked referrer, with a bot agent', {}, { referrerBlocked: true, isBot: true }, 'referrer_blocked'],
    ['channel not targeted', {}, { partnerChannelIds: new Set([3]) }, 'channel_not_targeted'],
    ['country not targeted', {}, { country: 'GB' }, 'geo_not_targeted'],
    ['unknown country on a geo-targeted offer', {}, { country: '' }, 'geo_not_targeted'],
    ['device not targeted', {}, { device: 'desktop' }, 'device_not_targeted'],
    ['no targeting at all', { geoTargeting: new Set(), deviceTargeting: new Set(), channelIds: new Set() }, { country: '', device: 'desktop', partnerChannelIds: new Set() }, 'counted'],
    ['bot', {}, { isBot: true }, 'bot'],
    ['bid factor zero', {}, { bidFactorE4: 0 }, 'bid_factor_zero'],
    ['over budget', {}, { overBudget: true }, 'budget_exhausted'],
    ['over a click cap', {}, { overClickCap: true }, 'click_cap_reached'],
    ["over the address's hourly clicks", {}, { overIpClickLimit: true }, 'ip_click_limit'],
    ["a bot over the address's hourly clicks: sent on uncounted", {}, { overIpClickLimit: true, isBot: true }, 'bot'],
  ];
  for (const [name, offerChange, factChange, expected] of cases) {
    assert.equal(decideClick({ ...offer, ...offerChange }, { ...facts, ...factChange }), expected, name);
  }
});

test('a click answers to its source sub-ID first, then the partner', () => {
  assert.deepEqual(subIdsOf(12, 'blog'), ['12_blog', '12']);
  assert.deepEqual(subIdsOf(12, undefined), ['12']);
});

test('macros are URL-encoded; missing values go blank; unknown macros stay', () => {
  const cases: Array<[string, Record<string, string | number | undefined>, string]> = [
    ['https://a.example/?t={transaction_id}&s={aff_sub}', { transaction_id: '10ab', aff_sub: 'a b&c=d' }, 'https://a.example/?t=10ab&s=a%20b%26c%3Dd'],
    ['https://a.example/?s={aff_sub2}', { aff_sub2: undefined }, 'https://a.example/?s='],
    ['https://a.example/?x={mystery}', {}, 'https://a.example/?x={mystery}'],
    ['https://a.example/?o={offer_id}&o2={offer_id}', { offer_id: 5 }, 'https://a.example/?o=5&o2=5'],
    ['https://a.example/{ü}', { ü: 'x' }, 'https://a.example/{ü}'],
  ];
  for (const [template, values, expected] of cases) assert.equal(expandMacros(template, macrosFrom(values)), expected, template);
});

test('a destination\'s macros come from the click; known but absent ones go blank, mobile ids included', () => {
  const context: ClickMacroContext = {
    offer: { id: 5, advertiserId: 3 } as TrackedOffer,
    request: {
      offerId: 5,
      partnerId: 12,
      source: 'blog',
      affSubs: ['a b', undefined, 'third'],
      affUniques: [undefined, 'u2'],
      urlId: 7,
      passThrough: { google_aid: 'g-1' },
      visitorId: 'v',
    },
    visitor: { ip: '203.0.113.9', userAgent: '', country: 'US', device: 'mobile', browser: 'Safari', os: 'iOS', isBot: false },
    transactionId: '10abc',
    costMicros: 250_000n,
    deepLink: 'https://acme.example/p?q=1',
  };
  const cases: Array<[string, string]> = [
    ['{transaction_id}/{clickid}', '10abc/10abc'],
    ['{aff_id}/{affiliate_id}/{offer_id}/{advertiser_id}', '12/12/5/3'],
    ['{aff_sub}|{aff_sub1}|{aff_sub2}|{aff_sub3}|{aff_sub5}', 'a%20b|a%20b||third|'],
    ['{source}/{sub_id}', 'blog/12_blog'],
    ['{aff_unique1}|{aff_unique2}|{url_id}|{offer_url_id}|{file_id}', '|u2|7|7|'],
    ['{country_code}/{device}/{ip}', 'US/mobile/203.0.113.9'],
    ['{adv_price}/{traffic_type}', '0.25/click'],
    ['{oadest}', 'https%3A%2F%2Facme.example%2Fp%3Fq%3D1'],
    ['{google_aid}|{ios_ifa}|{gaid}', 'g-1||'],
    ['{mystery}|{Transaction_Id}', '{mystery}|{Transaction_Id}'],
  ];
  for (const [template, expected] of cases) assert.equal(expandMacros(template, (name) => clickMacro(context, name)), expected, template);
  assert.match(expandMacros('{ran}', (name) => clickMacro(context, name)), /^[0-9a-z]+$/);
});

test('deep links go only to the advertiser\'s own domains, never elsewhere', () => {
  const domains = advertiserDomains('https://www.acme.example/shop', ['acme-cdn.example']);
  assert.deepEqual([...domains], ['acme.example', 'acme-cdn.example']);
  const cases: Array<[string, boolean]> = [
    ['https://acme.example/p/1', true],
    ['https://www.acme.example/p/1', true],
    ['http://shop.acme.example/p/1', true],
    ['https://acme-cdn.example/x', true],
    ['https://evilacme.example/p/1', false],
    ['https://acme.example.evil.example/', false],
    ['https://evil.example/?u=acme.example', false],
    ['javascript:alert(1)//acme.example', false],
    ['https://acme.example@evil.example/', false],
    ['https://user:pw@acme.example/', false],
    ['//acme.example/p', false],
    ['not a url', false],
  ];
  for (const [link, allowed] of cases) assert.equal(isAllowedDeepLink(link, domains), allowed, link);
});

test('transaction ids keep HasOffers\' shape, differ within a millisecond, and sort in the order of their clicks', () => {
  const at = Date.parse('2026-11-21T12:00:00Z');
  const minted = [at, at, at + 1, at + 1_000, Date.parse('2030-01-01T00:00:00Z')].map((time) => newTransactionId(time));
  for (const id of minted) assert.match(id, /^10[0-9a-f]{28}$/);
  assert.notEqual(minted[0], minted[1]);
  assert.deepEqual(minted.slice(1).toSorted(), minted.slice(1));
  assert.ok(minted[0]! < minted[2]! && minted[1]! < minted[2]!);
});

test('a click is priced by CPC terms and an impression by CPM terms, per thousand, times the bid factor, rounded down once', () => {
  const cases: Array<[string, Parameters<typeof unitPrice>[0], bigint, TrafficUnit, number, bigint]> = [
    ['a CPC click', 'cpc', 250_000n, 'click', 10_000, 250_000n],
    ['a CPC click at a bid factor of 0.85', 'cpc', 250_000n, 'click', 8_500, 212_500n],
    ['a CPC click at 0.3333, rounded down', 'cpc', 100_000n, 'click', 3_333, 33_330n],
    ['an impression of a CPC offer', 'cpc', 250_000n, 'impression', 10_000, 0n],
    ['a CPM impression: $2.50 a thousand', 'cpm', 2_500_000n, 'impression', 10_000, 2_500n],
    ['a CPM impression at half the bid', 'cpm', 2_500_000n, 'impression', 5_000, 1_250n],
    ['a CPM impression at 0.3333: 833.25 micros, rounded down', 'cpm', 2_500_000n, 'impression', 3_333, 833n],
    ['a CPM rate below a micro an impression', 'cpm', 999n, 'impression', 10_000, 0n],
    ['a click of a CPM offer', 'cpm', 2_500_000n, 'click', 10_000, 0n],
    ['a click of a CPA offer', 'cpa_flat', 2_000_000n, 'click', 10_000, 0n],
    ['an impression of a CPA offer', 'cpa_both', 2_000_000n, 'impression', 10_000, 0n],
  ];
  for (const [name, type, flatMicros, unit, bidFactorE4, expected] of cases) {
    assert.equal(unitPrice(type, flatMicros, unit, bidFactorE4), expected, name);
  }
});
