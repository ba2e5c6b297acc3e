import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeCountries, normalizeDevices } from '../../src/offers/offer-rules.ts';
import { ValidationError } from '../../src/shared/errors.ts';
import { campaignSettings, parseCampaignTime } from '../../src/sourceknowledge/sk-input.ts';

test('campaign days are local days of the network; date-times are instants', () => {
  const cases: Array<[string, 'start' | 'end', string, string]> = [
    ['2026-03-01', 'start', 'America/New_York', '2026-03-01T05:00:00.000Z'],
    ['2026-03-31', 'end', 'America/New_York', '2026-04-01T04:00:00.000Z'],
    ['2026-03-01', 'start', 'UTC', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T00:00:00Z', 'start', 'America/New_York', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T09:30:00+02:00', 'end', 'UTC', '2026-03-01T07:30:00.000Z'],
  ];
  for (const [value, edge, zone, expected] of cases) {
    assert.equal(parseCampaignTime('start', value, edge, zone).toISOString(), expected, `${value} (${edge}) in ${zone}`);
  }
  for (const bad of ['2026-02-30', '03/01/2026', '2026-03-01T10:00:00', 'tomorrow']) {
    assert.throws(() => parseCampaignTime('start', bad, 'start', 'UTC'), ValidationError, bad);
  }
});

test('a campaign pays its partners the network share of the CPC', () => {
  const settings = campaignSettings(
    { name: 'x', start: '2026-03-01', dailyBudget: 150.5, cpc: 0.25, trackingUrl: 'https://a.example', geoTargeting: ['us'] },
    { timeZone: 'UTC', cpcPartnerSharePpm: 700_000 },
  );
  assert.equal(settings.revenueFlatMicros, 250_000n);
  assert.equal(settings.payoutFlatMicros, 175_000n);
  assert.equal(settings.dailyBudgetMicros, 150_500_000n);
  assert.throws(
    () => campaignSettings({ name: 'x', start: '2026-03-01', dailyBudget: 1, cpc: 0.1234567, trackingUrl: 'https://a.example', geoTargeting: [] }, { timeZone: 'UTC', cpcPartnerSharePpm: 0 }),
    /cpc: must be an amount with at most 6 decimals/,
  );
});

test('countries and devices are normalized or the first bad value named', () => {
  assert.deepEqual(normalizeCountries(['us', 'GB', 'US']), { codes: ['US', 'GB'] });
  assert.equal(normalizeCountries(['US', 'UK']).invalid, 'UK');
  assert.equal(normalizeCountries(['USA']).invalid, 'USA');
  assert.deepEqual(normalizeDevices(['Mobile', 'desktop']), { devices: ['mobile', 'desktop'] });
  assert.equal(normalizeDevices(['TV']).invalid, 'TV');
});
