import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/** One account's key against every endpoint that names another account's data. */
describe('SK v2 account isolation', () => {
  let server: TestServer;
  let snapshot: () => Promise<string>;

  before(async () => {
    server = await startTestServer();
    snapshot = async () => {
      const parts = [];
      for (const table of ['advertisers', 'offers', 'offer_channels', 'control_lists', 'control_list_offers', 'control_list_sub_ids', 'bid_factors']) {
        const [row] = await server.store.query<{ digest: string }>(
          `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
        );
        parts.push(`${table}:${row!.digest}`);
      }
      return parts.join(',');
    };
  });
  after(() => server.close());

  test('an advertiser key reaches nothing of another advertiser, and changes nothing', async () => {
    const [, brightside] = server.demo.advertiserIds as [number, number];
    const [springGear, , bestsellers] = server.demo.offerIds as [number, number, number];
    const agencyList = (await server.request('GET', '/affiliate/v2/control-lists', { key: server.keys.agency })).body.items[0].id;
    const campaignBody = {
      name: 'Hijack',
      start: '2026-03-01',
      dailyBudget: 10,
      cpc: 1,
      trackingUrl: 'https://evil.example',
      geoTargeting: ['US'],
      strategyId: 3,
      advertiserId: brightside,
    };
    const cases: Array<[string, string, unknown, number]> = [
      ['GET', `/advertisers/${brightside}`, undefined, 403],
      ['PUT', `/advertisers/${brightside}`, { name: 'Mine', businessUrl: 'https://evil.example', categoryId: null }, 403],
      ['GET', `/campaigns?advertiserId=${brightside}`, undefined, 403],
      ['POST', '/campaigns', campaignBody, 403],
      ['GET', `/campaigns/${bestsellers}`, undefined, 403],
      ['PUT', `/campaigns/${bestsellers}`, { ...campaignBody, advertiserId: undefined }, 403],
      ['PUT', `/campaigns/${springGear}`, campaignBody, 403],
      ['POST', `/campaigns/${bestsellers}`, { active: false }, 403],
      ['POST', `/campaigns/${bestsellers}/bid-factor`, { subId: '1', bidFactor: 0 }, 403],
      ['POST', `/campaigns/${bestsellers}/bid-factors`, { subIds: [{ subId: '1', bidFactor: 0 }] }, 403],
      ['GET', `/control-lists/${agencyList}`, undefined, 403],
      ['PUT', `/control-lists/${agencyList}`, { name: 'Mine', type: 'block', campaigns: [], subIds: [] }, 403],
      ['POST', '/control-lists', { name: 'Mine', type: 'allow', campaigns: [bestsellers], subIds: ['1'] }, 400],
      ['GET', `/stats/by-campaign?from=2026-11-01&to=2026-11-02&advertiserId=${brightside}`, undefined, 403],
      ['GET', `/stats/campaigns/${bestsellers}/by-publisher?from=2026-11-01&to=2026-11-02`, undefined, 403],
    ];
    const before = await snapshot();
    for (const [method, path, body, status] of cases) {
      const reply = await server.request(method, `/affiliate/v2${path}`, { key: server.keys.acme, body });
      assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
      assert.equal(typeof reply.body.error, 'string', `${method} ${path}`);
    }
    assert.equal(await snapshot(), before);

    const lists = async (path: string) => (await server.request('GET', `/affiliate/v2${path}`, { key: server.keys.acme })).body.items;
    assert.ok((await lists('/advertisers')).every((item: { id: number }) => item.id !== brightside));
    assert.ok((await lists('/campaigns')).every((item: { advertiser: { id: number } }) => item.advertiser.id !== brightside));
    assert.ok((await lists('/stats/by-campaign?from=2026-11-01&to=2026-11-02')).every((item: { advertiser: { id: number } }) => item.advertiser.id !== brightside));
    assert.deepEqual(await lists('/control-lists'), []);
  });

  test('a partner key reaches no advertiser-side data', async () => {
    const [acme] = server.demo.advertiserIds as [number];
    const [springGear] = server.demo.offerIds as [number];
    const agencyList = (await server.request('GET', '/affiliate/v2/control-lists', { key: server.keys.agency })).body.items[0].id;
    const cases: Array<[string, string, unknown]> = [
      ['GET', `/advertisers/${acme}`, undefined],
      ['POST', '/advertisers', { name: 'X', businessUrl: 'https://x.example', categoryId: null }],
      ['GET', '/campaigns', undefined],
      ['GET', `/campaigns/${springGear}`, undefined],
      ['POST', `/campaigns/${springGear}`, { active: false }],
      ['POST', `/campaigns/${springGear}/bid-factor`, { subId: '1', bidFactor: 5 }],
      ['GET', '/control-lists', undefined],
      ['GET', `/control-lists/${agencyList}`, undefined],
      ['GET', '/stats/by-campaign?from=2026-11-01&to=2026-11-02', undefined],
    ];
    const before = await snapshot();
    for (const [method, path, body] of cases) {
      const reply = await server.request(method, `/affiliate/v2${path}`, { key: server.keys.trailblazer, body });
      assert.equal(reply.status, 403, `${method} ${path}: ${reply.text}`);
    }
    assert.equal(await snapshot(), before);
  });

  test('missing, unknown and revoked keys are 401', async () => {
    const missing = await server.request('GET', '/affiliate/v2/advertisers');
    assert.equal(missing.status, 401);
    assert.match(missing.body.error, /X-API-KEY/);
    const unknown = await server.request('GET', '/affiliate/v2/advertisers', { key: 'pl_not-a-key' });
    assert.equal(unknown.status, 401);
    await server.store.query(`UPDATE api_keys SET revoked_at = now() WHERE name = 'demo' AND user_id = $1`, [
      server.demo.accounts.find((account) => account.email === 'team@socialspark.example')!.id,
    ]);
    const revoked = await server.request('GET', '/affiliate/v2/categories', { key: server.keys.socialSpark });
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.error, /Invalid or revoked/);
  });
});
