import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let api: ReturnType<typeof v1Api>;
before(async () => {
  server = await startTestServer();
  api = v1Api(server);
});
after(() => server.close());

test('a partner edits its own postback, by the same rules as a new one; another partner cannot', async () => {
  const created = await api('POST', '/postbacks', { url: 'https://tracker.example/pb?c={aff_sub}' }, server.keys.trailblazer);
  assert.equal(created.status, 201, created.text);
  const id = created.body.id as number;
  const changed = await api('PATCH', `/postbacks/${id}`, { url: 'https://tracker.example/v2?c={aff_sub}&p={payout}', events: ['create', 'reject'] }, server.keys.trailblazer);
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.url, 'https://tracker.example/v2?c={aff_sub}&p={payout}');
  assert.deepEqual(changed.body.events, ['create', 'reject']);
  assert.equal((await api('PATCH', `/postbacks/${id}`, { url: 'http://10.0.0.1/pb' }, server.keys.trailblazer)).status, 400, 'a private address is refused as on creation');
  assert.equal((await api('PATCH', `/postbacks/${id}`, { url: 'https://evil.example/' }, server.keys.couponCrate)).status, 403);
  assert.equal((await api('GET', '/postbacks', undefined, server.keys.trailblazer)).body.find((row: { id: number }) => row.id === id).url, 'https://tracker.example/v2?c={aff_sub}&p={payout}');
});
