import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('SK v2 bad input never breaks the server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('odd ids, pages, text and bodies get 4xx answers in the API format', async () => {
    const campaign = server.demo.offerIds[0];
    const cases: Array<[string, string, unknown, Record<string, string>?]> = [
      ['GET', '/advertisers/99999999999', undefined],
      ['GET', '/advertisers/-1', undefined],
      ['GET', '/advertisers/1.5', undefined],
      ['GET', '/advertisers?page=99999999999999999999', undefined],
      ['GET', '/advertisers?page=0', undefined],
      ['GET', '/campaigns?advertiserId=1e400', undefined],
      ['POST', '/advertisers', { name: 'a\u0000b', businessUrl: 'https://x.example', categoryId: null }],
      ['POST', '/advertisers', { name: 'x'.repeat(10_000), businessUrl: 'https://x.example', categoryId: null }],
      ['POST', '/advertisers', { name: 'X', businessUrl: 'https://x.example', categoryId: 99999999999 }],
      ['POST', '/advertisers', 'name=X', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['POST', '/advertisers', '', { 'content-type': 'application/json' }],
      ['POST', '/advertisers', 'null'],
      ['POST', '/advertisers', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, { 'content-type': 'application/json' }],
      ['POST', '/advertisers', JSON.parse(`${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`)],
      ['PUT', `/campaigns/${campaign}`, { name: 'X', start: '2026-01-01', dailyBudget: 1e308, cpc: 1, trackingUrl: 'https://x.example', geoTargeting: [] }],
      ['POST', `/campaigns/${campaign}/bid-factor`, { subId: 'x'.repeat(300), bidFactor: 1 }],
      ['POST', `/campaigns/${campaign}/bid-factors`, { subIds: [] }],
      ['POST', '/control-lists', { name: 'L', type: 'maybe' }],
      ['POST', '/control-lists', { name: 'L', type: 'allow', campaigns: [99999999999] }],
      ['GET', `/stats/campaigns/${campaign}/by-publisher?from=2026-01-01&to=2026-01-02&subid=%00`, undefined],
      ['GET', '/campaigns/%ZZ', undefined],
      ['GET', '/control-lists/%00', undefined],
    ];
    for (const [method, path, body, headers] of cases) {
      const reply = await server.request(method, `/affiliate/v2${path}`, { key: server.keys.admin, body, headers });
      assert.ok(reply.status >= 400 && reply.status < 500, `${method} ${path} answered ${reply.status}: ${reply.text}`);
      assert.equal(typeof reply.body.error, 'string', `${method} ${path}: ${reply.text}`);
    }
    assert.equal((await server.request('GET', '/readyz')).status, 200);
  });

  test('a path that cannot be decoded, or holds a NUL, is answered in the format of the API it was meant for', async () => {
    const undecodable = await server.request('GET', '/api/v1/clicks/%ZZ', { key: server.keys.admin });
    assert.equal(undecodable.status, 400);
    assert.match(undecodable.body.error, /not a valid url component/);
    const nul = await server.request('GET', '/api/v1/clicks/10%00', { key: server.keys.admin });
    assert.deepEqual([nul.status, nul.body], [400, { error: 'Text must not contain NUL characters' }]);
    const shortLink = await server.request('GET', '/t/%ZZ');
    assert.deepEqual([shortLink.status, shortLink.text], [404, 'Unknown tracking link']);
  });
});
