import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('SK v2 advertisers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('categories and channels list the catalog', async () => {
    const categories = await server.request('GET', '/affiliate/v2/categories', { key: server.keys.acme });
    assert.equal(categories.status, 200);
    assert.ok(categories.body.some((category: { name: string }) => category.name === 'Books & Media'));
    const channels = await server.request('GET', '/affiliate/v2/channels', { key: server.keys.agency });
    assert.equal(channels.status, 200);
    assert.ok(channels.body.some((channel: { id: number; name: string }) => channel.name === 'Coupon' && channel.id > 0));
  });

  test('each key lists only the advertisers its account may see, in SK pages', async () => {
    const names = async (key: string) => {
      const reply = await server.request('GET', '/affiliate/v2/advertisers', { key });
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.body), ['itemsCount', 'items', 'hasMore', 'page']);
      assert.equal(reply.body.itemsCount, reply.body.items.length);
      return reply.body.items.map((advertiser: { name: string }) => advertiser.name);
    };
    assert.deepEqual(await names(server.keys.acme), ['Acme Outdoor']);
    assert.deepEqual(await names(server.keys.brightside), ['Brightside Books']);
    assert.deepEqual((await names(server.keys.agency)).slice(0, 2), ['Acme Outdoor', 'Brightside Books']);
    const partner = await server.request('GET', '/affiliate/v2/advertisers', { key: server.keys.trailblazer });
    assert.equal(partner.status, 200);
    assert.equal(partner.body.itemsCount, 0);
  });

  test('an agency creates, reads and replaces its advertiser', async () => {
    const categories = (await server.request('GET', '/affiliate/v2/categories', { key: server.keys.agency })).body;
    const created = await server.request('POST', '/affiliate/v2/advertisers', {
      key: server.keys.agency,
      body: { name: 'Cedar Kitchens', businessUrl: 'https://cedar-kitchens.example', categoryId: categories[0].id },
    });
    assert.equal(created.status, 200);
    assert.deepEqual(Object.keys(created.body).sort(), ['businessUrl', 'categoryId', 'categoryName', 'id', 'name']);
    assert.equal(created.body.categoryName, categories[0].name);

    const fetched = await server.request('GET', `/affiliate/v2/advertisers/${created.body.id}`, { key: server.keys.agency });
    assert.deepEqual(fetched.body, created.body);

    const replaced = await server.request('PUT', `/affiliate/v2/advertisers/${created.body.id}`, {
      key: server.keys.agency,
      body: { ...fetched.body, name: 'Cedar Kitchens & Bath', categoryId: null },
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.name, 'Cedar Kitchens & Bath');
    assert.equal(replaced.body.categoryId, null);

    const asAdmin = await server.request('GET', `/affiliate/v2/advertisers/${created.body.id}`, { key: server.keys.admin });
    assert.equal(asAdmin.body.name, 'Cedar Kitchens & Bath');
    const asAcme = await server.request('GET', `/affiliate/v2/advertisers/${created.body.id}`, { key: server.keys.acme });
    assert.equal(asAcme.status, 403);
  });

  test('only network admins and agencies create advertisers', async () => {
    const body = { name: 'Nope', businessUrl: 'https://nope.example', categoryId: null };
    for (const key of [server.keys.acme, server.keys.trailblazer]) {
      const reply = await server.request('POST', '/affiliate/v2/advertisers', { key, body });
      assert.equal(reply.status, 403);
      assert.match(reply.body.error, /may not/);
    }
  });

  test('bad payloads get a 400 naming the field and the reason', async () => {
    const countBefore = (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM advertisers'))[0]!.n;
    const cases: Array<[unknown, RegExp]> = [
      [{ businessUrl: 'https://x.example', categoryId: null }, /^name: is required$/],
      [{ name: 'X', businessUrl: 'https://x.example', categoryId: '3' }, /^categoryId: must be integer,null$/],
      [{ name: 'X', businessUrl: 'https://x.example', categoryId: 9999 }, /^categoryId: unknown category 9999$/],
      [{ name: 'X', businessUrl: 'not a url', categoryId: null }, /^businessUrl: must be an absolute http\(s\) URL$/],
      [{ name: 42, businessUrl: 'https://x.example', categoryId: null }, /^name: must be string$/],
      ['{"name": ', /not valid JSON/],
      [[1, 2], /^body: must be object$/],
    ];
    for (const [body, message] of cases) {
      const reply = await server.request('POST', '/affiliate/v2/advertisers', { key: server.keys.admin, body });
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, message);
    }
    const countAfter = (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM advertisers'))[0]!.n;
    assert.equal(countAfter, countBefore);
  });

  test('unknown ids are 404 and malformed ids 400', async () => {
    const missing = await server.request('GET', '/affiliate/v2/advertisers/99999', { key: server.keys.admin });
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /advertiser 99999 was not found/);
    const malformed = await server.request('GET', '/affiliate/v2/advertisers/abc', { key: server.keys.admin });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.error, /^id: must be integer$/);
    const unknownPath = await server.request('GET', '/affiliate/v2/nothing-here', { key: server.keys.admin });
    assert.equal(unknownPath.status, 404);
    assert.ok(unknownPath.body.error);
  });

  test('paging walks every advertiser once', async () => {
    for (let index = 0; index < 105; index += 1) {
      await server.store.query(`INSERT INTO advertisers (name, business_url) VALUES ($1, 'https://bulk.example')`, [`Bulk ${index}`]);
    }
    const first = await server.request('GET', '/affiliate/v2/advertisers', { key: server.keys.admin });
    assert.equal(first.body.itemsCount, 100);
    assert.equal(first.body.hasMore, true);
    assert.equal(first.body.page, 1);
    const second = await server.request('GET', '/affiliate/v2/advertisers?page=2', { key: server.keys.admin });
    assert.equal(second.body.hasMore, false);
    const total = (await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM advertisers`))[0]!.n;
    assert.equal(first.body.itemsCount + second.body.itemsCount, total);
    const ids = new Set([...first.body.items, ...second.body.items].map((item: { id: number }) => item.id));
    assert.equal(ids.size, total);
  });
});
