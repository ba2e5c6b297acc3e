import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { redisReachable, REDIS_URL } from '../support/redis.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('SK v2 rate limits and maintenance', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('the same request is answered at most 10 times a minute, then 429 with Retry-After', async () => {
    const path = `/affiliate/v2/campaigns/${server.demo.offerIds[0]}`;
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      assert.equal((await server.request('GET', path, { key: server.keys.acme })).status, 200, `attempt ${attempt}`);
    }
    const limited = await server.request('GET', path, { key: server.keys.acme });
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, { error: 'Too Many Requests' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Another request, or another key, is not held back by it.
    assert.equal((await server.request('GET', `${path}?page=1`, { key: server.keys.acme })).status, 200);
    assert.equal((await server.request('GET', path, { key: server.keys.agency })).status, 200);
  });

  test('a key gets 200 requests a minute in all', async () => {
    const statuses = [];
    for (let page = 1; page <= 201; page += 1) {
      statuses.push((await server.request('GET', `/affiliate/v2/advertisers?page=${page}`, { key: server.keys.brightside })).status);
    }
    assert.deepEqual(statuses.slice(0, 200), Array(200).fill(200));
    assert.equal(statuses[200], 429);
    assert.equal((await server.request('GET', '/affiliate/v2/advertisers', { key: server.keys.admin })).status, 200);
  });

  test('maintenance answers 503 with Retry-After and touches no data', async () => {
    await server.platform.setMaintenance(true);
    try {
      const count = async () => (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM advertisers'))[0]!.n;
      const before = await count();
      const reply = await server.request('POST', '/affiliate/v2/advertisers', {
        key: server.keys.admin,
        body: { name: 'During maintenance', businessUrl: 'https://m.example', categoryId: null },
      });
      assert.equal(reply.status, 503);
      assert.equal(reply.headers.get('retry-after'), '60');
      assert.match(reply.body.error, /maintenance/);
      assert.equal(await count(), before);
      assert.equal((await server.request('GET', '/healthz')).status, 200);
    } finally {
      await server.platform.setMaintenance(false);
    }
    assert.equal((await server.request('GET', '/affiliate/v2/categories', { key: server.keys.admin })).status, 200);
  });
});

describe('rate limits shared through Redis', async () => {
  const reachable = await redisReachable();
  // Processes share a store only on a PostgreSQL server; each PGlite store is one process's own.
  const skip = !reachable ? `no Redis at ${REDIS_URL}` : process.env.DATABASE_URL ? false : 'two processes share a store only on PostgreSQL (DATABASE_URL)';
  test('two processes on one Redis count one limit', { skip }, async () => {
    const first = await startTestServer({ REDIS_URL });
    const second = await startTestServer({ REDIS_URL }, {}, first.location);
    try {
      const key = first.keys.agency;
      const path = `/affiliate/v2/categories?probe=${randomUUID()}`;
      const statuses = [];
      for (let attempt = 0; attempt < 6; attempt += 1) statuses.push((await first.request('GET', path, { key })).status);
      for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await second.request('GET', path, { key })).status);
      assert.deepEqual(statuses, Array(10).fill(200));
      assert.equal((await first.request('GET', path, { key })).status, 429);
      assert.equal((await second.request('GET', path, { key })).status, 429);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
