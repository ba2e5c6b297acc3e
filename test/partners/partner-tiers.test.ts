import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countedClick, cpaOffer, postbackConversion, startTestServer, type TestServer } from '../support/test-server.ts';

describe('partner tiers: partners who share custom payouts, between the offer\'s own and a partner\'s own', () => {
  let server: TestServer;
  let trailblazer: number;
  let couponCrate: number;
  let socialSpark: number;

  const api = (method: string, path: string, body?: unknown, key = server.keys.admin, headers: Record<string, string> = {}) =>
    server.request(method, `/api/v1${path}`, { key, body, headers });
  const hasOffers = async (query: string) => (await server.request('GET', `/Apiv3/json?${query}`)).body.response;
  /** Calls the HasOffers network API with a key of its own, so no test spends another's call budget. */
  const hasOffersNetwork = async (keyName: string) => {
    const token = (await api('POST', '/keys', { name: keyName })).body.key as string;
    return (query: string) => hasOffers(`NetworkId=partnerline&NetworkToken=${token}&${query}`);
  };
  const clickFor = (offerId: number, partnerId: number) => countedClick(server, offerId, partnerId);
  const convert = (offerId: number, partnerId: number, extra = '') => postbackConversion(server, offerId, partnerId, extra);
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [trailblazer, couponCrate, socialSpark] = server.demo.partnerIds as [number, number, number];
  });
  after(() => server.close());

  test('the network names tiers and puts partners in them; others may read them but not change them', async () => {
    const made = await api('POST', '/partner-tiers', { name: ' Gold ' }, server.keys.admin, { 'idempotency-key': 'tier-gold' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual({ ...made.body, id: undefined, createdAt: undefined }, { id: undefined, name: 'Gold', partnerIds: [], createdAt: undefined });
    const replayed = await api('POST', '/partner-tiers', { name: ' Gold ' }, server.keys.admin, { 'idempotency-key': 'tier-gold' });
    assert.deepEqual([replayed.headers.get('idempotent-replayed'), replayed.body], ['true', made.body]);
    const namesake = await api('POST', '/partner-tiers', { name: 'GOLD' });
    assert.equal(namesake.status, 409);
    assert.match(namesake.body.error, new RegExp(`already a partner tier named "GOLD" \\(tier ${made.body.id}\\)`));

    const joined = await api('PUT', `/partner-tiers/${made.body.id}/partners/${trailblazer}`);
    assert.deepEqual([joined.status, joined.body.partnerIds], [200, [trailblazer]]);
    assert.deepEqual((await api('PUT', `/partner-tiers/${made.body.id}/partners/${trailblazer}`)).body.partnerIds, [trailblazer], 'safe to retry');
    const silver = (await api('POST', '/partner-tiers', { name: 'Silver' })).body;
    await api('PUT', `/partner-tiers/${silver.id}/partners/${trailblazer}`);
    assert.deepEqual((await api('GET', `/partner-tiers/${made.body.id}`)).body.partnerIds, [], 'a partner is in one tier at most');
    assert.deepEqual((await api('DELETE', `/partner-tiers/${made.body.id}/partners/${trailblazer}`)).body.partnerIds, [], 'leaving a tier it is not in changes nothing');
    assert.deepEqual((await api('GET', `/partner-tiers/${silver.id}`)).body.partnerIds, [trailblazer]);
    assert.deepEqual((await api('DELETE', `/partner-tiers/${silver.id}/partners/${trailblazer}`)).body.partnerIds, []);

    const renamed = await api('PATCH', `/partner-tiers/${silver.id}`, { name: 'Platinum' });
    assert.deepEqual([renamed.status, renamed.body.name], [200, 'Platinum']);
    assert.deepEqual(
      (await api('GET', '/partner-tiers', undefined, server.keys.acme)).body.map((tier: { name: string; partnerIds?: number[] }) => [tier.name, tier.partnerIds]),
      [['Gold', undefined], ['Platinum', undefined]],
      'an advertiser reads the names, not who is in them',
    );
    assert.equal((await api('POST', '/partner-tiers', { name: 'Acme picks' }, server.keys.acme)).status, 403);
    assert.equal((await api('GET', '/partner-tiers', undefined, server.keys.trailblazer)).status, 403);
    assert.equal((await api('PUT', `/partner-tiers/${made.body.id}/partners/999999`)).status, 404);
    assert.equal((await api('PUT', `/partner-tiers/999999/partners/${trailblazer}`)).status, 404);
    assert.equal((await api('POST', '/partner-tiers', { name: 'Bronze', colour: 'brown' })).status, 400);
  });

  test("a tier's payout prices its partners' conversions where they have none of their own, and a correction keeps to it", async () => {
    const offer = await cpaOffer(server, 'Tiered offer');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Upsell', payoutType: 'cpa_flat', payout: 4, revenueType: 'cpa_flat', revenue: 6 })).body;
    const tier = (await api('POST', '/partner-tiers', { name: 'Top publishers' })).body;
    await api('PUT', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
    await api('PUT', `/partner-tiers/${tier.id}/partners/${couponCrate}`);
    const tierPayout = await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, payoutType: 'cpa_percentage', percentPayout: 10 }, server.keys.acme);
    assert.equal(tierPayout.status, 200, tierPayout.text);
    assert.deepEqual([tierPayout.body.tierId, tierPayout.body.partnerId, tierPayout.body.percentPayout], [tier.id, null, 10]);
    const inGoalsType = await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, goalId: goal.id, payout: '4.50' });
    assert.equal(inGoalsType.body.payoutType, 'cpa_flat', "without a payout type, the goal's own");
    await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: couponCrate, payoutType: 'cpa_flat', payout: '1.25' });

    assert.deepEqual(await convert(offer, trailblazer).then(({ payout, rule }) => [payout, rule]), [5_000_000n, 'partner tier']);
    assert.deepEqual(await convert(offer, trailblazer, `&goal_id=${goal.id}`).then(({ payout, rule }) => [payout, rule]), [4_500_000n, 'partner tier']);
    assert.deepEqual(await convert(offer, couponCrate).then(({ payout, rule }) => [payout, rule]), [1_250_000n, 'partner override'], "a partner's own ranks first");
    assert.deepEqual(await convert(offer, couponCrate, `&goal_id=${goal.id}`).then(({ payout, rule }) => [payout, rule]), [4_500_000n, 'partner tier']);
    assert.deepEqual(await convert(offer, socialSpark).then(({ payout, rule }) => [payout, rule]), [1_000_000n, 'offer'], 'outside the tier');

    const sale = await convert(offer, trailblazer);
    const adjusted = await api('POST', `/conversions/${sale.id}/adjust`, { saleAmount: 80, reason: 'bigger basket' }, server.keys.acme);
    assert.equal(adjusted.status, 200, adjusted.text);
    assert.deepEqual([adjusted.body.conversion.payout, adjusted.body.conversion.payoutRule], ['8.000000', 'partner tier']);

    await api('DELETE', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
    assert.deepEqual(await convert(offer, trailblazer).then(({ payout, rule }) => [payout, rule]), [1_000_000n, 'offer'], 'out of the tier, the offer pays');
    const listed = (await api('GET', `/offers/${offer}/partner-payouts`)).body as Array<{ partnerId: number | null; tierId: number | null }>;
    assert.deepEqual(listed.map(({ partnerId, tierId }) => [partnerId, tierId]), [[null, tier.id], [null, tier.id], [couponCrate, null]]);
  });

  test('a custom payout names one partner or one tier, and a tier with partners is not removed', async () => {
    const offer = await cpaOffer(server, 'Refusals offer');
    const tier = (await api('POST', '/partner-tiers', { name: 'Doomed' })).body;
    const refusals: Array<[object, RegExp]> = [
      [{ partnerId: trailblazer, tierId: tier.id, payoutType: 'cpa_flat', payout: 1 }, /^partnerId: name one partner, or one tier by tierId/],
      [{ payoutType: 'cpa_flat', payout: 1 }, /^partnerId: name one partner, or one tier by tierId/],
      [{ tierId: 999999, payoutType: 'cpa_flat', payout: 1 }, /^tierId: unknown partner tier 999999/],
    ];
    for (const [body, error] of refusals) {
      const reply = await api('PUT', `/offers/${offer}/partner-payouts`, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, error);
    }
    await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, payoutType: 'cpa_flat', payout: 3 });
    await api('PUT', `/partner-tiers/${tier.id}/partners/${socialSpark}`);
    const refused = await api('DELETE', `/partner-tiers/${tier.id}`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, new RegExp(`still has partners \\(${socialSpark}\\)`));
    assert.deepEqual(await convert(offer, socialSpark).then(({ payout }) => payout), 3_000_000n, 'nothing changed');

    await api('DELETE', `/partner-tiers/${tier.id}/partners/${socialSpark}`);
    assert.equal((await api('DELETE', `/partner-tiers/${tier.id}`)).status, 200);
    assert.deepEqual((await api('GET', `/offers/${offer}/partner-payouts`)).body, [], "the tier's payouts went with it");
    assert.equal((await api('GET', `/partner-tiers/${tier.id}`)).status, 404);
  });

  test("a tier's CPC payout prices its partners' clicks from the next click on", async () => {
    const [springGear] = server.demo.offerIds as [number];
    const tier = (await api('POST', '/partner-tiers', { name: 'Clickers' })).body;
    await api('PUT', `/offers/${springGear}/partner-payouts`, { tierId: tier.id, payoutType: 'cpc', payout: '0.50' });
    const lastClickPayout = async () => {
      await server.platform.tracker.writer.flush();
      const [row] = await server.store.query<{ payout: bigint }>(
        `SELECT payout_micros AS payout FROM clicks WHERE partner_id = $1 AND offer_id = $2 AND outcome = 'counted' ORDER BY created_at DESC LIMIT 1`,
        [trailblazer, springGear],
      );
      return row!.payout;
    };
    await clickFor(springGear, trailblazer);
    // The demo bids 1.2 times on this partner's traffic: its 0.30 a click becomes 0.36, the tier's 0.50 becomes 0.60.
    assert.equal(await lastClickPayout(), 360_000n);
    await api('PUT', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
    await clickFor(springGear, trailblazer);
    assert.equal(await lastClickPayout(), 600_000n);
    await api('DELETE', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
  });

  test('through HasOffers: affiliate_tier_id places an affiliate, which then sees its own payout and none of the revenue', async () => {
    const network = await hasOffersNetwork('HasOffers tiers');
    const offer = await cpaOffer(server, 'HasOffers tier offer');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Signup', payoutType: 'cpa_flat', payout: 2, revenueType: 'cpa_flat', revenue: 3 })).body;
    const tier = (await api('POST', '/partner-tiers', { name: 'HasOffers tier' })).body;
    await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, payoutType: 'cpa_flat', payout: '1.75' });
    await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, goalId: goal.id, payoutType: 'cpa_flat', payout: '2.40' });

    const placed = await network(`Target=Affiliate&Method=update&id=${couponCrate}&data[affiliate_tier_id]=${tier.id}`);
    assert.equal(placed.data.Affiliate.affiliate_tier_id, String(tier.id));
    assert.match((await network(`Target=Affiliate&Method=update&id=${couponCrate}&data[affiliate_tier_id]=999999`)).errorMessage, /partner tier 999999 was not found/);
    assert.equal((await network(`Target=Offer&Method=findById&id=${offer}&fields[]=use_payout_groups`)).data.Offer.use_payout_groups, '1');

    const seen = await hasOffers(`api_key=${server.keys.couponCrate}&Target=Affiliate_Offer&Method=findById&id=${offer}&contain[]=Goal`);
    assert.deepEqual([seen.data.Offer.default_payout, seen.data.Offer.payout_type], ['1.75000', 'cpa_flat']);
    const [signup] = Object.values(seen.data.Goal) as Array<Record<string, unknown>>;
    assert.equal(signup!.default_payout, '2.40000');
    assert.deepEqual([signup!.max_payout, signup!.revenue_type, signup!.advertiser_id], [undefined, undefined, undefined], 'no revenue, no advertiser');
    const outside = await hasOffers(`api_key=${server.keys.socialSpark}&Target=Affiliate_Offer&Method=findById&id=${offer}`);
    assert.equal(outside.data.Offer.default_payout, '1.00000');

    await network(`Target=Affiliate&Method=update&id=${couponCrate}&data[affiliate_tier_id]=0`);
    assert.deepEqual((await api('GET', `/partner-tiers/${tier.id}`)).body.partnerIds, []);
  });

  test('through HasOffers: Offer::setPayout and setTierPayout keep the offer\'s payout type; removePayout and removeTierPayout undo them', async () => {
    const network = await hasOffersNetwork('HasOffers custom payouts');
    const offer = await cpaOffer(server, 'HasOffers custom payouts');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Demo booked', payoutType: 'cpa_percentage', percentPayout: 5, revenueType: 'cpa_flat', revenue: 3 })).body;
    const tier = (await api('POST', '/partner-tiers', { name: 'HasOffers payouts tier' })).body;
    await api('PUT', `/partner-tiers/${tier.id}/partners/${couponCrate}`);

    assert.equal((await network(`Target=Offer&Method=setPayout&id=${offer}&affiliate_id=${trailblazer}&payout=1.60`)).data, true);
    assert.equal((await network(`Target=Offer&Method=setTierPayout&id=${offer}&affiliate_tier_id=${tier.id}&goal_id=${goal.id}&percent_payout=7.5`)).data, true);
    const listed = (await api('GET', `/offers/${offer}/partner-payouts`)).body as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map(({ partnerId, tierId, goalId, payoutType, payout, percentPayout }) => [partnerId, tierId, goalId, payoutType, payout, percentPayout]),
      [[trailblazer, null, null, 'cpa_flat', '1.600000', 0], [null, tier.id, goal.id, 'cpa_percentage', '0.000000', 7.5]],
    );
    assert.deepEqual(await convert(offer, trailblazer).then(({ payout, rule }) => [payout, rule]), [1_600_000n, 'partner override']);
    assert.deepEqual(await convert(offer, couponCrate, `&goal_id=${goal.id}`).then(({ payout, rule }) => [payout, rule]), [3_750_000n, 'partner tier'], '7.5 % of 50.00');

    assert.equal((await network(`Target=Offer&Method=removePayout&id=${offer}&affiliate_id=${trailblazer}`)).data, true);
    assert.equal((await network(`Target=Offer&Method=removePayout&id=${offer}&affiliate_id=${trailblazer}`)).data, true, 'safe to send again');
    assert.equal((await network(`Target=Offer&Method=removeTierPayout&id=${offer}&affiliate_tier_id=${tier.id}&goal_id=${goal.id}`)).data, true);
    assert.deepEqual((await api('GET', `/offers/${offer}/partner-payouts`)).body, []);
    assert.deepEqual(await convert(offer, trailblazer).then(({ payout, rule }) => [payout, rule]), [1_000_000n, 'offer']);

    // A refusal names the attribute and why, as HasOffers' validation errors do.
    const refusal = async (query: string) => JSON.stringify((await network(query)).errors);
    assert.match(await refusal(`Target=Offer&Method=setPayout&id=${offer}&affiliate_id=${trailblazer}&payout=-1`), /"attribute_name":"payout"/);
    assert.match(await refusal(`Target=Offer&Method=setTierPayout&id=${offer}&affiliate_tier_id=999999&payout=1`), /unknown partner tier 999999.*"affiliate_tier_id"/);
    assert.match(await refusal(`Target=Offer&Method=setPayout&id=${offer}&affiliate_id=${trailblazer}&goal_id=999999&payout=1`), /has no goal 999999.*"goal_id"/);
    await api('DELETE', `/partner-tiers/${tier.id}/partners/${couponCrate}`);
  });
});
