import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('API keys', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a body that is not a key\'s makes no key', async () => {
    const count = async () => (await server.store.query('SELECT id FROM api_keys')).length;
    const before = await count();
    for (const body of [{ junk: true }, { nmae: 'typo' }, [1, 2], 'key please', { name: '' }, { name: 7 }]) {
      const refused = await server.request('POST', '/api/v1/keys', { key: server.keys.acme, body: JSON.stringify(body) });
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`);
    }
    assert.equal(await count(), before);
  });

  test('a key is shown once, stored only as a hash, and its last use is recorded', async () => {
    const made = await server.request('POST', '/api/v1/keys', { key: server.keys.acme, body: { name: 'reporting' } });
    assert.equal(made.status, 201, made.text);
    assert.match(made.body.key, /^pl_[\w-]{43}$/);
    const stored = await server.store.query<{ hash: Uint8Array; prefix: string }>(
      `SELECT secret_hash AS hash, prefix FROM api_keys WHERE id = $1`,
      [made.body.id],
    );
    assert.equal(stored[0]!.hash.length, 32);
    assert.ok(!Buffer.from(stored[0]!.hash).toString('latin1').includes(made.body.key));
    assert.equal(made.body.key.startsWith(stored[0]!.prefix), true);

    const listed = await server.request('GET', '/api/v1/keys', { key: server.keys.acme });
    const entry = listed.body.find((key: { id: number }) => key.id === made.body.id);
    assert.equal(entry.lastUsedAt, null);
    assert.ok(!JSON.stringify(listed.body).includes(made.body.key));

    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: made.body.key })).status, 200);
    const afterUse = await server.request('GET', '/api/v1/keys', { key: server.keys.acme });
    assert.notEqual(afterUse.body.find((key: { id: number }) => key.id === made.body.id).lastUsedAt, null);
  });

  test('refreshing a key stops the old one at once; revoking stops it for good', async () => {
    const made = (await server.request('POST', '/api/v1/keys', { key: server.keys.brightside, body: { name: 'sync' } })).body;
    const refreshed = await server.request('POST', `/api/v1/keys/${made.id}/refresh`, { key: server.keys.brightside });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.notEqual(refreshed.body.key, made.key);
    assert.equal(refreshed.body.name, 'sync');
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: made.key })).status, 401);
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: refreshed.body.key })).status, 200);
    const again = await server.request('POST', `/api/v1/keys/${made.id}/refresh`, { key: server.keys.brightside });
    assert.equal(again.status, 409);

    const revoked = await server.request('DELETE', `/api/v1/keys/${refreshed.body.id}`, { key: server.keys.brightside });
    assert.equal(revoked.status, 200);
    assert.notEqual(revoked.body.revokedAt, null);
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: refreshed.body.key })).status, 401);
    const revokedAgain = await server.request('DELETE', `/api/v1/keys/${refreshed.body.id}`, { key: server.keys.brightside });
    assert.equal(revokedAgain.body.revokedAt, revoked.body.revokedAt);
  });

  test('an account touches only its own keys; a network admin any', async () => {
    const acmeKey = (await server.request('POST', '/api/v1/keys', { key: server.keys.acme, body: { name: 'mine' } })).body;
    assert.equal((await server.request('DELETE', `/api/v1/keys/${acmeKey.id}`, { key: server.keys.brightside })).status, 403);
    assert.equal((await server.request('POST', `/api/v1/keys/${acmeKey.id}/refresh`, { key: server.keys.trailblazer })).status, 403);
    assert.equal((await server.request('GET', `/api/v1/keys?userId=${acmeKey.userId}`, { key: server.keys.brightside })).status, 403);
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: acmeKey.key })).status, 200);
    const listedByAdmin = await server.request('GET', `/api/v1/keys?userId=${acmeKey.userId}`, { key: server.keys.admin });
    assert.ok(listedByAdmin.body.some((key: { id: number }) => key.id === acmeKey.id));
    assert.equal((await server.request('DELETE', `/api/v1/keys/${acmeKey.id}`, { key: server.keys.admin })).status, 200);
    assert.equal((await server.request('GET', '/affiliate/v2/campaigns', { key: acmeKey.key })).status, 401);
  });

  test('a key made with an Idempotency-Key is made once; the retry does not show the secret again', async () => {
    const count = async () => (await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE name = 'ci'`))[0]!.n;
    const first = await server.request('POST', '/api/v1/keys', { key: server.keys.agency, body: { name: 'ci' }, headers: { 'idempotency-key': 'make-ci-key' } });
    const retry = await server.request('POST', '/api/v1/keys', { key: server.keys.agency, body: { name: 'ci' }, headers: { 'idempotency-key': 'make-ci-key' } });
    assert.equal(first.status, 201);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.body.id, first.body.id);
    assert.ok(!retry.text.includes(first.body.key));
    assert.equal(await count(), 1);
  });
});
