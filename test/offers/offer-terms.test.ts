import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpaOffer, IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe("an offer's terms through the v1 API: goals, caps and partners' own payouts", () => {
  let server: TestServer;
  let trailblazer: number;
  let couponCrate: number;

  const api = (method: string, path: string, body?: unknown, key = server.keys.admin, headers: Record<string, string> = {}) =>
    server.request(method, `/api/v1${path}`, { key, body, headers });
  const clickFor = async (offerId: number, partnerId: number) => {
    const reply = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    return new URL(reply.headers.get('location')!).searchParams.get('tid')!;
  };
  /** A conversion through the HasOffers server postback, and what the ledger made of it. */
  const convert = async (query: string) => {
    const reply = await server.request('GET', `/aff_lsr?${query}`);
    const id = reply.headers.get('x-partnerline-conversion-id');
    const [row] = id ? await server.store.query<{ status: string; statusCode: number; payout: bigint; revenue: bigint; rule: string }>(
      `SELECT status, status_code AS "statusCode", payout_micros AS payout, revenue_micros AS revenue, payout_rule AS rule FROM conversions WHERE id = $1`,
      [id],
    ) : [];
    return { body: reply.text, conversion: row };
  };
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
  });
  after(() => server.close());

  test('a goal added through the API prices the conversions that name it, and its name is its own in any case', async () => {
    const offer = await cpaOffer(server, 'Goals offer');
    const goalBody = { name: 'Purchase', payoutType: 'cpa_both', payout: '2.50', percentPayout: 10, revenueType: 'cpa_percentage', percentRevenue: '15' };
    const added = await api('POST', `/offers/${offer}/goals`, goalBody, server.keys.admin, { 'idempotency-key': 'goal-purchase-1' });
    assert.equal(added.status, 201, added.text);
    assert.deepEqual(
      { ...added.body, id: undefined, createdAt: undefined },
      { id: undefined, offerId: offer, name: 'Purchase', description: null, status: 'active', payoutType: 'cpa_both', payout: '2.500000', percentPayout: 10, revenueType: 'cpa_percentage', revenue: '0.000000', percentRevenue: 15, approveConversions: false, allowMultipleConversions: false, createdAt: undefined },
    );
    const retried = await api('POST', `/offers/${offer}/goals`, goalBody, server.keys.admin, { 'idempotency-key': 'goal-purchase-1' });
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retried.body, added.body);
    const namesake = await api('POST', `/offers/${offer}/goals`, { ...goalBody, name: 'purchase' });
    assert.equal(namesake.status, 409);
    assert.match(namesake.body.error, /already has a goal named "purchase" \(goal \d+\)/);
    assert.equal((await api('GET', `/offers/${offer}/goals`, undefined, server.keys.acme)).body.length, 1, 'its advertiser reads it');

    const transactionId = await clickFor(offer, trailblazer);
    const { body, conversion } = await convert(`transaction_id=${transactionId}&goal_name=PURCHASE&amount=40.00`);
    assert.equal(body, 'success=true;');
    assert.deepEqual(conversion, { status: 'approved', statusCode: 43, payout: 6_500_000n, revenue: 6_000_000n, rule: 'goal' });
  });

  test('a goal changes for conversions to come; removed, it is refused as unknown and keeps what it had', async () => {
    const offer = await cpaOffer(server, 'Changing goal offer');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Lead', payoutType: 'cpa_flat', payout: 3, revenueType: 'cpa_flat', revenue: 5 })).body;
    const first = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&goal_id=${goal.id}`);
    const changed = await api('PATCH', `/offers/${offer}/goals/${goal.id}`, { payout: '3.25', approveConversions: true });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.payout, changed.body.revenue, changed.body.approveConversions], ['3.250000', '5.000000', true]);
    const second = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&goal_id=${goal.id}`);
    assert.deepEqual([first.conversion!.payout, second.conversion!.payout, second.conversion!.status], [3_000_000n, 3_250_000n, 'pending']);

    assert.equal((await api('PATCH', `/offers/${offer}/goals/${goal.id}`, { status: 'deleted' })).body.status, 'deleted');
    const afterRemoval = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&goal_id=${goal.id}`);
    assert.equal(afterRemoval.body, 'success=false;');
    const [kept] = await server.store.query<{ count: bigint }>('SELECT count(*)::int8 AS count FROM conversions WHERE goal_id = $1', [goal.id]);
    assert.equal(kept!.count, 2n);
  });

  test('goals refuse what they cannot price, naming the field as the API writes it', async () => {
    const offer = await cpaOffer(server, 'Refusing goal offer');
    const refusals: Array<[unknown, RegExp]> = [
      [{ name: 'Click', payoutType: 'cpc', revenueType: 'cpa_flat' }, /^payoutType: /],
      [{ name: 'Big', payoutType: 'cpa_percentage', percentPayout: 101, revenueType: 'cpa_flat' }, /^percentPayout: must be a percentage from 0 to 100/],
      [{ name: 'Negative', payoutType: 'cpa_flat', payout: '-1', revenueType: 'cpa_flat' }, /^payout: must be a non-negative amount/],
      [{ name: ' ', payoutType: 'cpa_flat', revenueType: 'cpa_flat' }, /^name: must not be empty/],
      [{ name: 'Typo', payoutType: 'cpa_flat', revenueType: 'cpa_flat', payot: 2 }, /payot/],
    ];
    for (const [body, error] of refusals) {
      const reply = await api('POST', `/offers/${offer}/goals`, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, error);
    }
    assert.deepEqual((await api('GET', `/offers/${offer}/goals`)).body, [], 'nothing was added');
    assert.equal((await api('POST', `/offers/${offer}/goals`, { name: 'X', payoutType: 'cpa_flat', revenueType: 'cpa_flat' }, server.keys.trailblazer)).status, 403);
    assert.equal((await api('POST', `/offers/${offer}/goals`, { name: 'X', payoutType: 'cpa_flat', revenueType: 'cpa_flat' }, server.keys.brightside)).status, 403);
    assert.equal((await api('PATCH', `/offers/${offer}/goals/999999`, { name: 'X' })).status, 404);
  });

  test('a conversion cap set through the API holds; set again it changes its limit, and removed it lets conversions through', async () => {
    const offer = await cpaOffer(server, 'Capped through the API');
    const cap = await api('PUT', `/offers/${offer}/caps`, { metric: 'conversions', period: 'day', limit: 1 });
    assert.equal(cap.status, 200, cap.text);
    assert.deepEqual({ ...cap.body, id: undefined, createdAt: undefined }, { id: undefined, offerId: offer, partnerId: null, goalId: null, metric: 'conversions', period: 'day', limit: 1, createdAt: undefined });
    assert.equal((await convert(`transaction_id=${await clickFor(offer, trailblazer)}`)).conversion!.status, 'approved');
    const over = await convert(`transaction_id=${await clickFor(offer, trailblazer)}`);
    assert.deepEqual([over.conversion!.status, over.conversion!.statusCode], ['rejected', 17]);

    const raised = await api('PUT', `/offers/${offer}/caps`, { metric: 'conversions', period: 'day', limit: '3' });
    assert.equal(raised.body.id, cap.body.id, 'the same cap, with a new limit');
    assert.equal((await convert(`transaction_id=${await clickFor(offer, trailblazer)}`)).conversion!.status, 'approved');

    const payoutCap = await api('PUT', `/offers/${offer}/caps`, { metric: 'payout', period: 'month', limit: '12.5', partnerId: couponCrate });
    assert.deepEqual([payoutCap.body.limit, payoutCap.body.partnerId], ['12.500000', couponCrate]);
    assert.deepEqual((await api('GET', `/offers/${offer}/caps`, undefined, server.keys.acme)).body.map((c: { metric: string }) => c.metric), ['conversions', 'payout']);

    assert.equal((await api('DELETE', `/offers/${offer}/caps/${cap.body.id}`)).status, 200);
    assert.equal((await api('DELETE', `/offers/${offer}/caps/${cap.body.id}`)).status, 404);
    for (let index = 0; index < 3; index += 1) {
      assert.equal((await convert(`transaction_id=${await clickFor(offer, trailblazer)}`)).conversion!.status, 'approved');
    }
  });

  test("a weekly cap counts the local week's conversions and clicks, with a code of its own", async () => {
    const offer = await cpaOffer(server, 'Weekly caps');
    const cap = await api('PUT', `/offers/${offer}/caps`, { metric: 'conversions', period: 'week', limit: 2, partnerId: trailblazer });
    assert.deepEqual([cap.status, cap.body.period], [200, 'week']);
    for (let index = 0; index < 2; index += 1) {
      assert.equal((await convert(`transaction_id=${await clickFor(offer, trailblazer)}`)).conversion!.status, 'approved');
    }
    const over = await server.request('GET', `/aff_lsr?transaction_id=${await clickFor(offer, trailblazer)}`);
    const [refused] = await server.store.query<{ status: string; statusCode: number; reason: string }>(
      'SELECT status, status_code AS "statusCode", reason FROM conversions WHERE id = $1',
      [over.headers.get('x-partnerline-conversion-id')],
    );
    assert.deepEqual(refused, { status: 'rejected', statusCode: 88, reason: 'weekly conversions cap of 2 reached' });
    assert.equal((await convert(`transaction_id=${await clickFor(offer, couponCrate)}`)).conversion!.status, 'approved', "another partner's week is its own");

    await api('PUT', `/offers/${offer}/caps`, { metric: 'clicks', period: 'week', limit: 4 });
    const click = await server.request('GET', `/aff_c?offer_id=${offer}&aff_id=${couponCrate}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
    assert.equal(click.headers.get('x-partnerline-click'), 'click_cap_reached', "the week's four clicks fill a cap of four");
  });

  test('caps refuse a limit that does not fit their metric, a goal on clicks, and strangers', async () => {
    const offer = await cpaOffer(server, 'Refusing caps');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Sale', payoutType: 'cpa_flat', revenueType: 'cpa_flat' })).body;
    const refusals: Array<[unknown, number, RegExp]> = [
      [{ metric: 'conversions', period: 'day', limit: 1.5 }, 400, /^limit: a conversions cap counts conversions: it must be a whole number/],
      [{ metric: 'clicks', period: 'day', limit: 10, goalId: goal.id }, 400, /^goalId: a clicks cap counts every click/],
      [{ metric: 'payout', period: 'day', limit: 0 }, 400, /^limit: must be more than 0/],
      [{ metric: 'conversions', period: 'fortnight', limit: 1 }, 400, /period/],
      [{ metric: 'conversions', period: 'day', limit: 1, partnerId: 999999 }, 400, /^partnerId: unknown partner 999999/],
      [{ metric: 'conversions', period: 'day', limit: 1, goalId: 999999 }, 400, /^goalId: offer \d+ has no goal 999999/],
    ];
    for (const [body, status, error] of refusals) {
      const reply = await api('PUT', `/offers/${offer}/caps`, body);
      assert.equal(reply.status, status, JSON.stringify(body));
      assert.match(reply.body.error, error);
    }
    assert.deepEqual((await api('GET', `/offers/${offer}/caps`)).body, []);
    assert.equal((await api('GET', `/offers/${offer}/caps`, undefined, server.keys.couponCrate)).status, 403);
    assert.equal((await api('PUT', `/offers/999999/caps`, { metric: 'clicks', period: 'day', limit: 1 })).status, 404);
  });

  test("a partner's own CPA payout prices its conversions on the offer and on a goal; removed, the offer's applies again", async () => {
    const offer = await cpaOffer(server, 'Partner payouts');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Upsell', payoutType: 'cpa_flat', payout: 4, revenueType: 'cpa_flat', revenue: 6 })).body;
    const own = await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: trailblazer, payoutType: 'cpa_percentage', percentPayout: '12.5' });
    assert.equal(own.status, 200, own.text);
    assert.deepEqual([own.body.partnerId, own.body.goalId, own.body.payoutType, own.body.percentPayout, own.body.payout], [trailblazer, null, 'cpa_percentage', 12.5, '0.000000']);
    const onGoal = await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: trailblazer, goalId: goal.id, payoutType: 'cpa_flat', payout: '4.75' });
    assert.equal(onGoal.status, 200, onGoal.text);

    const sale = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&amount=80`);
    assert.deepEqual(sale.conversion, { status: 'approved', statusCode: 43, payout: 10_000_000n, revenue: 2_000_000n, rule: 'partner override' });
    const upsell = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&goal_id=${goal.id}`);
    assert.deepEqual([upsell.conversion!.payout, upsell.conversion!.revenue, upsell.conversion!.rule], [4_750_000n, 6_000_000n, 'partner override']);
    const otherPartner = await convert(`transaction_id=${await clickFor(offer, couponCrate)}&amount=80`);
    assert.deepEqual([otherPartner.conversion!.payout, otherPartner.conversion!.rule], [1_000_000n, 'offer']);

    const replaced = await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: trailblazer, payoutType: 'cpa_flat', payout: 1.5 });
    assert.equal(replaced.body.id, own.body.id);
    assert.equal((await api('GET', `/offers/${offer}/partner-payouts`, undefined, server.keys.acme)).body.length, 2);
    assert.equal((await api('DELETE', `/offers/${offer}/partner-payouts/${own.body.id}`)).status, 200);
    const afterRemoval = await convert(`transaction_id=${await clickFor(offer, trailblazer)}&amount=80`);
    assert.deepEqual([afterRemoval.conversion!.payout, afterRemoval.conversion!.rule], [1_000_000n, 'offer']);

    const onGoalByClick = await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: trailblazer, goalId: goal.id, payoutType: 'cpc', payout: 0.1 });
    assert.equal(onGoalByClick.status, 400);
    assert.match(onGoalByClick.body.error, /^payoutType: must be one of cpa_flat, cpa_percentage, cpa_both/);
    assert.equal((await api('GET', `/offers/${offer}/partner-payouts`, undefined, server.keys.trailblazer)).status, 403);
  });

  test("a partner's own CPC payout prices its clicks from the next click on, times the sub-ID's bid factor", async () => {
    const [springGear] = server.demo.offerIds as [number];
    const clickPayouts = async (partnerId: number) => {
      const [row] = await server.store.query<{ payout: bigint; cost: bigint }>(
        `SELECT payout_micros AS payout, cost_micros AS cost FROM clicks WHERE partner_id = $1 AND offer_id = $2 AND outcome = 'counted'
         ORDER BY created_at DESC LIMIT 1`,
        [partnerId, springGear],
      );
      return row;
    };
    await server.request('GET', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
    await server.platform.tracker.writer.flush();
    // The demo bids 1.2 times on this partner's traffic: 0.30 and 0.45 a click become 0.36 and 0.54.
    assert.deepEqual(await clickPayouts(trailblazer), { payout: 360_000n, cost: 540_000n });

    const own = await api('PUT', `/offers/${springGear}/partner-payouts`, { partnerId: trailblazer, payoutType: 'cpc', payout: '0.40' });
    assert.equal(own.status, 200, own.text);
    await server.request('GET', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
    await server.platform.tracker.writer.flush();
    assert.deepEqual(await clickPayouts(trailblazer), { payout: 480_000n, cost: 540_000n }, 'what the advertiser pays does not change');
    await api('DELETE', `/offers/${springGear}/partner-payouts/${own.body.id}`);
  });
});
