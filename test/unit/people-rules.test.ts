import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPERATOR, type Principal } from '../../src/accounts/principal.ts';
import { checkNewPassword, hashPassword, verifyPassword } from '../../src/accounts/passwords.ts';
import { checkInvitable } from '../../src/accounts/users.ts';
import { visibleFields } from '../../src/audit/audit-log.ts';
import { dashboardMetrics, periodDays } from '../../src/reports/dashboard.ts';

const partner: Principal = { userId: 5, keyId: null, role: 'partner', advertiserId: null, partnerId: 2, agencyId: null };
const advertiser: Principal = { userId: 3, keyId: null, role: 'advertiser', advertiserId: 1, partnerId: null, agencyId: null };

test('the dashboard\'s periods, in local days, across month and year ends and leap days', () => {
  const table: Array<[string, ReturnType<typeof periodDays>]> = [
    ['2026-12-06', { today: { from: '2026-12-06', to: '2026-12-06' }, yesterday: { from: '2026-12-05', to: '2026-12-05' }, thisMonth: { from: '2026-12-01', to: '2026-12-06' }, lastMonth: { from: '2026-11-01', to: '2026-11-30' } }],
    ['2027-01-01', { today: { from: '2027-01-01', to: '2027-01-01' }, yesterday: { from: '2026-12-31', to: '2026-12-31' }, thisMonth: { from: '2027-01-01', to: '2027-01-01' }, lastMonth: { from: '2026-12-01', to: '2026-12-31' } }],
    ['2028-03-01', { today: { from: '2028-03-01', to: '2028-03-01' }, yesterday: { from: '2028-02-29', to: '2028-02-29' }, thisMonth: { from: '2028-03-01', to: '2028-03-01' }, lastMonth: { from: '2028-02-01', to: '2028-02-29' } }],
  ];
  for (const [today, expected] of table) assert.deepEqual(periodDays(today), expected, today);
});

test('each role\'s dashboard counts its own side of the money', () => {
  assert.ok(!dashboardMetrics('partner').some((metric) => metric.includes('revenue') || metric === 'profit'));
  assert.ok(!dashboardMetrics('advertiser').some((metric) => metric.includes('payout') || metric === 'profit'));
  assert.ok(dashboardMetrics('network_admin').includes('profit'));
});

test('the audit log hides from each side what it may not know', () => {
  const row = { id: 1, name: 'Offer', payout_flat_micros: 1, revenue_flat_micros: 2, cpc_partner_share_ppm: 3, conversion_security_token: 'secret' };
  assert.deepEqual(visibleFields('network_admin', row), row);
  assert.deepEqual(visibleFields('partner', row), { id: 1, name: 'Offer', payout_flat_micros: 1, cpc_partner_share_ppm: 3 });
  assert.deepEqual(visibleFields('advertiser', row), { id: 1, name: 'Offer', revenue_flat_micros: 2, conversion_security_token: 'secret' });
  assert.deepEqual(visibleFields('agency', row), visibleFields('advertiser', row));
  assert.equal(visibleFields('partner', null), null);
});

test('an account invites only colleagues of its own account; the network anyone', () => {
  const cases: Array<[Principal, Parameters<typeof checkInvitable>[1], boolean]> = [
    [OPERATOR, { email: 'a@b.c', name: 'A', role: 'partner', partnerId: 9 }, true],
    [partner, { email: 'a@b.c', name: 'A', role: 'partner', partnerId: 2 }, true],
    [partner, { email: 'a@b.c', name: 'A', role: 'partner', partnerId: 3 }, false],
    [partner, { email: 'a@b.c', name: 'A', role: 'network_admin' }, false],
    [advertiser, { email: 'a@b.c', name: 'A', role: 'advertiser', advertiserId: 1 }, true],
    [advertiser, { email: 'a@b.c', name: 'A', role: 'agency', agencyId: 1 }, false],
  ];
  for (const [who, input, allowed] of cases) {
    if (allowed) assert.doesNotThrow(() => checkInvitable(who, input), JSON.stringify(input));
    else assert.throws(() => checkInvitable(who, input), /own account/, JSON.stringify(input));
  }
});

test('passwords: at least 10 characters; only the hash is kept, and it matches only its password', async () => {
  assert.throws(() => checkNewPassword('short'), /at least 10/);
  assert.doesNotThrow(() => checkNewPassword('long enough'));
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^scrypt\$32768\$8\$1\$/);
  assert.doesNotMatch(hash, /correct horse/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horse!', hash), false);
  assert.equal(await verifyPassword('correct horse', null), false, 'an unknown user never signs in');
  assert.notEqual(await hashPassword('correct horse'), hash, 'each hash has its own salt');
});
