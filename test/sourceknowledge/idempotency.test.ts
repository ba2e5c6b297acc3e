import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { purgeExpiredIdempotencyKeys } from '../../src/http/idempotency.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('Idempotency-Key on creating endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const count = async (table: string) => (await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  test('the same key and body answer the first response again and create nothing new', async () => {
    const body = {
      name: 'Retry-safe campaign',
      start: '2026-12-01',
      dailyBudget: 20,
      cpc: 0.5,
      trackingUrl: 'https://acme-outdoor.example/x',
      geoTargeting: ['US'],
      strategyId: 3,
      advertiserId: server.demo.advertiserIds[0],
    };
    const before = await count('offers');
    const headers = { 'idempotency-key': 'campaign-2026-12-01' };
    const replies = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      replies.push(await server.request('POST', '/affiliate/v2/campaigns', { key: server.keys.acme, body, headers }));
    }
    assert.equal(await count('offers'), before + 1);
    assert.equal(replies[0]!.status, 200);
    for (const reply of replies.slice(1)) {
      assert.equal(reply.text, replies[0]!.text);
      assert.equal(reply.headers.get('idempotent-replayed'), 'true');
    }
  });

  test('concurrent retries with one key create one advertiser', async () => {
    const before = await count('advertisers');
    const body = { name: 'Concurrent Co', businessUrl: 'https://concurrent.example', categoryId: null };
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.request('POST', '/affiliate/v2/advertisers', { key: server.keys.agency, body, headers: { 'idempotency-key': 'adv-concurrent' } }),
      ),
    );
    assert.equal(await count('advertisers'), before + 1);
    assert.ok(replies.every((reply) => reply.status === 200 && reply.body.id === replies[0]!.body.id));
  });

  test('reusing a key for a different request is refused', async () => {
    const headers = { 'idempotency-key': 'list-1' };
    const first = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.agency,
      headers,
      body: { name: 'First', type: 'block', subIds: ['9'] },
    });
    assert.equal(first.status, 200);
    const other = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.agency,
      headers,
      body: { name: 'Second', type: 'block', subIds: ['9'] },
    });
    assert.equal(other.status, 409);
    assert.match(other.body.error, /already used with a different request/);
    const sameKeyOtherAccount = await server.request('POST', '/affiliate/v2/control-lists', {
      key: server.keys.acme,
      headers,
      body: { name: 'Second', type: 'block', subIds: ['9'] },
    });
    assert.equal(sameKeyOtherAccount.status, 200);
  });

  test('a key answers its first response for 24 hours; then it is forgotten and free again', async () => {
    const headers = { 'idempotency-key': 'list-daily' };
    const send = (name: string) =>
      server.request('POST', '/affiliate/v2/control-lists', { key: server.keys.agency, headers, body: { name, type: 'block', subIds: ['7'] } });
    const first = await send('Monday');
    assert.equal(first.status, 200);
    const age = (hours: number) =>
      server.store.query(`UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $1) WHERE key = 'list-daily'`, [hours]);
    await age(23);
    assert.equal((await send('Tuesday')).status, 409);
    await age(25);
    const reused = await send('Tuesday');
    assert.equal(reused.status, 200, reused.text);
    assert.notEqual(reused.body.id, first.body.id);
    assert.equal(reused.headers.get('idempotent-replayed'), null);

    await age(25);
    assert.ok((await purgeExpiredIdempotencyKeys(server.store)) >= 1);
    assert.equal((await server.store.query(`SELECT 1 FROM idempotency_keys WHERE key = 'list-daily'`)).length, 0);
  });

  test('a refused request keeps no key, so a corrected retry goes through', async () => {
    const headers = { 'idempotency-key': 'fix-and-retry' };
    const bad = await server.request('POST', '/affiliate/v2/advertisers', {
      key: server.keys.agency,
      headers,
      body: { name: 'Fixed Co', businessUrl: 'nope', categoryId: null },
    });
    assert.equal(bad.status, 400);
    const good = await server.request('POST', '/affiliate/v2/advertisers', {
      key: server.keys.agency,
      headers,
      body: { name: 'Fixed Co', businessUrl: 'https://fixed.example', categoryId: null },
    });
    assert.equal(good.status, 200);
  });
});
