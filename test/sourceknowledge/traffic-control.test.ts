import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('SK v2 control lists and bid factors', () => {
  let server: TestServer;
  let springGear: number;
  let newsletter: number;
  let bestsellers: number;
  let mobileDeals: number;

  before(async () => {
    server = await startTestServer();
    [springGear, newsletter, bestsellers, , mobileDeals] = server.demo.offerIds as number[] as [number, number, number, number, number];
  });
  after(() => server.close());

  test('control lists are listed with counts and read with campaigns and sub-IDs', async () => {
    const listed = await server.request('GET', '/affiliate/v2/control-lists', { key: server.keys.agency });
    assert.equal(listed.status, 200);
    const allow = listed.body.items.find((item: { type: string }) => item.type === 'allow');
    assert.deepEqual(Object.keys(allow), ['id', 'name', 'itemsCount', 'type', 'global', 'updated']);
    assert.equal(allow.itemsCount, 2);
    assert.match(allow.updated, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const detail = await server.request('GET', `/affiliate/v2/control-lists/${allow.id}`, { key: server.keys.agency });
    assert.deepEqual(detail.body.campaigns, [{ id: mobileDeals, name: 'Acme Outdoor - Mobile Deals' }]);
    assert.equal(detail.body.subIds.length, 2);
  });

  test('a campaign may sit on one allow list only; a refused change leaves everything as it was', async () => {
    const created = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.agency,
      body: { name: 'Premium publishers', type: 'allow', campaigns: [springGear], subIds: ['1', '1_blog', 2] },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.subIds, ['1', '1_blog', '2']);

    const second = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.agency,
      body: { name: 'Another allow list', type: 'allow', campaigns: [{ id: springGear, name: 'x' }], subIds: ['3'] },
    });
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'campaigns: Some of the specified campaign are invalid or associated to another list!');
    const lists = await server.store.query(`SELECT id FROM control_lists WHERE name = 'Another allow list'`);
    assert.equal(lists.length, 0);

    const block = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.agency,
      body: { name: 'Blocked on spring', type: 'block', campaigns: [springGear], subIds: ['3'] },
    });
    assert.equal(block.status, 200);

    // Turning the block list into an allow list would give spring gear two allow lists.
    const flipped = await server.request('PUT', `/affiliate/v2/control-lists/${block.body.id}`, {
      key: server.keys.agency,
      body: { ...block.body, type: 'allow' },
    });
    assert.equal(flipped.status, 400);
    const unchanged = await server.request('GET', `/affiliate/v2/control-lists/${block.body.id}`, { key: server.keys.agency });
    assert.equal(unchanged.body.type, 'block');
    assert.deepEqual(unchanged.body.campaigns, [{ id: springGear, name: 'Acme Outdoor - Spring Gear' }]);
  });

  test('a full replace updates the list; PATCH is 405 and nested paths 404', async () => {
    const created = (
      await server.request('POST', '/affiliate/v2/control-lists', {
        key: server.keys.agency,
        body: { name: 'Coupon sites', type: 'block', global: false, campaigns: [], subIds: ['2'] },
      })
    ).body;
    const replaced = await server.request('PUT', `/affiliate/v2/control-lists/${created.id}`, {
      key: server.keys.agency,
      body: { name: 'Coupon and cashback sites', type: 'block', global: true, campaigns: [newsletter, bestsellers], subIds: ['2', '2_cashback'] },
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.global, true);
    assert.equal(replaced.body.itemsCount, 2);
    assert.deepEqual(replaced.body.campaigns.map((campaign: { id: number }) => campaign.id), [newsletter, bestsellers]);
    const patched = await server.request('PATCH', `/affiliate/v2/control-lists/${created.id}`, { key: server.keys.agency, body: { name: 'x' } });
    assert.equal(patched.status, 405);
    assert.ok(patched.body.error);
    assert.equal((await server.request('GET', `/affiliate/v2/control-lists/${created.id}/campaigns`, { key: server.keys.agency })).status, 404);
  });

  test('an advertiser cannot put another advertiser\'s campaign on its list', async () => {
    const reply = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.acme,
      body: { name: 'Grab', type: 'block', campaigns: [bestsellers], subIds: ['1'] },
    });
    assert.equal(reply.status, 400);
    assert.match(reply.body.error, /invalid or associated to another list/);
    const own = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.acme,
      body: { name: 'Acme blocks', type: 'block', campaigns: [newsletter], subIds: ['3'] },
    });
    assert.equal(own.status, 200);
    assert.equal((await server.request('GET', `/affiliate/v2/control-lists/${own.body.id}`, { key: server.keys.brightside })).status, 403);
    assert.equal((await server.request('GET', `/affiliate/v2/control-lists/${own.body.id}`, { key: server.keys.agency })).status, 200);
  });

  test('bid factors are set one at a time or in bulk, and reset through a control list', async () => {
    const single = await server.request('POST', `/affiliate/v2/campaigns/${springGear}/bid-factor`, {
      key: server.keys.acme,
      body: { subId: 7, bidFactor: 1.35 },
    });
    assert.equal(single.status, 200, single.text);
    assert.deepEqual(single.body, { campaignId: springGear, items: [{ subId: '7', bidFactor: 1.35 }] });
    const bulk = await server.request('POST', `/affiliate/v2/campaigns/${springGear}/bid-factors`, {
      key: server.keys.acme,
      body: { subIds: [{ subId: '8', bidFactor: 0 }, { subId: '9', bidFactor: 0.5 }, { subId: '7', bidFactor: 2 }] },
    });
    assert.equal(bulk.status, 200);
    const stored = await server.store.query<{ subId: string; factor: string }>(
      `SELECT sub_id AS "subId", factor::text FROM bid_factors WHERE offer_id = $1 AND sub_id IN ('7', '8', '9') ORDER BY sub_id`,
      [springGear],
    );
    assert.deepEqual(stored, [
      { subId: '7', factor: '2.0000' },
      { subId: '8', factor: '0.0000' },
      { subId: '9', factor: '0.5000' },
    ]);
    for (const [body, message] of [
      [{ subId: '7', bidFactor: -1 }, /bidFactor: must be >= 0/],
      [{ subId: '7', bidFactor: 1.23456 }, /bidFactor: must be a number from 0 to 100 with at most 4 decimals/],
      [{ subId: '', bidFactor: 1 }, /^subId: a sub-ID must be 1 to 255 characters$/],
      [{ bidFactor: 1 }, /subId: is required/],
    ] as const) {
      const reply = await server.request('POST', `/affiliate/v2/campaigns/${springGear}/bid-factor`, { key: server.keys.acme, body });
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, message);
    }
    const badBulk = await server.request('POST', `/affiliate/v2/campaigns/${springGear}/bid-factors`, {
      key: server.keys.acme,
      body: { subIds: [{ subId: '7', bidFactor: 3 }, { subId: ' ', bidFactor: 1 }] },
    });
    assert.equal(badBulk.status, 400);
    assert.deepEqual(badBulk.body, { error: 'subIds[1].subId: a sub-ID must be 1 to 255 characters' });
    const [seven] = await server.store.query<{ factor: string }>(`SELECT factor::text FROM bid_factors WHERE offer_id = $1 AND sub_id = '7'`, [springGear]);
    assert.equal(seven!.factor, '2.0000');
    const reset = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.acme,
      body: { name: 'Reset 7 and 8', type: 'block', campaigns: [springGear], subIds: ['7', '8'], resetBidFactors: true },
    });
    assert.equal(reset.status, 200);
    const left = await server.store.query<{ subId: string }>(
      `SELECT sub_id AS "subId" FROM bid_factors WHERE offer_id = $1 AND sub_id IN ('7', '8', '9')`,
      [springGear],
    );
    assert.deepEqual(left, [{ subId: '9' }]);
  });

  test('stats endpoints answer every visible campaign in their final shape and check the range', async () => {
    const stats = await server.request('GET', '/affiliate/v2/stats/by-campaign?from=2026-11-01&to=2026-11-21', { key: server.keys.acme });
    assert.equal(stats.status, 200);
    assert.deepEqual(Object.keys(stats.body), ['itemsCount', 'items', 'hasMore', 'page']);
    const item = stats.body.items.find((row: { id: number }) => row.id === springGear);
    assert.deepEqual(item, {
      id: springGear,
      name: 'Acme Outdoor - Spring Gear',
      spend: 0,
      revenue: 0,
      clicks: 0,
      impressions: 0,
      conversions: 0,
      advertiser: { id: server.demo.advertiserIds[0], name: 'Acme Outdoor' },
    });
    assert.ok(stats.body.items.every((row: { advertiser: { id: number } }) => row.advertiser.id === server.demo.advertiserIds[0]));
    const byPublisher = await server.request('GET', `/affiliate/v2/stats/campaigns/${springGear}/by-publisher?from=2026-11-01&to=2026-11-21`, {
      key: server.keys.acme,
    });
    assert.equal(byPublisher.status, 200);
    assert.deepEqual(byPublisher.body, { itemsCount: 0, items: [], hasMore: false, page: 1 });
    for (const [query, message] of [
      ['to=2026-11-21', /^from: is required$/],
      ['from=2026-11-31&to=2026-12-01', /^from: must be a date written YYYY-MM-DD$/],
      ['from=2026-11-21&to=2026-11-01', /^to: must not be before from$/],
      ['from=2020-01-01&to=2026-11-01', /^to: the range may span at most 731 days$/],
    ] as const) {
      const reply = await server.request('GET', `/affiliate/v2/stats/by-campaign?${query}`, { key: server.keys.acme });
      assert.equal(reply.status, 400, query);
      assert.match(reply.body.error, message);
    }
    const otherCampaign = await server.request('GET', `/affiliate/v2/stats/campaigns/${bestsellers}/by-publisher?from=2026-11-01&to=2026-11-02`, {
      key: server.keys.acme,
    });
    assert.equal(otherCampaign.status, 403);
  });
});
