import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually, startReceiver } from '../support/postback-receiver.ts';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

type Delivery = { id: string; status: string; attempts: number; lastError: string; log: Array<{ statusCode: number; error: string; responseExcerpt: string }> };

/**
 * A postback's deliveries as its owner reads them, once the store shows their statuses `ready`. The
 * wait watches the store: polling the API would send it the same request more than 10 times a minute,
 * which it refuses.
 */
async function deliveriesWhen(server: TestServer, postbackId: number, key: string, ready: (statuses: string[]) => boolean): Promise<Delivery[]> {
  await eventually(async () => {
    const rows = await server.store.query<{ status: string }>('SELECT status FROM outbox WHERE postback_id = $1 ORDER BY id', [postbackId]);
    return rows.length > 0 && ready(rows.map((row) => row.status));
  });
  const reply = await server.request('GET', `/api/v1/postbacks/${postbackId}/deliveries`, { key });
  assert.equal(reply.status, 200, reply.text);
  return reply.body;
}
const allDelivered = (statuses: string[]) => statuses.every((status) => status === 'delivered');
const someParked = (statuses: string[]) => statuses.includes('parked');

describe('partner postback delivery', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let newsletter: number;
  let trailblazer: number;
  let couponCrate: number;

  const convert = async (partnerId: number, order: string) => {
    const reply = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${partnerId}&aff_sub=footer&source=mail`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    const transactionId = new URL(reply.headers.get('location')!).searchParams.get('tid')!;
    const conversion = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=${order}&amount=42.5`);
    assert.equal(conversion.text, 'success=true;');
    return { transactionId, conversionId: conversion.headers.get('x-partnerline-conversion-id')! };
  };

  before(async () => {
    receiver = await startReceiver();
    server = await startTestServer(
      { TRUST_PROXY: 'true', POSTBACK_ALLOW_PRIVATE: 'true' },
      { delivery: { pollMs: 20, baseDelayMs: 40, maxDelayMs: 200, maxAttempts: 3, parkEndpointAfter: 5 } },
    );
    [, newsletter] = server.demo.offerIds as [number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  test('a postback carries the macros a partner asked for, and a signature it can check', async () => {
    const secret = 'trailblazer-shared-secret';
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.trailblazer,
      body: {
        url: `${receiver.base}/conv?click={transaction_id}&sub={aff_sub}&src={source}&pay={payout}&sale={sale_amount}&cur={currency}&order={adv_sub}&seq={seq}&status={conversion_status}&op={postback_operation}`,
        events: ['create'],
        secret,
      },
    });
    assert.equal(registered.status, 201, registered.text);
    assert.equal(registered.body.signed, true);
    assert.equal(JSON.stringify(registered.body).includes(secret), false);
    const { transactionId, conversionId } = await convert(trailblazer, 'PB-1');
    const request = await eventually(() => receiver.received.find((item) => item.url.searchParams.get('click') === transactionId));
    const params = Object.fromEntries(request.url.searchParams);
    const [seq] = (await server.store.query<{ seq: string }>(`SELECT seq::text FROM conversions WHERE id = $1`, [conversionId])) as [{ seq: string }];
    assert.deepEqual(params, {
      click: transactionId,
      sub: 'footer',
      src: 'mail',
      pay: '2.50',
      sale: '42.50',
      cur: 'USD',
      order: 'PB-1',
      seq: seq.seq,
      status: '43',
      op: 'create',
    });
    const signature = String(request.headers['x-partnerline-signature']);
    const [, timestamp, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    const calledUrl = `${receiver.base}${request.url.pathname}${request.url.search}`;
    assert.equal(mac, createHmac('sha256', secret).update(`${timestamp}.${calledUrl}`).digest('hex'));
    // The receiver has the call; the worker records the delivery right after.
    const [delivery] = await deliveriesWhen(server, registered.body.id, server.keys.trailblazer, allDelivered);
    assert.equal(delivery!.log[0]!.statusCode, 200);
    assert.equal(delivery!.log[0]!.responseExcerpt, 'ok');
  });

  test('a test call shows what the endpoint receives and answers, and stores, queues and counts nothing', async () => {
    const secret = 'trailblazer-test-secret';
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.trailblazer,
      body: { offerId: server.demo.offerIds[4], url: `${receiver.base}/test-call?click={transaction_id}&pay={payout}&sale={sale_amount}&op={postback_operation}&status={conversion_status}`, secret },
    });
    assert.equal(registered.status, 201, registered.text);
    const id = registered.body.id;
    const test = (key: string, body?: object) => server.request('POST', `/api/v1/postbacks/${id}/test`, { key, body });

    const created = await test(server.keys.trailblazer);
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.delivered, true);
    assert.equal(created.body.statusCode, 200);
    assert.equal(created.body.excerpt, 'ok');
    const call = receiver.received.at(-1)!;
    assert.equal(`${receiver.base}${call.url.pathname}${call.url.search}`, created.body.url);
    assert.match(call.url.searchParams.get('click')!, /^test[0-9a-f]{26}$/);
    assert.deepEqual([call.url.searchParams.get('pay'), call.url.searchParams.get('sale'), call.url.searchParams.get('op')], ['1.00', '10.00', 'create']);
    const [, timestamp, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call.headers['x-partnerline-signature']))!;
    assert.equal(mac, createHmac('sha256', secret).update(`${timestamp}.${created.body.url}`).digest('hex'));

    const rejected = await test(server.keys.admin, { operation: 'reject' });
    assert.deepEqual([rejected.body.operation, new URL(rejected.body.url).searchParams.get('op')], ['reject', 'delete']);

    receiver.answerWith(503);
    try {
      const failed = await test(server.keys.trailblazer, { operation: 'update' });
      assert.equal(failed.status, 200, failed.text);
      assert.deepEqual([failed.body.delivered, failed.body.statusCode, failed.body.error, failed.body.excerpt], [false, 503, 'answered HTTP 503', 'down for maintenance']);
    } finally {
      receiver.answerWith(200);
    }
    const [stored] = await server.store.query<{ failures: number; deliveries: bigint }>(
      `SELECT consecutive_failures AS failures, (SELECT count(*) FROM outbox WHERE postback_id = $1)::int8 AS deliveries FROM partner_postbacks WHERE id = $1`,
      [id],
    );
    assert.deepEqual(stored, { failures: 0, deliveries: 0n });
    assert.equal((await test(server.keys.couponCrate)).status, 403);
    assert.equal((await test(server.keys.trailblazer, { operation: 'refund' })).status, 400);
    assert.equal((await server.request('DELETE', `/api/v1/postbacks/${id}`, { key: server.keys.trailblazer })).status, 200);
    assert.equal((await test(server.keys.trailblazer)).status, 404);
  });

  test('an image pixel that answers with a GIF is delivered once, and its answer logged', async () => {
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.trailblazer,
      body: { url: `${receiver.base}/pixel?click={transaction_id}`, type: 'image', events: ['create'] },
    });
    assert.equal(registered.status, 201, registered.text);
    const { transactionId } = await convert(trailblazer, 'PB-GIF');
    const [delivery] = await deliveriesWhen(server, registered.body.id, server.keys.trailblazer, allDelivered);
    assert.equal(delivery!.attempts, 1);
    assert.equal(delivery!.log[0]!.statusCode, 200);
    assert.match(delivery!.log[0]!.responseExcerpt, /^GIF89a/);
    assert.equal(receiver.received.filter((item) => item.url.pathname === '/pixel' && item.url.searchParams.get('click') === transactionId).length, 1);
  });

  test('the logs of postback calls and of refused conversions are forgotten after 90 days; the ledger is kept', async () => {
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.trailblazer,
      body: { url: `${receiver.base}/tidy?click={transaction_id}`, events: ['create'] },
    });
    assert.equal(registered.status, 201, registered.text);
    const { conversionId } = await convert(trailblazer, 'PB-OLD');
    const [delivery] = await deliveriesWhen(server, registered.body.id, server.keys.trailblazer, allDelivered);
    assert.equal(delivery!.log.length, 1);
    const unknown = '10eeeeeeeeeeeeeeeeeeeeeeeeeeee';
    assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${unknown}`)).text, 'success=false;');
    const count = async (table: string) => (await server.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const [attemptsBefore, refusalsBefore] = [await count('delivery_attempts'), await count('conversion_attempts')];

    await server.store.query(`UPDATE delivery_attempts SET attempted_at = now() - interval '91 days' WHERE outbox_id = $1`, [delivery!.id]);
    await server.store.query(`UPDATE conversion_attempts SET created_at = now() - interval '89 days' WHERE transaction_id <> $1`, [unknown]);
    await server.store.query(`UPDATE conversion_attempts SET created_at = now() - interval '91 days' WHERE transaction_id = $1`, [unknown]);
    await server.platform.keepTidy.run();

    assert.equal(await count('delivery_attempts'), attemptsBefore - 1, 'only the 91-day-old call is forgotten');
    assert.equal(await count('conversion_attempts'), refusalsBefore - 1, 'only the 91-day-old refusal is forgotten');
    const [kept] = await deliveriesWhen(server, registered.body.id, server.keys.trailblazer, allDelivered);
    assert.equal(kept!.id, delivery!.id);
    assert.equal(kept!.status, 'delivered');
    assert.deepEqual(kept!.log, []);
    assert.equal((await server.store.query('SELECT 1 FROM conversions WHERE id = $1', [conversionId])).length, 1);
  });

  test('deliveries done and notifications are forgotten after 90 days; a parked delivery and the ledger are kept', async () => {
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.trailblazer,
      body: { url: `${receiver.base}/done?click={transaction_id}`, events: ['create'] },
    });
    assert.equal(registered.status, 201, registered.text);
    const old = await convert(trailblazer, 'PB-DONE-OLD');
    const parkedLongAgo = await convert(trailblazer, 'PB-PARKED-OLD');
    const recent = await convert(trailblazer, 'PB-DONE-NEW');
    const delivered = await deliveriesWhen(server, registered.body.id, server.keys.trailblazer, (statuses) => statuses.length === 3 && allDelivered(statuses));
    const deliveryOf = async (conversionId: string) =>
      (await server.store.query<{ id: string }>('SELECT id::text FROM outbox WHERE postback_id = $1 AND conversion_id = $2', [registered.body.id, conversionId]))[0]!.id;
    const [oldDelivery, parkedDelivery, recentDelivery] = [await deliveryOf(old.conversionId), await deliveryOf(parkedLongAgo.conversionId), await deliveryOf(recent.conversionId)];
    assert.deepEqual(delivered.map((item) => item.id).sort(), [oldDelivery, parkedDelivery, recentDelivery].sort());

    await server.store.query(`UPDATE outbox SET delivered_at = now() - interval '91 days', created_at = now() - interval '91 days' WHERE id = $1`, [oldDelivery]);
    await server.store.query(`UPDATE delivery_attempts SET attempted_at = now() - interval '91 days' WHERE outbox_id = $1`, [oldDelivery]);
    await server.store.query(
      `UPDATE outbox SET status = 'parked', delivered_at = NULL, created_at = now() - interval '91 days' WHERE id = $1`,
      [parkedDelivery],
    );
    await server.store.query(`UPDATE delivery_attempts SET attempted_at = now() - interval '91 days' WHERE outbox_id = $1`, [parkedDelivery]);
    await server.store.query(
      `INSERT INTO notifications (partner_id, kind, message, created_at) VALUES ($1, 'postback_parked', 'long ago', now() - interval '91 days'), ($1, 'postback_parked', 'lately', now() - interval '89 days')`,
      [trailblazer],
    );
    await server.platform.keepTidy.run();

    const kept = await server.request('GET', `/api/v1/postbacks/${registered.body.id}/deliveries`, { key: server.keys.trailblazer });
    assert.deepEqual(
      kept.body.map((item: Delivery) => [item.id, item.status]).sort(),
      [[parkedDelivery, 'parked'], [recentDelivery, 'delivered']].sort(),
      'the delivery done 91 days ago is forgotten; the parked one waits for its replay',
    );
    const notes = (await server.request('GET', '/api/v1/notifications', { key: server.keys.trailblazer })).body.map((note: { message: string }) => note.message);
    assert.ok(notes.includes('lately') && !notes.includes('long ago'), JSON.stringify(notes));
    const ledger = await server.store.query<{ events: number }>(
      'SELECT count(*)::int AS events FROM conversions c JOIN conversion_events e ON e.conversion_id = c.id WHERE c.id = ANY($1::bigint[])',
      [[old.conversionId, parkedLongAgo.conversionId, recent.conversionId]],
    );
    assert.deepEqual(ledger, [{ events: 3 }], 'the conversions and their histories are kept');
  });

  test('failures are retried with backoff, logged, parked; the endpoint is parked and its owner told; replay resumes', async () => {
    const registered = await server.request('POST', '/api/v1/postbacks', {
      key: server.keys.admin,
      body: { partnerId: couponCrate, url: `${receiver.base}/coupon?click={transaction_id}`, type: 'image' },
    });
    assert.equal(registered.status, 201, registered.text);
    receiver.answerWith(503);
    const first = await convert(couponCrate, 'PB-2');
    const deliveries = (ready: (statuses: string[]) => boolean) => deliveriesWhen(server, registered.body.id, server.keys.couponCrate, ready);
    const parked = (await deliveries(someParked)).find((item) => item.status === 'parked')!;
    assert.equal(parked.attempts, 3);
    assert.equal(parked.log.length, 3);
    assert.ok(parked.log.every((attempt: { statusCode: number; error: string }) => attempt.statusCode === 503 && attempt.error === 'answered HTTP 503'));
    const onlyParked = (await server.request('GET', `/api/v1/postbacks/${registered.body.id}/deliveries?status=parked`, { key: server.keys.couponCrate })).body;
    assert.ok(onlyParked.length >= 1 && onlyParked.every((item: { status: string }) => item.status === 'parked'));
    assert.ok(onlyParked.some((item: { id: string }) => item.id === parked.id));
    const unknownStatus = await server.request('GET', `/api/v1/postbacks/${registered.body.id}/deliveries?status=lost`, { key: server.keys.couponCrate });
    assert.equal(unknownStatus.status, 400);

    await convert(couponCrate, 'PB-3');
    await eventually(async () => {
      const [row] = await server.store.query<{ status: string }>('SELECT status FROM partner_postbacks WHERE id = $1', [registered.body.id]);
      return row!.status === 'parked';
    });
    const list = (await server.request('GET', '/api/v1/postbacks', { key: server.keys.couponCrate })).body;
    const endpoint = list.find((item: { id: number; status: string }) => item.id === registered.body.id && item.status === 'parked');
    assert.ok(endpoint.consecutiveFailures >= 5);
    const notes = (await server.request('GET', '/api/v1/notifications', { key: server.keys.couponCrate })).body;
    assert.match(notes[0].message, new RegExp(`Postback ${registered.body.id} failed \\d+ times in a row`));

    receiver.answerWith(200);
    const replayed = await server.request('POST', `/api/v1/deliveries/${parked.id}/replay`, { key: server.keys.couponCrate });
    assert.equal(replayed.status, 200);
    assert.ok(replayed.body.requeued >= 2);
    assert.ok((await deliveries(allDelivered)).every((item) => item.status === 'delivered'));
    assert.ok(receiver.received.some((item) => item.url.searchParams.get('click') === first.transactionId && item.url.pathname === '/coupon'));
    const active = (await server.request('GET', '/api/v1/postbacks', { key: server.keys.couponCrate })).body;
    assert.equal(active.find((item: { id: number }) => item.id === registered.body.id).status, 'active');
  });

  test('a partner sees and manages only its own postbacks', async () => {
    const mine = (await server.request('GET', '/api/v1/postbacks', { key: server.keys.trailblazer })).body;
    assert.ok(mine.every((item: { partnerId: number }) => item.partnerId === trailblazer));
    const others = (await server.request('GET', '/api/v1/postbacks', { key: server.keys.couponCrate })).body;
    assert.equal((await server.request('DELETE', `/api/v1/postbacks/${others[0].id}`, { key: server.keys.trailblazer })).status, 403);
    assert.equal((await server.request('POST', '/api/v1/postbacks', { key: server.keys.trailblazer, body: { partnerId: couponCrate, url: 'https://x.example' } })).status, 403);
    assert.equal((await server.request('POST', '/api/v1/postbacks', { key: server.keys.acme, body: { partnerId: couponCrate, url: 'https://x.example' } })).status, 403);
    const bad = await server.request('POST', '/api/v1/postbacks', { key: server.keys.trailblazer, body: { url: 'ftp://x.example/{transaction_id}' } });
    assert.equal(bad.status, 400);
  });

  test('an endpoint that does not answer holds up only its own postbacks', async () => {
    const register = async (key: string, url: string) => {
      const registered = await server.request('POST', '/api/v1/postbacks', { key, body: { url, events: ['create'] } });
      assert.equal(registered.status, 201, registered.text);
      return registered.body.id as number;
    };
    const silent = await register(server.keys.trailblazer, `${receiver.base}/silent?click={transaction_id}`);
    const prompt = await register(server.keys.couponCrate, `${receiver.base}/prompt?click={transaction_id}`);
    for (const order of ['SLOW-1', 'SLOW-2', 'SLOW-3']) await convert(trailblazer, order);
    await eventually(() => receiver.received.filter((item) => item.url.pathname === '/silent').length === 3);
    // The silent calls wait for their 5-second timeout; a postback queued behind them goes out meanwhile.
    const { transactionId } = await convert(couponCrate, 'PROMPT-1');
    await eventually(() => receiver.received.some((item) => item.url.pathname === '/prompt' && item.url.searchParams.get('click') === transactionId), 3_000);
    assert.equal(receiver.release(), 3);
    for (const id of [silent, prompt]) {
      const owner = id === silent ? server.keys.trailblazer : server.keys.couponCrate;
      assert.ok((await deliveriesWhen(server, id, owner, allDelivered)).every((item) => item.status === 'delivered'));
      assert.equal((await server.request('DELETE', `/api/v1/postbacks/${id}`, { key: owner })).status, 200);
    }
  });
});

describe('postback destinations', () => {
  test('private and loopback destinations are refused unless the operator allows them', async () => {
    const receiver = await startReceiver();
    const server = await startTestServer({ TRUST_PROXY: 'true' }, { delivery: { pollMs: 20 } });
    try {
      const [, newsletter] = server.demo.offerIds as [number, number];
      // An address written in the URL is refused as the postback is registered; a name, or a host
      // made of a macro, as it is resolved for the connection.
      const byAddress = await server.request('POST', '/api/v1/postbacks', { key: server.keys.trailblazer, body: { url: `${receiver.base}/x?c={transaction_id}` } });
      assert.equal(byAddress.status, 400);
      assert.deepEqual(byAddress.body, { error: 'url: 127.0.0.1 is a private or loopback address, which postbacks reach only when the operator sets POSTBACK_ALLOW_PRIVATE' });
      for (const host of ['[::7f00:1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '[::ffff:7f00:1]', '[2002:7f00:1::]']) {
        const disguised = await server.request('POST', '/api/v1/postbacks', { key: server.keys.trailblazer, body: { url: `http://${host}:${new URL(receiver.base).port}/x` } });
        assert.equal(disguised.status, 400, `${host}: ${disguised.text}`);
      }
      const byName = await server.request('POST', '/api/v1/postbacks', {
        key: server.keys.trailblazer,
        body: { url: `${receiver.base.replace('127.0.0.1', 'localhost')}/y?c={transaction_id}` },
      });
      const byMacro = await server.request('POST', '/api/v1/postbacks', {
        key: server.keys.trailblazer,
        body: { url: `http://{aff_sub}:${new URL(receiver.base).port}/z?c={transaction_id}` },
      });
      const reply = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${server.demo.partnerIds[0]}&aff_sub=127.0.0.1`, {
        headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
      });
      const transactionId = new URL(reply.headers.get('location')!).searchParams.get('tid')!;
      await server.request('GET', `/aff_lsr?transaction_id=${transactionId}`);
      const parked = async (postbackId: number) =>
        (await deliveriesWhen(server, postbackId, server.keys.trailblazer, someParked)).find((item) => item.status === 'parked')!;
      assert.match((await parked(byMacro.body.id)).lastError, /private or loopback address 127\.0\.0\.1/);
      assert.match((await parked(byName.body.id)).lastError, /host localhost resolves to the private or loopback address (127\.0\.0\.1|::1)/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await server.close();
      await receiver.close();
    }
  });
});

describe('what a partner hears of a conversion, and in which order', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let newsletter: number;
  let trailblazer: number;
  let couponCrate: number;

  before(async () => {
    receiver = await startReceiver();
    server = await startTestServer({ TRUST_PROXY: 'true', POSTBACK_ALLOW_PRIVATE: 'true' }, { delivery: { pollMs: 20, baseDelayMs: 800, maxDelayMs: 800 } });
    [, newsletter] = server.demo.offerIds as [number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const click = async (partnerId: number, userAgent: string = USER_AGENTS.iphone) => {
    const reply = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${partnerId}`, { headers: { 'user-agent': userAgent, 'x-forwarded-for': IPS.US } });
    return new URL(reply.headers.get('location')!).searchParams.get('tid')!;
  };
  const register = async (key: string, path: string, events?: string[]) => {
    const reply = await server.request('POST', '/api/v1/postbacks', {
      key,
      body: { offerId: newsletter, url: `${receiver.base}/${path}?click={transaction_id}&op={postback_operation}&pay={payout}&sale={sale_amount}`, ...(events ? { events } : {}) },
    });
    assert.equal(reply.status, 201, reply.text);
    return reply.body.id as number;
  };
  const heard = (path: string, transactionId: string) =>
    receiver.received.filter((item) => item.url.pathname === `/${path}` && item.url.searchParams.get('click') === transactionId).map((item) => item.url.searchParams.get('op'));

  test('after a failed call, a later postback waits for the earlier one: the partner never hears them out of order', async () => {
    const postbackId = await register(server.keys.trailblazer, 'ordered');
    receiver.answerWith(503);
    const transactionId = await click(trailblazer);
    const id = (await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=ORDERED-1&amount=42.123456`)).headers.get('x-partnerline-conversion-id')!;
    await eventually(() => heard('ordered', transactionId).length === 1);
    receiver.answerWith(200);
    const rejected = await server.request('POST', `/api/v1/conversions/${id}/reject`, { key: server.keys.admin, body: { reason: 'fraud' } });
    assert.equal(rejected.status, 200, rejected.text);
    await deliveriesWhen(server, postbackId, server.keys.trailblazer, (statuses) => statuses.length === 2 && allDelivered(statuses));
    assert.deepEqual(heard('ordered', transactionId), ['create', 'create', 'delete']);
    const create = receiver.received.find((item) => item.url.pathname === '/ordered' && item.url.searchParams.get('click') === transactionId)!;
    assert.deepEqual([create.url.searchParams.get('sale'), create.url.searchParams.get('pay')], ['42.123456', '2.50'], 'the ledger\'s amounts, to the micro');
  });

  test('a partner listening to create and reject hears an order re-attributed away, and a held conversion approved as new', async () => {
    await register(server.keys.trailblazer, 'lean', ['create', 'reject']);
    await register(server.keys.couponCrate, 'lean', ['create', 'reject']);
    const away = await click(trailblazer);
    const to = await click(couponCrate);
    const id = (await server.request('GET', `/aff_lsr?transaction_id=${away}&adv_sub=LEAN-1&amount=10`)).headers.get('x-partnerline-conversion-id')!;
    const moved = await server.request('POST', `/api/v1/conversions/${id}/reattribute`, { key: server.keys.admin, body: { transactionId: to } });
    assert.equal(moved.status, 200, moved.text);
    const bot = await click(trailblazer, 'curl/8.5.0');
    const held = (await server.request('GET', `/aff_lsr?transaction_id=${bot}&amount=10`)).headers.get('x-partnerline-conversion-id')!;
    assert.equal((await server.request('POST', `/api/v1/conversions/${held}/approve`, { key: server.keys.admin, body: {} })).status, 200);
    await eventually(() => heard('lean', away).length === 2 && heard('lean', to).length === 1 && heard('lean', bot).length === 1);
    assert.deepEqual([heard('lean', away), heard('lean', to), heard('lean', bot)], [['create', 'delete'], ['create'], ['create']]);
  });
});
