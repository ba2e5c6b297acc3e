import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startReceiver } from '../support/postback-receiver.ts';
import { IPS, startTestServer, statsTotals, USER_AGENTS, type TestServer } from '../support/test-server.ts';

/** The four scenarios of the design's "Corrections and late data", checked in ledger, statistics and postbacks. */
describe('corrections and late data', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let newsletter: number;
  let bestsellers: number;
  let trailblazer: number;
  let couponCrate: number;

  const clickFor = async (offerId: number, partnerId: number) => {
    const reply = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}&aff_sub=s-${partnerId}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    return new URL(reply.headers.get('location')!).searchParams.get('tid')!;
  };
  const registerPostback = async (key: string, offerId: number) => {
    const reply = await server.request('POST', '/api/v1/postbacks', {
      key,
      body: {
        offerId,
        url: `${receiver.base}/pb?tid={transaction_id}&op={postback_operation}&status={status}&code={conversion_status}&payout={payout}&sub={aff_sub}&seq={seq}`,
      },
    });
    assert.equal(reply.status, 201, reply.text);
  };
  const postbacksFor = (transactionId: string) =>
    receiver.received.filter((request) => request.url.searchParams.get('tid') === transactionId).map((request) => request.url.searchParams.get('op'));
  const ledger = async (id: string, key = server.keys.admin) => (await server.request('GET', `/api/v1/conversions/${id}`, { key })).body;

  before(async () => {
    receiver = await startReceiver();
    server = await startTestServer({ TRUST_PROXY: 'true', POSTBACK_ALLOW_PRIVATE: 'true' }, { delivery: { pollMs: 20 } });
    [, newsletter, bestsellers] = server.demo.offerIds as [number, number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    await registerPostback(server.keys.trailblazer, newsletter);
    await registerPostback(server.keys.couponCrate, newsletter);
    await registerPostback(server.keys.trailblazer, bestsellers);
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  test('1. the same postback retried five times: one conversion, every retry answered with it, one create postback', async () => {
    const transactionId = await clickFor(newsletter, trailblazer);
    const before = await statsTotals(server.store, newsletter);
    const replies = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      replies.push(await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=RETRY-1&amount=10`));
    }
    assert.deepEqual(replies.map((reply) => reply.text), Array(5).fill('success=true;'));
    assert.equal(new Set(replies.map((reply) => reply.headers.get('x-partnerline-conversion-id'))).size, 1);
    const rows = await server.store.query(`SELECT id FROM conversions WHERE transaction_id = $1`, [transactionId]);
    assert.equal(rows.length, 1);
    assert.equal((await statsTotals(server.store, newsletter)).approved! - before.approved!, 1n);
    await eventually(() => postbacksFor(transactionId).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(postbacksFor(transactionId), ['create']);
  });

  test('2. a batch 36 hours late gives an order to another partner\'s click, exactly once however often re-sent', async () => {
    const clickA = await clickFor(newsletter, trailblazer);
    const clickB = await clickFor(newsletter, couponCrate);
    const orderTime = new Date(Date.now() - 36 * 3_600_000);
    // Both clicks came before the order: an order cannot go to a click made after it.
    await server.platform.tracker.writer.flush();
    await server.store.query(`UPDATE clicks SET created_at = $1 WHERE transaction_id = ANY($2::text[])`, [
      new Date(orderTime.getTime() - 1_800_000),
      [clickA, clickB],
    ]);
    const created = await server.request('POST', '/api/v1/conversions', {
      key: server.keys.acme,
      body: { transactionId: clickA, orderId: 'ORDER-2', saleAmount: '80.00', convertedAt: orderTime.toISOString() },
    });
    assert.equal(created.status, 201, created.text);
    const idA = created.body.conversion.id;
    const hour = new Date(Math.floor(orderTime.getTime() / 3_600_000) * 3_600_000);
    const cell = async (partnerId: number) =>
      (
        await server.store.query<{ approved: bigint; rejected: bigint }>(
          `SELECT coalesce(sum(approved), 0)::int8 AS approved, coalesce(sum(rejected), 0)::int8 AS rejected
           FROM stats_hourly WHERE offer_id = $1 AND partner_id = $2 AND hour = $3`,
          [newsletter, partnerId, hour],
        )
      )[0]!;
    assert.deepEqual(await cell(trailblazer), { approved: 1n, rejected: 0n });
    assert.deepEqual(await cell(couponCrate), { approved: 0n, rejected: 0n });

    const batch = { rows: [{ orderId: 'ORDER-2', offerId: newsletter, reattributeTo: clickB, reason: 'late line items: coupon session' }] };
    const applied = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.acme, body: batch });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual([applied.body.updated, applied.body.errors], [1, 0]);
    const csv = `order_id,offer_id,reattribute_to,reason\nORDER-2,${newsletter},${clickB},late line items: coupon session\n`;
    for (let resend = 0; resend < 2; resend += 1) {
      const again = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.acme, body: csv, headers: { 'content-type': 'text/csv' } });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual([again.body.updated, again.body.unchanged, again.body.errors], [0, 1, 0]);
    }
    const resentJson = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.acme, body: batch });
    assert.equal(resentJson.body.unchanged, 1);

    const old = await ledger(idA);
    assert.equal(old.conversion.status, 'rejected');
    assert.equal(old.conversion.reason, 'late line items: coupon session');
    const newId = old.conversion.replacedById;
    assert.ok(newId);
    assert.deepEqual(old.history.map((entry: { type: string }) => entry.type), ['created', 'reattributed']);
    const replacement = await ledger(newId);
    assert.equal(replacement.conversion.partnerId, couponCrate);
    assert.equal(replacement.conversion.transactionId, clickB);
    assert.equal(replacement.conversion.replacesId, idA);
    assert.equal(replacement.conversion.status, 'approved');
    assert.equal(replacement.conversion.convertedAt, orderTime.toISOString());
    assert.equal((await server.store.query(`SELECT id FROM conversions WHERE order_id = 'ORDER-2'`)).length, 2);

    assert.deepEqual(await cell(trailblazer), { approved: 0n, rejected: 1n });
    assert.deepEqual(await cell(couponCrate), { approved: 1n, rejected: 0n });
    await eventually(() => postbacksFor(clickA).length === 2 && postbacksFor(clickB).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Re-attributed away, the order stops counting for the first partner: it hears a rejection.
    assert.deepEqual(postbacksFor(clickA), ['create', 'delete']);
    assert.deepEqual(postbacksFor(clickB), ['create']);
    const update = receiver.received.find((request) => request.url.searchParams.get('tid') === clickA && request.url.searchParams.get('op') === 'delete')!;
    assert.equal(update.url.searchParams.get('status'), 'rejected');
  });

  test('a batch keyed by transaction_id re-attributes once, and later rows for that transaction find the order where it went', async () => {
    const clickA = await clickFor(newsletter, trailblazer);
    const clickB = await clickFor(newsletter, couponCrate);
    const idA = (await server.request('GET', `/aff_lsr?transaction_id=${clickA}&amount=40`)).headers.get('x-partnerline-conversion-id')!;
    const batch = { rows: [{ transactionId: clickA, reattributeTo: clickB, reason: 'coupon session' }] };
    const applied = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.acme, body: batch });
    assert.deepEqual([applied.body.updated, applied.body.errors], [1, 0], applied.text);
    const newId = applied.body.results[0].conversionId;
    assert.notEqual(newId, idA);

    const resentCsv = await server.request('POST', '/api/v1/conversions/batch', {
      key: server.keys.acme,
      body: `transaction_id,reattribute_to,reason\n${clickA},${clickB},coupon session\n`,
      headers: { 'content-type': 'text/csv' },
    });
    const resentJson = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.acme, body: batch });
    for (const resent of [resentCsv, resentJson]) {
      assert.deepEqual([resent.body.updated, resent.body.unchanged, resent.body.errors], [0, 1, 0], resent.text);
      assert.equal(resent.body.results[0].conversionId, newId);
    }

    const refund = await server.request('POST', '/api/v1/conversions/batch', {
      key: server.keys.acme,
      body: { rows: [{ transactionId: clickA, status: 'reversed', reason: 'refunded' }] },
    });
    assert.deepEqual([refund.body.updated, refund.body.errors], [1, 0], refund.text);
    assert.equal(refund.body.results[0].conversionId, newId);
    const replacement = await ledger(newId);
    assert.deepEqual([replacement.conversion.transactionId, replacement.conversion.status, replacement.conversion.reason], [clickB, 'rejected', 'refunded']);
    assert.deepEqual((await ledger(idA)).history.map((entry: { type: string }) => entry.type), ['created', 'reattributed']);
    const made = await server.store.query<{ transactionId: string }>(
      'SELECT transaction_id AS "transactionId" FROM conversions WHERE transaction_id = ANY($1::text[]) ORDER BY id',
      [[clickA, clickB]],
    );
    assert.deepEqual(made.map((row) => row.transactionId), [clickA, clickB]);
  });

  test('3. a refund after approval reverses the conversion; the partner sees why', async () => {
    const transactionId = await clickFor(newsletter, trailblazer);
    const made = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=REFUND-1&amount=30`);
    const id = made.headers.get('x-partnerline-conversion-id')!;
    const before = await statsTotals(server.store, newsletter);
    const reversed = await server.request('POST', `/api/v1/conversions/${id}/reverse`, { key: server.keys.acme, body: { reason: 'refunded by the customer' } });
    assert.equal(reversed.status, 200, reversed.text);
    assert.equal(reversed.body.changed, true);
    const again = await server.request('POST', `/api/v1/conversions/${id}/reverse`, { key: server.keys.acme, body: { reason: 'refunded by the customer' } });
    assert.equal(again.body.changed, false);
    const after = await statsTotals(server.store, newsletter);
    assert.equal(after.approved! - before.approved!, -1n);
    assert.equal(after.rejected! - before.rejected!, 1n);
    assert.equal(after.approved_payout_micros! - before.approved_payout_micros!, -2_500_000n);

    const seenByPartner = await ledger(id, server.keys.trailblazer);
    assert.equal(seenByPartner.conversion.status, 'rejected');
    assert.equal(seenByPartner.conversion.reason, 'refunded by the customer');
    assert.equal(seenByPartner.conversion.revenue, undefined);
    assert.deepEqual(seenByPartner.history.map((entry: { type: string; reason: string | null }) => [entry.type, entry.reason]), [
      ['created', null],
      ['reversed', 'refunded by the customer'],
    ]);
    assert.equal((await server.request('GET', `/api/v1/conversions/${id}`, { key: server.keys.couponCrate })).status, 403);
    // {postback_operation} speaks Katalys: a rejection is a "delete".
    await eventually(() => postbacksFor(transactionId).length === 2);
    assert.deepEqual(postbacksFor(transactionId), ['create', 'delete']);
  });

  test('4. a corrected sale amount reprices payout and revenue from the offer\'s rules, history kept', async () => {
    const transactionId = await clickFor(bestsellers, trailblazer);
    const made = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=BOOK-9&amount=100`);
    const id = made.headers.get('x-partnerline-conversion-id')!;
    const adjusted = await server.request('POST', `/api/v1/conversions/${id}/adjust`, {
      key: server.keys.brightside,
      body: { saleAmount: 75.5, reason: 'one book returned' },
    });
    assert.equal(adjusted.status, 200, adjusted.text);
    assert.equal(adjusted.body.conversion.saleAmount, '75.500000');
    assert.equal(adjusted.body.conversion.payout, '7.550000');
    assert.equal(adjusted.body.conversion.revenue, '9.060000');
    const { history } = await ledger(id);
    const entry = history.find((item: { type: string }) => item.type === 'adjusted');
    assert.equal(entry.reason, 'one book returned');
    assert.deepEqual([entry.before.saleAmount, entry.before.payout, entry.after.saleAmount, entry.after.payout], ['100.000000', '10.000000', '75.500000', '7.550000']);
    const totals = await statsTotals(server.store, bestsellers);
    assert.equal(totals.pending_payout_micros, 7_550_000n);
    await eventually(() => postbacksFor(transactionId).length === 2);
    assert.deepEqual(postbacksFor(transactionId), ['create', 'update']);
  });

  test('approve and reject with reasons; nobody corrects another advertiser\'s conversions', async () => {
    const transactionId = await clickFor(bestsellers, trailblazer);
    const id = (await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=BOOK-10&amount=20`)).headers.get('x-partnerline-conversion-id')!;
    assert.equal((await server.request('POST', `/api/v1/conversions/${id}/approve`, { key: server.keys.acme, body: {} })).status, 403);
    assert.equal((await server.request('POST', `/api/v1/conversions/${id}/approve`, { key: server.keys.trailblazer, body: {} })).status, 403);
    const noReason = await server.request('POST', `/api/v1/conversions/${id}/reject`, { key: server.keys.brightside, body: {} });
    assert.equal(noReason.status, 400);
    const rejected = await server.request('POST', `/api/v1/conversions/${id}/reject`, { key: server.keys.brightside, body: { reason: 'self-referral' } });
    assert.equal(rejected.body.conversion.status, 'rejected');
    const reapproved = await server.request('POST', `/api/v1/conversions/${id}/approve`, { key: server.keys.agency, body: { reason: 'checked again' } });
    assert.equal(reapproved.body.conversion.status, 'approved');
    const missing = await server.request('POST', '/api/v1/conversions/999999/approve', { key: server.keys.admin, body: {} });
    assert.equal(missing.status, 404);
  });

  test('a CSV batch with a mistake in its header or a value is refused whole, saying where, and changes nothing', async () => {
    const transactionId = await clickFor(bestsellers, trailblazer);
    const id = (await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=BOOK-11&amount=20`)).headers.get('x-partnerline-conversion-id')!;
    const cases: Array<[string, string]> = [
      [`transaction_id,offer_id,status\n${transactionId},${bestsellers},rejected\n${transactionId},99999999999,rejected`, 'row 2, offer_id: must be a whole number from 1 to 2147483647'],
      [`transaction_id,status,reason\n${transactionId},rejected,${'x'.repeat(1001)}`, 'row 1, reason: must be at most 1000 characters'],
      [`transaction_id,status,status\n${transactionId},rejected,approved`, 'csv: column "status" appears twice'],
      [`transaction_id,order_id,adv_sub,status\n${transactionId},BOOK-11,BOOK-12,rejected`, 'csv: columns "order_id" and "adv_sub" name the same thing'],
      [`transaction_id,state\n${transactionId},rejected`, 'csv: unknown column "state"; known: transaction_id, order_id, adv_sub, offer_id, goal_id, status, reason, sale_amount, amount, reattribute_to, new_transaction_id'],
    ];
    for (const [csv, error] of cases) {
      const refused = await server.request('POST', '/api/v1/conversions/batch', { key: server.keys.brightside, body: csv, headers: { 'content-type': 'text/csv' } });
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(refused.body, { error });
    }
    const unchanged = await ledger(id);
    assert.equal(unchanged.conversion.status, 'pending');
    assert.deepEqual(unchanged.history.map((entry: { type: string }) => entry.type), ['created']);
  });
});
