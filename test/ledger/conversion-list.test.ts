import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('the conversions lists: GET /api/v1/conversions and /api/v1/refused-conversions', () => {
  let server: TestServer;
  let newsletter: number;
  let bestsellers: number;
  let trailblazer: number;
  let couponCrate: number;
  /** The ids of the conversions made in `before`, by order id. */
  const ids: Record<string, string> = {};

  const convert = async (offerId: number, partnerId: number, orderId: string, convertedAt: string) => {
    const reply = await server.request('POST', '/api/v1/conversions', {
      key: server.keys.admin,
      body: { offerId, partnerId, orderId, saleAmount: '10', convertedAt },
    });
    assert.equal(reply.status, 201, reply.text);
    ids[orderId] = reply.body.conversion.id;
  };
  const list = (query: string, key = server.keys.admin) => server.request('GET', `/api/v1/conversions?${query}`, { key });
  const orders = (reply: { body: { conversions: Array<{ orderId: string }> } }) => reply.body.conversions.map((conversion) => conversion.orderId);

  before(async () => {
    server = await startTestServer();
    [, newsletter, bestsellers] = server.demo.offerIds as [number, number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    // Around New York's midnight between November 29 and 30, 2026 (EST, UTC-5).
    await convert(newsletter, trailblazer, 'NY-1', '2026-11-30T04:30:00Z'); // November 29, 23:30
    await convert(newsletter, trailblazer, 'NY-2', '2026-11-30T05:30:00Z'); // November 30, 00:30
    await convert(newsletter, couponCrate, 'NY-3', '2026-11-30T12:00:00Z');
    await convert(bestsellers, trailblazer, 'BK-1', '2026-12-01T12:00:00Z');
  });
  after(() => server.close());

  test('the network walks the whole ledger page by page, oldest first', async () => {
    const first = await list('limit=3');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(orders(first), ['NY-1', 'NY-2', 'NY-3']);
    assert.equal(first.body.nextCursor, ids['NY-3']);
    const second = await list(`limit=3&cursor=${first.body.nextCursor}`);
    assert.deepEqual(orders(second), ['BK-1']);
    assert.equal(second.body.nextCursor, null);
    assert.equal(first.body.conversions[0].revenue, '4.000000');
  });

  test('a partner lists only its own conversions, without revenue; an advertiser and an agency only their offers\'', async () => {
    const partner = await list('', server.keys.trailblazer);
    assert.deepEqual(orders(partner), ['NY-1', 'NY-2', 'BK-1']);
    assert.ok(partner.body.conversions.every((conversion: Record<string, unknown>) => !('revenue' in conversion) && !('revenueType' in conversion)));
    assert.deepEqual(orders(await list(`partnerId=${trailblazer}`, server.keys.couponCrate)), []);
    assert.deepEqual(orders(await list('', server.keys.acme)), ['NY-1', 'NY-2', 'NY-3']);
    assert.deepEqual(orders(await list('', server.keys.brightside)), ['BK-1']);
    assert.deepEqual(orders(await list('', server.keys.agency)), ['NY-1', 'NY-2', 'NY-3', 'BK-1']);
  });

  test('from and to are local days in the network\'s time zone; the other filters narrow the list', async () => {
    assert.deepEqual(orders(await list('from=2026-11-30&to=2026-11-30')), ['NY-2', 'NY-3']);
    assert.deepEqual(orders(await list('to=2026-11-29')), ['NY-1']);
    assert.deepEqual(orders(await list('from=2026-12-01')), ['BK-1']);
    assert.deepEqual(orders(await list(`offerId=${newsletter}&partnerId=${couponCrate}`)), ['NY-3']);
    assert.deepEqual(orders(await list('orderId=NY-2')), ['NY-2']);
  });

  test('updatedSince finds what changed since: a rejection shows, with its status and reason', async () => {
    const since = new Date().toISOString();
    assert.deepEqual(orders(await list(`updatedSince=${since}`)), []);
    const rejected = await server.request('POST', `/api/v1/conversions/${ids['NY-3']}/reject`, { key: server.keys.acme, body: { reason: 'test order' } });
    assert.equal(rejected.status, 200, rejected.text);
    const changed = await list(`updatedSince=${since}`);
    assert.deepEqual(orders(changed), ['NY-3']);
    assert.equal(changed.body.conversions[0].status, 'rejected');
    assert.equal(changed.body.conversions[0].reason, 'test order');
    assert.deepEqual(orders(await list('status=rejected')), ['NY-3']);
  });

  test('as CSV: a column per field and sub-ID, the next page in X-Next-Cursor, no revenue for a partner', async () => {
    const reply = await list('format=csv&limit=2&from=2026-11-29');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type')!, /^text\/csv/);
    assert.equal(reply.headers.get('x-next-cursor'), ids['NY-2']);
    const rows: Array<Record<string, string>> = parse(reply.text, { columns: true });
    assert.deepEqual(rows.map((row) => [row.orderId, row.advSub1, row.saleAmount, row.revenue]), [
      ['NY-1', '', '10.000000', '4.000000'],
      ['NY-2', '', '10.000000', '4.000000'],
    ]);
    const partner = await list('format=csv&offerId=999999', server.keys.trailblazer);
    assert.equal(partner.headers.get('x-next-cursor'), null);
    const [header] = partner.text.split('\n');
    assert.ok(header!.startsWith('id,seq,transactionId,'));
    assert.ok(!header!.includes('revenue'));
  });

  test('refused requests are listed newest first with why, to the advertiser of the offer they name or of their click', async () => {
    const click = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${trailblazer}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid')!;
    assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=20`)).text, 'success=true;');
    assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=25&adv_sub=LATE`)).text, 'success=false;');
    assert.equal((await server.request('GET', '/aff_lsr?transaction_id=10ffffffffffffffffffffffffffff')).text, 'success=false;');
    const unknownGoal = await server.request('POST', '/api/v1/conversions', {
      key: server.keys.brightside,
      body: { offerId: bestsellers, partnerId: couponCrate, goalName: 'no such goal', orderId: 'BK-2' },
    });
    assert.equal(unknownGoal.status, 422, unknownGoal.text);

    const refused = (key: string, query = '') => server.request('GET', `/api/v1/refused-conversions?${query}`, { key });
    const all = await refused(server.keys.admin);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(
      all.body.refused.map((entry: { statusCode: number; offerId: number | null }) => [entry.statusCode, entry.offerId]),
      [[94, bestsellers], [91, null], [12, newsletter]],
    );
    const acme = (await refused(server.keys.acme)).body.refused;
    assert.equal(acme.length, 1);
    assert.equal(acme[0].channel, 'server_postback');
    assert.equal(acme[0].transactionId, transactionId);
    assert.match(acme[0].reason, /already converted/);
    assert.deepEqual([acme[0].request.saleAmount, acme[0].request.advSubs[0]], ['25.000000', 'LATE']);
    assert.deepEqual((await refused(server.keys.brightside)).body.refused.map((entry: { reason: string }) => entry.reason), ['offer ' + bestsellers + ' has no goal no such goal']);
    assert.equal((await refused(server.keys.agency)).body.refused.length, 2);
    const paged = await refused(server.keys.admin, 'limit=2');
    assert.equal((await refused(server.keys.admin, `cursor=${paged.body.nextCursor}`)).body.refused[0].statusCode, 12);
    assert.deepEqual((await refused(server.keys.admin, 'statusCode=91')).body.refused.length, 1);
    const partner = await refused(server.keys.trailblazer);
    assert.equal(partner.status, 403);
    assert.match(partner.body.error, /GET \/api\/v1\/conversions/);
  });

  test('a postback wrong as sent (an amount that is none, a pixel without its session) is refused and listed for its advertiser too', async () => {
    const click = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${trailblazer}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid')!;
    const badAmount = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=12,50`);
    assert.deepEqual([badAmount.text, badAmount.headers.get('x-partnerline-status-code')], ['success=false;', '90']);
    const noSession = await server.request('GET', `/aff_l?offer_id=${newsletter}&format=json`);
    assert.deepEqual(noSession.body, { success: false, status_code: 92, reason: 'no session cookie for this offer' });

    const refused = async (statusCode: number) =>
      (await server.request('GET', `/api/v1/refused-conversions?statusCode=${statusCode}`, { key: server.keys.acme })).body.refused as Array<Record<string, unknown>>;
    const [amount] = await refused(90);
    assert.deepEqual([amount!.channel, amount!.offerId, amount!.transactionId], ['server_postback', newsletter, transactionId]);
    assert.match(amount!.reason as string, /^amount "12,50" is not a non-negative amount/);
    const [pixel] = await refused(92);
    assert.deepEqual([pixel!.channel, pixel!.offerId, pixel!.reason], ['pixel', newsletter, 'no session cookie for this offer']);
    assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=12.50`)).text, 'success=true;', 'the click still converts once sent right');
  });

  test('bad input is answered 400 with what is wrong', async () => {
    for (const [query, error] of [
      ['from=2026-02-30', 'from: must be a date written YYYY-MM-DD'],
      ['from=2026-12-02&to=2026-12-01', 'to: must not be before from'],
      ['cursor=abc', /cursor/],
      ['limit=5000', /limit/],
      ['updatedSince=yesterday', /updatedSince/],
      ['status=paid', /status/],
    ] as const) {
      const reply = await list(query);
      assert.equal(reply.status, 400, query);
      if (typeof error === 'string') assert.equal(reply.body.error, error);
      else assert.match(reply.body.error, error);
    }
  });
});
