import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

describe('the partner and offer lists come a page at a time, so a large network reads them fast', () => {
  let server: TestServer;
  let api: ReturnType<typeof v1Api>;
  before(async () => {
    server = await startTestServer();
    api = v1Api(server);
    for (let i = 0; i < 9; i++) assert.equal((await api('POST', '/partners', { name: `Listed partner ${i}`, status: i % 3 === 0 ? 'blocked' : 'active' })).status, 201);
  });
  after(() => server.close());

  /** Every page of a list, read until hasMore is false. */
  const allPages = async (path: string, perPage: number) => {
    const rows: Array<{ id: number; status: string }> = [];
    for (let page = 1; ; page++) {
      const reply = await api('GET', `${path}${path.includes('?') ? '&' : '?'}page=${page}&perPage=${perPage}`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual([reply.body.page, reply.body.perPage], [page, perPage]);
      assert.ok(reply.body.items.length <= perPage);
      rows.push(...reply.body.items);
      if (!reply.body.hasMore) return rows;
      assert.equal(reply.body.items.length, perPage, 'only the last page is short');
    }
  };

  test('any page size reads every partner once, newest first, and a status narrows them', async () => {
    const everyone = (await api('GET', '/partners?perPage=500')).body;
    assert.equal(everyone.hasMore, false);
    assert.ok(everyone.items.length >= 12, 'the demo partners and the nine added');
    assert.deepEqual(
      everyone.items.map((partner: { id: number }) => partner.id),
      everyone.items.map((partner: { id: number }) => partner.id).toSorted((a: number, b: number) => b - a),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.constantFrom('', 'active', 'blocked'), async (perPage, status) => {
        const rows = await allPages(status ? `/partners?status=${status}` : '/partners', perPage);
        const expected = everyone.items.filter((partner: { status: string }) => !status || partner.status === status);
        assert.deepEqual(rows, expected);
      }),
      { numRuns: 12 },
    );
  });

  test('the offer list pages the same way and filters by status', async () => {
    const offers = await allPages('/offers', 1);
    assert.ok(offers.length >= 2);
    const paused = offers[0]!;
    assert.equal((await api('POST', `/offers/${paused.id}/pause`)).status, 200);
    assert.deepEqual((await allPages('/offers?status=paused', 2)).map((offer) => offer.id), [paused.id]);
    assert.ok(!(await allPages('/offers?status=active', 2)).some((offer) => offer.id === paused.id));
    assert.equal((await api('GET', '/offers?status=deleted')).status, 400, 'deleted offers are not listed');
    assert.equal((await api('GET', '/partners?perPage=501')).status, 400);
  });
});
