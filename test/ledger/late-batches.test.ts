import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countedClick, cpaOffer, startTestServer, statsTotals, v1Api, type TestServer } from '../support/test-server.ts';

/** Late batches and corrections, each case as outside testing found it through the public APIs. */
describe('late batches and corrections keep every order exactly once', () => {
  let server: TestServer;
  let api: ReturnType<typeof v1Api>;
  let offerId: number;
  let trailblazer: number;
  let couponCrate: number;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    api = v1Api(server);
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    offerId = await cpaOffer(server, 'Late batches');
    await server.platform.tracker.reloadIfChanged();
  });
  after(() => server.close());

  const batch = (rows: Array<Record<string, unknown>>) => api('POST', '/conversions/batch', { rows }, server.keys.acme);
  const convert = async (transactionId: string, order?: string, amount = '40') =>
    (await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=${amount}${order ? `&adv_sub=${order}` : ''}`)).headers.get('x-partnerline-conversion-id')!;
  const conversion = async (id: string) => (await api('GET', `/conversions/${id}`)).body;
  const liveHolders = (order: string) =>
    server.store.query<{ transactionId: string; status: string; sale: bigint }>(
      `SELECT transaction_id AS "transactionId", status, sale_amount_micros AS sale FROM conversions
       WHERE offer_id = $1 AND order_id = $2 AND replaced_by_id IS NULL`,
      [offerId, order],
    );

  test('a row that re-attributes and corrects the amount does both, the first time', async () => {
    const clickA = await countedClick(server, offerId, trailblazer);
    const clickB = await countedClick(server, offerId, couponCrate);
    await convert(clickA, 'BOTH-1');
    const applied = await batch([{ orderId: 'BOTH-1', offerId, reattributeTo: clickB, saleAmount: '55.00' }]);
    assert.deepEqual([applied.body.updated, applied.body.errors], [1, 0], applied.text);
    assert.deepEqual(await liveHolders('BOTH-1'), [{ transactionId: clickB, status: 'approved', sale: 55_000_000n }]);
    const again = await batch([{ orderId: 'BOTH-1', offerId, reattributeTo: clickB, saleAmount: '55.00' }]);
    assert.deepEqual([again.body.updated, again.body.unchanged], [0, 1]);
  });

  test('a file that approves then reverses an order changes it once, and nothing when sent again', async () => {
    const click = await countedClick(server, offerId, trailblazer);
    const id = await convert(click, 'TWICE-1');
    await api('POST', `/conversions/${id}/reject`, { reason: 'checking' }, server.keys.acme);
    const rows = [
      { orderId: 'TWICE-1', offerId, status: 'approved' },
      { orderId: 'TWICE-1', offerId, status: 'reversed', reason: 'refunded' },
    ];
    const first = await batch(rows);
    // It was rejected already: approving and then reversing it leaves it rejected, as it is.
    assert.deepEqual([first.body.updated, first.body.unchanged], [0, 2], first.text);
    await api('POST', `/conversions/${id}/approve`, {}, server.keys.acme);
    const before = await statsTotals(server.store, offerId);
    const events = (await conversion(id)).history.length;
    const applied = await batch(rows);
    assert.deepEqual([applied.body.updated, applied.body.unchanged], [1, 1], applied.text);
    for (let resend = 0; resend < 3; resend += 1) {
      const resent = await batch(rows);
      assert.deepEqual([resent.body.updated, resent.body.unchanged], [0, 2], resent.text);
    }
    const after = await conversion(id);
    assert.equal(after.conversion.status, 'rejected');
    assert.deepEqual(after.history.slice(events).map((entry: { type: string }) => entry.type), ['reversed']);
    const totals = await statsTotals(server.store, offerId);
    assert.deepEqual([totals.approved! - before.approved!, totals.rejected! - before.rejected!], [-1n, 1n]);
  });

  test('an old batch sent after a newer one moves the order back; one conversion holds it, and the chain never loops', async () => {
    const [clickA, clickB, clickC] = [
      await countedClick(server, offerId, trailblazer),
      await countedClick(server, offerId, couponCrate),
      await countedClick(server, offerId, trailblazer),
    ];
    await convert(clickA, 'STALE-1');
    const toB = [{ orderId: 'STALE-1', offerId, reattributeTo: clickB }];
    const toC = [{ orderId: 'STALE-1', offerId, reattributeTo: clickC }];
    for (const rows of [toB, toC, toB, toC, toB]) {
      const applied = await batch(rows);
      assert.deepEqual([applied.body.updated, applied.body.errors], [1, 0], applied.text);
    }
    assert.deepEqual(await liveHolders('STALE-1'), [{ transactionId: clickB, status: 'approved', sale: 40_000_000n }]);
    const refund = await batch([{ transactionId: clickA, status: 'reversed', reason: 'refunded' }]);
    assert.deepEqual([refund.body.updated, refund.body.errors], [1, 0], refund.text);
    assert.deepEqual(await liveHolders('STALE-1'), [{ transactionId: clickB, status: 'rejected', sale: 40_000_000n }]);
  });

  test('a re-attribution that finds a chain looping back answers a conflict at once, and the server goes on', async () => {
    const clickA = await countedClick(server, offerId, trailblazer);
    const clickB = await countedClick(server, offerId, couponCrate);
    const first = await convert(clickA, 'LOOP-1');
    const second = await convert(clickB, 'LOOP-2');
    // A loop no write makes any longer, planted to show that nothing waits on one for good.
    await server.store.query('UPDATE conversions SET replaced_by_id = $2 WHERE id = $1', [first, second]);
    await server.store.query('UPDATE conversions SET replaced_by_id = $2 WHERE id = $1', [second, first]);
    const clickC = await countedClick(server, offerId, trailblazer);
    const reply = await api('POST', `/conversions/${first}/reattribute`, { transactionId: clickC }, server.keys.acme);
    assert.equal(reply.status, 409, reply.text);
    assert.equal((await server.request('GET', '/readyz')).status, 200);
    await server.store.query('UPDATE conversions SET replaced_by_id = NULL WHERE id = ANY($1::bigint[])', [[first, second]]);
  });

  test('an order moved to a click that has a sale of its own keeps both sales', async () => {
    const clickA = await countedClick(server, offerId, trailblazer);
    const clickB = await countedClick(server, offerId, couponCrate);
    const moved = await convert(clickA);
    const own = await convert(clickB);
    const reply = await api('POST', `/conversions/${moved}/reattribute`, { transactionId: clickB, reason: 'coupon session' }, server.keys.acme);
    assert.equal(reply.status, 200, reply.text);
    assert.notEqual(reply.body.conversion.id, own);
    const onB = await server.store.query<{ id: string }>(
      'SELECT id::text AS id FROM conversions WHERE transaction_id = $1 AND replaced_by_id IS NULL AND status = $2 ORDER BY id',
      [clickB, 'approved'],
    );
    assert.deepEqual(onB.map((row) => row.id), [own, reply.body.conversion.id]);
    // The first postback retried is still the conversion it made, not a third sale.
    assert.equal(await convert(clickA), moved);
  });

  test('a late amount correction pays at the rate the conversion was priced at, not the offer\'s new one', async () => {
    const click = await countedClick(server, offerId, trailblazer);
    const id = await convert(click, 'RATE-1', '100');
    const network = (await api('POST', '/keys', { name: 'HasOffers terms' })).body.key as string;
    const changed = await server.request('GET', `/Apiv3/json?NetworkToken=${network}&Target=Offer&Method=update&id=${offerId}&data[default_payout]=7&data[max_payout]=9`);
    assert.equal(changed.body.response.status, 1, changed.text);
    const adjusted = await api('POST', `/conversions/${id}/adjust`, { saleAmount: '80', reason: 'partial refund' }, server.keys.acme);
    assert.equal(adjusted.status, 200, adjusted.text);
    assert.deepEqual(
      [adjusted.body.conversion.payout, adjusted.body.conversion.revenue, adjusted.body.conversion.payoutFlat],
      ['1.000000', '2.000000', '1.000000'],
    );
    const fresh = await convert(await countedClick(server, offerId, trailblazer), 'RATE-2', '100');
    assert.equal((await conversion(fresh)).conversion.payout, '7.000000', 'new conversions take the new rate');
  });
});
