import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('SK v2 campaigns', () => {
  let server: TestServer;
  let acmeId: number;
  let brightsideId: number;
  let channelId: number;
  const campaign = () => ({
    name: 'Acme Autumn Sale',
    start: '2026-03-01',
    end: '2026-07-31',
    dailyBudget: 150.5,
    cpc: 0.25,
    trackingUrl: 'https://acme-outdoor.example/autumn?clickid={clickid}',
    allowDeepLink: true,
    geoTargeting: ['us', 'CA'],
    deviceTargeting: ['Mobile'],
    partnerChannels: [channelId],
    strategyId: 3,
    advertiserId: acmeId,
  });

  before(async () => {
    server = await startTestServer();
    [acmeId, brightsideId] = server.demo.advertiserIds as [number, number];
    channelId = (await server.request('GET', '/affiliate/v2/channels', { key: server.keys.acme })).body[0].id;
  });
  after(() => server.close());

  test('an advertiser creates a campaign and reads it back in SK shape', async () => {
    const created = await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.acme, body: campaign() });
    assert.equal(created.status, 200, created.text);
    const { id, updated, ...rest } = created.body;
    assert.ok(id > 0);
    assert.match(updated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.deepEqual(rest, {
      name: 'Acme Autumn Sale',
      active: true,
      status: 1,
      // The demo network runs on New York time: March 1 begins at 05:00 UTC, July 31 ends at 04:00 UTC on August 1.
      start: '2026-03-01T00:00:00-05:00',
      end: '2026-07-31T23:59:59-04:00',
      advertiser: { id: acmeId, name: 'Acme Outdoor' },
      dailyBudget: 150.5,
      cpc: 0.25,
      trackingUrl: 'https://acme-outdoor.example/autumn?clickid={clickid}',
      allowDeepLink: true,
      geoTargeting: ['US', 'CA'],
      deviceTargeting: ['Mobile'],
      partnerChannels: [channelId],
    });
    const fetched = await server.request('GET', `/affiliate/v2/campaigns/${id}`, { key: server.keys.acme });
    assert.deepEqual(fetched.body, created.body);
    const [stored] = await server.store.query<{ revenue: bigint; payout: bigint; budget: bigint }>(
      `SELECT revenue_flat_micros AS revenue, payout_flat_micros AS payout, daily_budget_micros AS budget FROM offers WHERE id = $1`,
      [id],
    );
    assert.deepEqual(stored, { revenue: 250_000n, payout: 175_000n, budget: 150_500_000n });
  });

  test('a full replace takes back what GET gave, and a partial POST pauses and resumes', async () => {
    const created = (await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.acme, body: campaign() })).body;
    const replaced = await server.request('PUT', `/affiliate/v2/campaigns/${created.id}`, {
      key: server.keys.acme,
      body: { ...created, name: 'Acme Autumn Sale II', cpc: 0.3, geoTargeting: ['GB'], end: null, unknownKey: 'ignored' },
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.name, 'Acme Autumn Sale II');
    assert.equal(replaced.body.cpc, 0.3);
    assert.deepEqual(replaced.body.geoTargeting, ['GB']);
    assert.equal(replaced.body.end, null);
    assert.equal(replaced.body.start, created.start);

    const paused = await server.request('POST', `/affiliate/v2/campaigns/${created.id}`, { key: server.keys.acme, body: { active: false } });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.active, false);
    assert.equal(paused.body.status, 0);
    const resumed = await server.request('POST', `/affiliate/v2/campaigns/${created.id}`, { key: server.keys.acme, body: { active: true } });
    assert.equal(resumed.body.active, true);
  });

  test('what a campaign reads is what it takes back: budget 0, a campaign priced per conversion, the end day, deep links', async () => {
    const made = await server.request('POST', '/affiliate/v2/campaigns', {
      key: server.keys.acme,
      body: { ...campaign(), dailyBudget: 0, end: '2027-01-31', allowDeepLink: 'true' },
    });
    assert.equal(made.status, 200, made.text);
    assert.deepEqual([made.body.dailyBudget, made.body.end, made.body.allowDeepLink], [0, '2027-01-31T23:59:59-05:00', true]);
    const stored = async (id: number) =>
      (await server.store.query<{ budget: bigint | null; endsAt: Date; revenueType: string }>(
        'SELECT daily_budget_micros AS budget, ends_at AS "endsAt", revenue_type AS "revenueType" FROM offers WHERE id = $1',
        [id],
      ))[0]!;
    assert.deepEqual(await stored(made.body.id), { budget: null, endsAt: new Date('2027-02-01T05:00:00Z'), revenueType: 'cpc' }, 'budget 0 is no budget');
    const again = await server.request('PUT', `/affiliate/v2/campaigns/${made.body.id}`, { key: server.keys.acme, body: made.body });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, { ...made.body, updated: again.body.updated });
    assert.deepEqual((await stored(made.body.id)).endsAt, new Date('2027-02-01T05:00:00Z'), 'the end read back ends the same day');

    const newsletter = server.demo.offerIds[1]!;
    const read = (await server.request('GET', `/affiliate/v2/campaigns/${newsletter}`, { key: server.keys.acme })).body;
    assert.equal(read.cpc, 0);
    const replaced = await server.request('PUT', `/affiliate/v2/campaigns/${newsletter}`, { key: server.keys.acme, body: { ...read, name: 'Acme Outdoor - Newsletter Signup' } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal((await stored(newsletter)).revenueType, 'cpa_flat', 'an SK update keeps a CPA offer CPA');
    const priced = await server.request('PUT', `/affiliate/v2/campaigns/${newsletter}`, { key: server.keys.acme, body: { ...read, cpc: 0.5 } });
    assert.equal(priced.status, 400);
    assert.match(priced.body.error, /^cpc: campaign \d+ is priced per conversion \(cpa_flat\); send 0, as it reads, to keep that$/);

    const nobody = await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.admin, body: { ...campaign(), advertiserId: 999_999 } });
    assert.equal(nobody.status, 404, nobody.text);
    assert.match(nobody.body.error, /advertiser 999999 was not found/);
  });

  test('an archived campaign cannot change status', async () => {
    const created = (await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.acme, body: campaign() })).body;
    await server.store.query(`UPDATE offers SET status = 'deleted' WHERE id = $1`, [created.id]);
    const reply = await server.request('POST', `/affiliate/v2/campaigns/${created.id}`, { key: server.keys.acme, body: { active: true } });
    assert.equal(reply.status, 400);
    assert.match(reply.body.error, /You cannot change the status of campaign with id "\d+"\./);
  });

  test('bad campaign payloads get a 400 naming the field and nothing is created', async () => {
    const count = async () => (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM offers'))[0]!.n;
    const before = await count();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ strategyId: 2 }, /^strategyId: must be one of 3$/],
      [{ geoTargeting: ['US', 'XX'] }, /^geoTargeting: "XX" is not an ISO 3166-1 alpha-2 country code$/],
      [{ end: '2026-02-01' }, /^end: must be after the start$/],
      [{ dailyBudget: -5 }, /^dailyBudget: must be >= 0$/],
      [{ cpc: 0 }, /^cpc: must be greater than 0$/],
      [{ cpc: '0.25' }, /^cpc: must be number$/],
      [{ start: '2026-13-01' }, /^start: must be a date/],
      [{ trackingUrl: 'javascript:alert(1)' }, /^trackingUrl: must be an absolute http\(s\) URL$/],
      [{ deviceTargeting: ['Smart TV'] }, /^deviceTargeting: "Smart TV" is not one of desktop, mobile, tablet$/],
      [{ partnerChannels: [99999] }, /^partnerChannels: unknown channel 99999$/],
      [{ name: undefined }, /^name: is required$/],
    ];
    for (const [change, message] of cases) {
      const reply = await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.acme, body: { ...campaign(), ...change } });
      assert.equal(reply.status, 400, JSON.stringify(change));
      assert.match(reply.body.error, message, JSON.stringify(change));
    }
    assert.equal(await count(), before);
  });

  test('listing filters by advertiser and checks the filter', async () => {
    const agencyAcme = await server.request('GET', `/affiliate/v2/campaigns?advertiserId=${acmeId}`, { key: server.keys.agency });
    assert.equal(agencyAcme.status, 200);
    assert.ok(agencyAcme.body.items.length > 0);
    assert.ok(agencyAcme.body.items.every((item: { advertiser: { id: number } }) => item.advertiser.id === acmeId));
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns?advertiserId=abc', { key: server.keys.agency })).status, 400);
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns?advertiserId=99999', { key: server.keys.agency })).status, 404);
    assert.equal((await server.request('GET', `/affiliate/v2/campaigns?advertiserId=${brightsideId}`, { key: server.keys.acme })).status, 403);
  });

  test('a campaign that does not exist is a 404 that calls it a campaign', async () => {
    for (const path of ['/affiliate/v2/campaigns/99999', '/affiliate/v2/stats/campaigns/99999/by-publisher?from=2026-01-01&to=2026-01-31']) {
      const missing = await server.request('GET', path, { key: server.keys.agency });
      assert.equal(missing.status, 404, path);
      assert.deepEqual(missing.body, { error: 'campaign 99999 was not found' }, path);
    }
  });

  test('the agency prefix serves the same API', async () => {
    const viaAgency = await server.request('GET', `/api/agency/v2/campaigns/${server.demo.offerIds[0]}`, { key: server.keys.agency });
    const viaAffiliate = await server.request('GET', `/affiliate/v2/campaigns/${server.demo.offerIds[0]}`, { key: server.keys.agency });
    assert.equal(viaAgency.status, 200);
    assert.deepEqual(viaAgency.body, viaAffiliate.body);
    const created = await server.request('POST', '/api/agency/v2/campaigns', { key: server.keys.agency, body: { ...campaign(), advertiserId: brightsideId } });
    assert.equal(created.status, 200);
    assert.equal(created.body.advertiser.id, brightsideId);
  });
});
