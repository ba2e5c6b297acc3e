import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { approveHeldConversions } from '../../src/ledger/hold-period.ts';
import type { ConversionOutcome } from '../../src/ledger/conversions.ts';
import { capStatusCode, STATUS_CODE } from '../../src/ledger/status-codes.ts';
import { createGoal, setCap } from '../../src/offers/offer-terms.ts';
import { cpaOffer, IPS, startTestServer, statsTotals, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('conversions: postbacks, pixels, goals and the JSON endpoint', () => {
  let server: TestServer;
  let newsletter: number;
  let bestsellers: number;
  let bookClub: number;
  let trailblazer: number;
  let couponCrate: number;

  const clickFor = async (offerId: number, partnerId: number, extra = '') => {
    const reply = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}${extra}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    return { transactionId: new URL(reply.headers.get('location')!).searchParams.get('tid')!, cookie: reply.headers.get('set-cookie')! };
  };
  const conversion = async (id: string) =>
    (await server.store.query<Record<string, unknown>>(`SELECT * FROM conversions WHERE id = $1`, [id]))[0]!;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [, newsletter, bestsellers, bookClub] = server.demo.offerIds as [number, number, number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
  });
  after(() => server.close());

  test('a server postback makes one approved conversion priced by the offer', async () => {
    const { transactionId } = await clickFor(newsletter, trailblazer);
    const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=SIGNUP-1&amount=0`);
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'success=true;');
    const row = await conversion(reply.headers.get('x-partnerline-conversion-id')!);
    assert.equal(row.status, 'approved');
    assert.equal(row.status_code, 43);
    assert.equal(row.payout_micros, 2_500_000n);
    assert.equal(row.revenue_micros, 4_000_000n);
    assert.equal(row.partner_id, trailblazer);
    assert.equal(row.country, 'US');
  });

  test('the spec\'s refusals answer success=false with their status code, and make nothing', async () => {
    const { transactionId } = await clickFor(newsletter, couponCrate);
    assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=ORDER-A`)).text, 'success=true;');
    const old = await clickFor(newsletter, couponCrate);
    await server.platform.tracker.writer.flush();
    await server.store.query(`UPDATE clicks SET created_at = now() - interval '31 days' WHERE transaction_id = $1`, [old.transactionId]);
    const other = await clickFor(newsletter, couponCrate);
    const count = async () => (await server.store.query<{ n: number }>('SELECT count(*)::int AS n FROM conversions'))[0]!.n;
    const before = await count();
    const cases: Array<[string, number, RegExp]> = [
      [`transaction_id=${transactionId}&adv_sub=ORDER-B`, 12, /already converted/],
      [`transaction_id=${other.transactionId}&adv_sub=ORDER-A`, 18, /order ORDER-A was already converted/],
      ['transaction_id=10ffffffffffffffffffffffffffff', 91, /unknown transaction_id/],
      [`transaction_id=${old.transactionId}`, 92, /session expired/],
      [`transaction_id=${other.transactionId}&offer_id=${bookClub}`, 95, /belongs to offer/],
      [`transaction_id=${other.transactionId}&amount=abc`, 90, /amount "abc"/],
      ['offer_id=99999&aff_id=1', 93, /unknown offer/],
      ['', 91, /needs a transaction_id/],
      ['transaction_id[x]=1', 91, /needs a transaction_id/],
      ['transaction_id=%00', 91, /needs a transaction_id/],
    ];
    for (const [query, code, reason] of cases) {
      const reply = await server.request('GET', `/aff_lsr?${query}`);
      assert.equal(reply.text, 'success=false;', query);
      assert.equal(reply.headers.get('x-partnerline-status-code'), String(code), query);
      const json = await server.request('GET', `/aff_lsr?${query}&format=json`);
      assert.equal(json.body.success, false);
      assert.equal(json.body.status_code, code);
      assert.match(json.body.reason, reason, query);
    }
    assert.equal(await count(), before);
    const attempts = await server.store.query<{ code: number }>(`SELECT status_code AS code FROM conversion_attempts ORDER BY id DESC LIMIT $1`, [cases.length * 2]);
    assert.ok(attempts.some((attempt) => attempt.code === 12) && attempts.some((attempt) => attempt.code === 92));
  });

  test('a NUL character in a postback is dropped from its value, not a failure', async () => {
    const { transactionId } = await clickFor(newsletter, trailblazer);
    const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=ORDER%00-N&adv_sub2=%00&amount=1%00`);
    assert.equal(reply.text, 'success=true;');
    const row = await conversion(reply.headers.get('x-partnerline-conversion-id')!);
    assert.equal(row.adv_sub1, 'ORDER-N');
    assert.equal(row.adv_sub2, null);
    assert.equal(row.sale_amount_micros, 1_000_000n);
  });

  test('a value cut inside a character, or an order id too long to keep, is answered clearly, never with a server error', async () => {
    const cutInEmoji = encodeURIComponent(`${'a'.repeat(999)}\u{1F600}`);
    const { transactionId } = await clickFor(newsletter, trailblazer, `&aff_sub=${cutInEmoji}`);
    await server.platform.tracker.writer.flush();
    const [click] = await server.store.query<{ sub: string }>('SELECT aff_sub1 AS sub FROM clicks WHERE transaction_id = $1', [transactionId]);
    assert.equal(click!.sub, 'a'.repeat(999));
    for (const path of ['/aff_lsr', '/aff_l', '/aff_goal']) {
      const reply = await server.request('GET', `${path}?transaction_id=${cutInEmoji}&goal_name=${cutInEmoji}&offer_id=${newsletter}&security_token=${cutInEmoji}&json=1`);
      assert.ok(reply.status < 500, `${path}: ${reply.status} ${reply.text}`);
      assert.doesNotMatch(reply.text, /byte sequence|invalid input|column|relation/i, path);
    }
    const longOrder = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=${'7'.repeat(256)}&amount=1`);
    assert.equal(longOrder.text, 'success=false;');
    assert.equal(longOrder.headers.get('x-partnerline-status-code'), '90');
    assert.match(longOrder.headers.get('x-partnerline-reason')!, /longer than 255 characters/);
    const kept = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=${'7'.repeat(255)}&amount=1`);
    assert.equal(kept.text, 'success=true;');
  });

  test('with a security token set, a postback without it is refused (19)', async () => {
    const brightside = server.demo.advertiserIds[1];
    await server.store.query(`UPDATE advertisers SET conversion_security_token = 'bright-secret' WHERE id = $1`, [brightside]);
    try {
      const { transactionId } = await clickFor(bookClub, trailblazer);
      const refused = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=10&security_token=wrong`);
      assert.equal(refused.headers.get('x-partnerline-status-code'), '19');
      const accepted = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=10&security_token=bright-secret`);
      assert.equal(accepted.text, 'success=true;');
    } finally {
      await server.store.query(`UPDATE advertisers SET conversion_security_token = NULL WHERE id = $1`, [brightside]);
    }
  });

  test('percent-of-sale with a partner override, held pending, approved when the hold ends', async () => {
    const { transactionId } = await clickFor(bestsellers, trailblazer);
    const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=59.90&adv_sub=BOOK-1`);
    assert.equal(reply.text, 'success=true;');
    const id = reply.headers.get('x-partnerline-conversion-id')!;
    const row = await conversion(id);
    assert.equal(row.status, 'pending');
    assert.equal(row.status_code, 31);
    assert.equal(row.payout_micros, 5_990_000n);
    assert.equal(row.revenue_micros, 7_188_000n);
    assert.equal(row.payout_rule, 'partner override');
    const holdUntil = row.hold_until as Date;
    assert.equal(holdUntil.getTime() - (row.converted_at as Date).getTime(), 720 * 3_600_000);
    const { transactionId: second } = await clickFor(bestsellers, trailblazer);
    const secondId = (await server.request('GET', `/aff_lsr?transaction_id=${second}&amount=12&adv_sub=BOOK-1B`)).headers.get('x-partnerline-conversion-id')!;
    assert.equal(await approveHeldConversions(server.store, new Date(holdUntil.getTime() - 1000)), 0);
    // Batches of one: a run still approves everything due, however many batches that takes.
    const later = new Date(((await conversion(secondId)).hold_until as Date).getTime() + 1000);
    assert.ok((await approveHeldConversions(server.store, later, 1)) >= 2);
    assert.equal((await conversion(id)).status, 'approved');
    assert.equal((await conversion(secondId)).status, 'approved');
    const events = await server.store.query<{ type: string; actor: string; reason: string }>(
      `SELECT type, actor, reason FROM conversion_events WHERE conversion_id = $1 ORDER BY id`,
      [id],
    );
    assert.deepEqual(events, [
      { type: 'created', actor: 'advertiser postback', reason: null },
      { type: 'approved', actor: 'system', reason: 'hold period ended' },
    ]);
  });

  test('goal conversions by id or name, by server postback or cookie pixel, each priced by its goal', async () => {
    const goals = await server.store.query<{ id: number; name: string }>(`SELECT id, name FROM goals WHERE offer_id = $1 ORDER BY id`, [bookClub]);
    const trial = goals[0]!;
    const paid = goals[1]!;
    const { transactionId, cookie } = await clickFor(bookClub, trailblazer);
    const byName = await server.request('GET', `/aff_goal?a=lsr&goal_name=trial&transaction_id=${transactionId}`);
    assert.equal(byName.text, 'success=true;');
    assert.equal((await conversion(byName.headers.get('x-partnerline-conversion-id')!)).goal_id, trial.id);
    const session = cookie.match(new RegExp(`pl_s${bookClub}=[^;]+`))![0];
    const pixel = await server.request('GET', `/aff_goal?a=l&goal_id=${paid.id}&offer_id=${bookClub}&amount=40`, { headers: { cookie: session } });
    assert.equal(pixel.headers.get('content-type'), 'image/gif');
    const row = await conversion(pixel.headers.get('x-partnerline-conversion-id')!);
    assert.equal(row.goal_id, paid.id);
    assert.equal(row.status_code, 41);
    assert.equal(row.payout_micros, 7_000_000n);
    const missing = await server.request('GET', `/aff_goal?a=lsr&goal_name=nope&transaction_id=${transactionId}`);
    assert.equal(missing.headers.get('x-partnerline-status-code'), '94');
    // A goal id that is no id is refused, on /aff_lsr too, rather than paid as the offer's own conversion.
    const { transactionId: another } = await clickFor(bookClub, trailblazer);
    for (const path of [`/aff_lsr?goal_id=tria1&transaction_id=${another}&format=json`, `/aff_goal?a=lsr&goal_id=-2&transaction_id=${another}&format=json`]) {
      const refused = await server.request('GET', path);
      assert.deepEqual(refused.body, { success: false, status_code: 90, reason: `goal_id "${new URL(path, 'http://x').searchParams.get('goal_id')}" is not a goal id` }, path);
    }
    assert.equal((await server.store.query('SELECT 1 FROM conversions WHERE transaction_id = $1', [another])).length, 0);
    const noSession = await server.request('GET', `/aff_l?offer_id=${bookClub}`);
    assert.equal(noSession.headers.get('content-type'), 'image/gif');
    assert.equal(noSession.headers.get('x-partnerline-status-code'), '92');
  });

  test('a conversion by offer and partner, without a click; a HEAD of the same URL records nothing', async () => {
    const url = `/aff_lsr?offer_id=${newsletter}&aff_id=${couponCrate}&adv_sub=NOCLICK-1`;
    const looked = await server.request('HEAD', url);
    assert.equal(looked.status, 200);
    assert.equal(looked.headers.get('content-type'), 'text/plain');
    assert.equal((await server.store.query(`SELECT 1 FROM conversions WHERE adv_sub1 = 'NOCLICK-1'`)).length, 0);
    const reply = await server.request('GET', url);
    assert.equal(reply.text, 'success=true;');
    const row = await conversion(reply.headers.get('x-partnerline-conversion-id')!);
    assert.equal(row.transaction_id, null);
    assert.equal(row.partner_id, couponCrate);
    // The same postback again is the same conversion.
    const again = await server.request('GET', `/aff_lsr?offer_id=${newsletter}&aff_id=${couponCrate}&adv_sub=NOCLICK-1`);
    assert.equal(again.headers.get('x-partnerline-conversion-id'), reply.headers.get('x-partnerline-conversion-id'));
  });

  test('caps refuse conversions past the limit, as rejected with the cap\'s code', async () => {
    const capped = await cpaOffer(server, 'Capped signups');
    await setCap(server.store, OPERATOR, capped, { metric: 'conversions', period: 'day', limit: 3n });
    await setCap(server.store, OPERATOR, capped, { partnerId: couponCrate, metric: 'payout', period: 'month', limit: 1_000_000n });
    await server.platform.afterWrite();
    const codes = [];
    for (const partner of [trailblazer, couponCrate, couponCrate, trailblazer, trailblazer]) {
      const { transactionId } = await clickFor(capped, partner);
      const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&format=json`);
      codes.push(reply.body.status_code);
    }
    // The partner's monthly payout cap (1.00) stops its second; the offer's daily cap (3) stops the fifth.
    assert.deepEqual(codes, [43, 43, 83, 43, 17]);
    const totals = await statsTotals(server.store, capped);
    assert.equal(totals.approved, 3n);
    assert.equal(totals.rejected, 2n);
  });

  test('postbacks arriving together on a capped offer fill its caps exactly, retries included', async () => {
    const capped = await cpaOffer(server, 'Capped rush');
    await setCap(server.store, OPERATOR, capped, { metric: 'conversions', period: 'day', limit: 5n });
    await setCap(server.store, OPERATOR, capped, { partnerId: couponCrate, metric: 'payout', period: 'month', limit: 3_000_000n });
    await server.platform.afterWrite();
    const clicks = [];
    for (const partner of [trailblazer, couponCrate, trailblazer, couponCrate, trailblazer, couponCrate, couponCrate, trailblazer, couponCrate, trailblazer, trailblazer, couponCrate]) {
      clicks.push({ partner, ...(await clickFor(capped, partner)) });
    }
    // Every click's postback at once, and the first two sent twice more, as impatient advertisers do.
    const sent = [...clicks, clicks[0]!, clicks[1]!, clicks[0]!, clicks[1]!];
    const replies = await Promise.all(sent.map(({ transactionId }) => server.request('GET', `/aff_lsr?transaction_id=${transactionId}&format=json`)));
    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
    const idOf = new Map<string, Set<string>>();
    sent.forEach(({ transactionId }, index) => idOf.set(transactionId, (idOf.get(transactionId) ?? new Set()).add(replies[index]!.body.conversion_id)));
    for (const ids of idOf.values()) assert.equal(ids.size, 1, 'a retry answers the conversion its first postback made');

    const rows = await server.store.query<{ partner_id: number; status: string; status_code: number }>(
      'SELECT partner_id, status, status_code FROM conversions WHERE offer_id = $1',
      [capped],
    );
    assert.equal(rows.length, clicks.length);
    const approved = rows.filter((row) => row.status === 'approved');
    assert.equal(approved.length, 5, 'the daily cap lets exactly five through');
    assert.ok(approved.filter((row) => row.partner_id === couponCrate).length <= 3, 'the partner\'s payout cap holds');
    const capCodes: number[] = [capStatusCode('conversions', 'day', false), capStatusCode('payout', 'month', true)];
    for (const row of rows.filter((row) => row.status === 'rejected')) assert.ok(capCodes.includes(row.status_code), `status code ${row.status_code}`);
    const totals = await statsTotals(server.store, capped);
    assert.equal(totals.approved, 5n);
    assert.equal(totals.rejected, 7n);
    assert.equal(totals.approved_payout_micros, 5_000_000n);
  });

  test('a retry inside a batch on a capped offer takes no place under the cap', async () => {
    const capped = await cpaOffer(server, 'Capped with retries');
    await setCap(server.store, OPERATOR, capped, { metric: 'conversions', period: 'day', limit: 3n });
    await server.platform.afterWrite();
    const transactionIds = [];
    for (let count = 0; count < 5; count += 1) transactionIds.push((await clickFor(capped, trailblazer)).transactionId);
    await server.platform.tracker.writer.flush();
    const [first, second, third, fourth, fifth] = transactionIds as [string, string, string, string, string];
    // The pipeline's unit of work, one transaction: the first postback's retry sits between the others.
    const postback = (transactionId: string) => ({ channel: 'server_postback' as const, actor: 'advertiser postback', transactionId });
    const outcomes = (await server.store.runTask('recordConversions', [first, first, second, third, fourth, fifth].map(postback))) as ConversionOutcome[];
    const statuses = outcomes.map((outcome) => (outcome.ok ? `${outcome.conversion.status}${outcome.created ? '' : ' (again)'}` : 'refused'));
    assert.deepEqual(statuses, ['approved', 'approved (again)', 'approved', 'approved', 'rejected', 'rejected']);
    assert.equal((await statsTotals(server.store, capped)).approved, 3n);
  });

  test('caps count by the network\'s local day, also in a zone half an hour off UTC', async () => {
    await server.store.query(`UPDATE network SET time_zone = 'Asia/Kolkata'`);
    try {
      const offer = await cpaOffer(server, 'Capped in India');
      const goal = await createGoal(server.store, OPERATOR, offer, { name: 'lead', payoutType: 'cpa_flat', payoutFlatMicros: 500_000n, revenueType: 'cpa_flat', revenueFlatMicros: 900_000n });
      await setCap(server.store, OPERATOR, offer, { partnerId: trailblazer, metric: 'conversions', period: 'day', limit: 1n });
      await setCap(server.store, OPERATOR, offer, { goalId: goal.id, metric: 'conversions', period: 'day', limit: 1n });
      await server.platform.afterWrite();
      // Two days ago in India: 00:10 there is 18:40 UTC the day before, inside a UTC hour that began on the previous local day.
      const day = new Date(Date.now() - 2 * 86_400_000 + 5.5 * 3_600_000).toISOString().slice(0, 10);
      const localMidnight = new Date(`${day}T00:00:00+05:30`).getTime();
      const at = (minutes: number) => new Date(localMidnight + minutes * 60_000).toISOString();
      const convert = async (partnerId: number, convertedAt: string, goalId?: number) => {
        const reply = await server.request('POST', '/api/v1/conversions', {
          key: server.keys.acme,
          body: { offerId: offer, partnerId, convertedAt, orderId: `IN-${partnerId}-${convertedAt}`, ...(goalId ? { goalId } : {}) },
        });
        assert.equal(reply.status, 201, reply.text);
        return [reply.body.conversion.status, reply.body.conversion.statusCode];
      };
      const partnerDailyCap = capStatusCode('conversions', 'day', true);
      assert.deepEqual(await convert(trailblazer, at(10)), ['approved', STATUS_CODE.ADJUSTMENT]);
      assert.deepEqual(await convert(trailblazer, at(12 * 60)), ['rejected', partnerDailyCap], 'the 00:10 conversion filled the day\'s cap');
      assert.deepEqual(await convert(trailblazer, at(24 * 60 + 5)), ['approved', STATUS_CODE.ADJUSTMENT], 'the next local day has its own cap');
      assert.deepEqual(await convert(couponCrate, at(15), goal.id), ['approved', STATUS_CODE.ADJUSTMENT]);
      assert.deepEqual(await convert(couponCrate, at(12 * 60), goal.id), ['rejected', 17], 'the goal\'s cap counts its conversions of the day');
    } finally {
      await server.store.query(`UPDATE network SET time_zone = 'America/New_York'`);
    }
  });

  test('the JSON endpoint records conversions, retries safely, and keeps to the caller\'s offers', async () => {
    const { transactionId } = await clickFor(newsletter, trailblazer);
    const body = { transactionId, orderId: 'JSON-1', saleAmount: '12.34' };
    const first = await server.request('POST', '/api/v1/conversions', { key: server.keys.acme, body, headers: { 'idempotency-key': 'conv-json-1' } });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.conversion.status, 'approved');
    assert.equal(first.body.conversion.saleAmount, '12.340000');
    assert.equal(first.body.conversion.payout, '2.500000');
    const retry = await server.request('POST', '/api/v1/conversions', { key: server.keys.acme, body, headers: { 'idempotency-key': 'conv-json-1' } });
    assert.equal(retry.text, first.text);
    const withoutKey = await server.request('POST', '/api/v1/conversions', { key: server.keys.acme, body });
    assert.equal(withoutKey.status, 200);
    assert.equal(withoutKey.body.created, false);
    assert.equal(withoutKey.body.conversion.id, first.body.conversion.id);
    const otherAdvertiser = await server.request('POST', '/api/v1/conversions', { key: server.keys.brightside, body: { ...body, orderId: 'JSON-2' } });
    assert.equal(otherAdvertiser.status, 422);
    assert.match(otherAdvertiser.body.error, /not one of your offers/);
    const partner = await server.request('POST', '/api/v1/conversions', { key: server.keys.trailblazer, body });
    assert.equal(partner.status, 403);
    const bad = await server.request('POST', '/api/v1/conversions', { key: server.keys.acme, body: { ...body, saleAmount: '-1' } });
    assert.equal(bad.status, 400);
  });

  test('a conversion dated before its click, or in the future, is refused with why', async () => {
    const { transactionId } = await clickFor(newsletter, trailblazer);
    const dated = (minutes: number, orderId: string) =>
      server.request('POST', '/api/v1/conversions', {
        key: server.keys.acme,
        body: { transactionId, orderId, convertedAt: new Date(Date.now() + minutes * 60_000).toISOString() },
      });
    const beforeClick = await dated(-60, 'DATED-1');
    assert.equal(beforeClick.status, 422, beforeClick.text);
    assert.deepEqual([beforeClick.body.statusCode, beforeClick.body.conversionId], [90, null]);
    assert.match(beforeClick.body.error, /^the conversion is dated .+, before its click at /);
    const ahead = await dated(60, 'DATED-2');
    assert.equal(ahead.status, 422, ahead.text);
    assert.match(ahead.body.error, /in the future/);
    const skewed = await dated(-2, 'DATED-3');
    assert.equal(skewed.status, 201, skewed.text);
  });

  test("a conversion sooner after its click than the network's minimum is kept rejected with why, and can be approved", async () => {
    const minimum = await server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body: { minSecondsToConversion: 60 } });
    assert.equal(minimum.status, 200, minimum.text);
    assert.equal(minimum.body.minSecondsToConversion, 60);
    try {
      const { transactionId } = await clickFor(newsletter, couponCrate);
      const before = await statsTotals(server.store, newsletter);
      const fast = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=FAST-1`);
      assert.equal(fast.text, 'success=true;', 'the advertiser is told it was recorded');
      assert.equal(fast.headers.get('x-partnerline-status-code'), String(STATUS_CODE.TOO_SOON_AFTER_CLICK));
      const id = fast.headers.get('x-partnerline-conversion-id')!;
      const seen = await server.request('GET', `/api/v1/conversions/${id}`, { key: server.keys.couponCrate });
      assert.equal(seen.body.conversion.status, 'rejected');
      assert.match(seen.body.conversion.reason, /^converted \d+ s after its click, sooner than the network's minimum of 60 s$/);
      const rejected = await statsTotals(server.store, newsletter);
      assert.deepEqual([rejected.rejected! - before.rejected!, rejected.approved! - before.approved!], [1n, 0n]);

      const reviewQueue = async () =>
        (await server.request('GET', `/api/v1/conversions?status=rejected&statusCode=99&offerId=${newsletter}`, { key: server.keys.acme })).body.conversions.map(
          (listed: { id: string }) => listed.id,
        );
      assert.deepEqual(await reviewQueue(), [id], 'the advertiser finds it among those held for review');

      const retried = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=FAST-1`);
      assert.equal(retried.headers.get('x-partnerline-conversion-id'), id, 'a retry finds the same conversion');
      const approved = await server.request('POST', `/api/v1/conversions/${id}/approve`, { key: server.keys.acme, body: { reason: 'a returning customer' } });
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.body.conversion.status, 'approved');
      assert.deepEqual(await reviewQueue(), []);
      const after = await statsTotals(server.store, newsletter);
      assert.deepEqual([after.rejected! - before.rejected!, after.approved! - before.approved!], [0n, 1n]);
    } finally {
      await server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body: { minSecondsToConversion: 0 } });
    }
  });
});
