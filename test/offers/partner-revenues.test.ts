import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countedClick, cpaOffer, postbackConversion, termsTestServer, statsTotals, v1Api, type TestServer } from '../support/test-server.ts';

describe("partners' own revenue: what the advertiser pays for one partner's or one tier's traffic", () => {
  let server: TestServer, api: ReturnType<typeof v1Api>, trailblazer: number, couponCrate: number, socialSpark: number;

  const convert = (offerId: number, partnerId: number, extra = '') => postbackConversion(server, offerId, partnerId, extra);
  const amounts = ({ payout, revenue, rule }: { payout: bigint; revenue: bigint; rule: string }) => [payout, revenue, rule];

  before(async () => ({ server, api, trailblazer, couponCrate, socialSpark } = await termsTestServer()));
  after(() => server.close());

  test("a partner's own revenue, else its tier's, prices what its conversions cost; payouts, corrections and the statistics follow", async () => {
    const offer = await cpaOffer(server, 'Premium traffic offer');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Upsell', payoutType: 'cpa_flat', payout: 4, revenueType: 'cpa_flat', revenue: 6 })).body;
    const tier = (await api('POST', '/partner-tiers', { name: 'Premium sources' })).body;
    await api('PUT', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
    await api('PUT', `/partner-tiers/${tier.id}/partners/${couponCrate}`);

    const own = await api('PUT', `/offers/${offer}/partner-revenues`, { partnerId: couponCrate, revenue: '2.75' });
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(
      { ...own.body, id: undefined, createdAt: undefined },
      { id: undefined, offerId: offer, partnerId: couponCrate, tierId: null, goalId: null, revenueType: 'cpa_flat', revenue: '2.750000', percentRevenue: 0, createdAt: undefined },
      "without a revenue type, the offer's own",
    );
    await api('PUT', `/offers/${offer}/partner-revenues`, { tierId: tier.id, revenueType: 'cpa_both', revenue: 1, percentRevenue: 4 });
    await api('PUT', `/offers/${offer}/partner-revenues`, { tierId: tier.id, goalId: goal.id, revenue: '7.10' });

    const tiered = await convert(offer, trailblazer);
    assert.deepEqual(amounts(tiered), [1_000_000n, 3_000_000n, 'offer'], "the tier's: 1.00 + 4 % of 50.00; the payout stays the offer's");
    const { revenueFlat, revenuePercent, payoutFlat } = (await api('GET', `/conversions/${tiered.id}`)).body.conversion;
    assert.deepEqual([revenueFlat, revenuePercent, payoutFlat], ['1.000000', 4, '1.000000'], 'the conversion keeps the rates it was priced at');
    assert.deepEqual(amounts(await convert(offer, couponCrate)), [1_000_000n, 2_750_000n, 'offer'], "a partner's own ranks first");
    assert.deepEqual(amounts(await convert(offer, couponCrate, `&goal_id=${goal.id}`)), [4_000_000n, 7_100_000n, 'goal'], "the tier's for the goal");
    assert.deepEqual(amounts(await convert(offer, socialSpark)), [1_000_000n, 2_000_000n, 'offer'], 'outside the tier');

    await api('PUT', `/offers/${offer}/partner-payouts`, { tierId: tier.id, payout: '1.50' });
    const sale = await convert(offer, trailblazer);
    assert.deepEqual(amounts(sale), [1_500_000n, 3_000_000n, 'partner tier'], 'custom terms on both sides at once');
    const adjusted = await api('POST', `/conversions/${sale.id}/adjust`, { saleAmount: 100, reason: 'bigger basket' }, server.keys.acme);
    assert.equal(adjusted.status, 200, adjusted.text);
    assert.deepEqual([adjusted.body.conversion.payout, adjusted.body.conversion.revenue], ['1.500000', '5.000000'], "priced again by the tier's terms: 1.00 + 4 % of 100.00");

    assert.equal((await statsTotals(server.store, offer)).approved_revenue_micros, 3_000_000n + 2_750_000n + 7_100_000n + 2_000_000n + 5_000_000n, 'the statistics hold what each conversion was priced at');

    const listed = (await api('GET', `/offers/${offer}/partner-revenues`, undefined, server.keys.acme)).body as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map(({ partnerId, tierId, goalId, revenueType, revenue, percentRevenue }) => [partnerId, tierId, goalId, revenueType, revenue, percentRevenue]),
      [[couponCrate, null, null, 'cpa_flat', '2.750000', 0], [null, tier.id, null, 'cpa_both', '1.000000', 4], [null, tier.id, goal.id, 'cpa_flat', '7.100000', 0]],
    );
    assert.equal((await api('GET', `/offers/${offer}/partner-payouts`)).body.length, 1, 'payouts are listed apart');
    const removed = await api('DELETE', `/offers/${offer}/partner-revenues/${listed[0]!.id}`);
    assert.deepEqual([removed.status, removed.body.partnerId], [200, couponCrate]);
    assert.deepEqual(amounts(await convert(offer, couponCrate)), [1_500_000n, 3_000_000n, 'partner tier'], "without its own, the tier's");
    assert.equal((await api('DELETE', `/offers/${offer}/partner-revenues/${listed[0]!.id}`)).status, 404);
    await api('DELETE', `/partner-tiers/${tier.id}/partners/${trailblazer}`);
    await api('DELETE', `/partner-tiers/${tier.id}/partners/${couponCrate}`);
  });

  test('partners may not see or set revenue, and bad terms are refused', async () => {
    const offer = await cpaOffer(server, 'Guarded revenue offer');
    assert.equal((await api('GET', `/offers/${offer}/partner-revenues`, undefined, server.keys.trailblazer)).status, 403);
    assert.equal((await api('PUT', `/offers/${offer}/partner-revenues`, { partnerId: trailblazer, revenue: 9 }, server.keys.trailblazer)).status, 403);
    const refusals: Array<[object, RegExp]> = [
      [{ partnerId: trailblazer, revenue: -1 }, /^revenue: /],
      [{ partnerId: trailblazer, revenueType: 'cpa_percentage', percentRevenue: 120 }, /^percentRevenue: /],
      [{ revenue: 1 }, /^partnerId: name one partner, or one tier by tierId/],
      [{ partnerId: trailblazer, payout: 1 }, /payout/],
    ];
    for (const [body, error] of refusals) {
      const reply = await api('PUT', `/offers/${offer}/partner-revenues`, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, error);
    }
    assert.deepEqual((await api('GET', `/offers/${offer}/partner-revenues`)).body, [], 'nothing was stored');
  });

  test("a partner's CPC revenue is what its clicks cost from the next click on", async () => {
    const [springGear] = server.demo.offerIds as [number];
    const lastClickCost = async () => {
      await server.platform.tracker.writer.flush();
      const [row] = await server.store.query<{ cost: bigint }>(
        `SELECT cost_micros AS cost FROM clicks WHERE partner_id = $1 AND offer_id = $2 AND outcome = 'counted' ORDER BY created_at DESC LIMIT 1`,
        [trailblazer, springGear],
      );
      return row!.cost;
    };
    await countedClick(server, springGear, trailblazer);
    // The demo bids 1.2 times on this partner's traffic: the offer's 0.45 a click becomes 0.54, the partner's own 0.80 becomes 0.96.
    assert.equal(await lastClickCost(), 540_000n);
    const set = await api('PUT', `/offers/${springGear}/partner-revenues`, { partnerId: trailblazer, revenue: '0.80' });
    assert.deepEqual([set.status, set.body.revenueType], [200, 'cpc']);
    await server.platform.tracker.reloadIfChanged();
    await countedClick(server, springGear, trailblazer);
    assert.equal(await lastClickCost(), 960_000n);
    await api('DELETE', `/offers/${springGear}/partner-revenues/${set.body.id}`);
  });

  test('through HasOffers: Offer::setRevenue and setTierRevenue keep the pricing type; removeRevenue and removeTierRevenue undo them', async () => {
    const token = (await api('POST', '/keys', { name: 'HasOffers custom revenue' })).body.key as string;
    const network = async (query: string) => (await server.request('GET', `/Apiv3/json?NetworkId=partnerline&NetworkToken=${token}&${query}`)).body.response;
    const offer = await cpaOffer(server, 'HasOffers custom revenue');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Trial', payoutType: 'cpa_flat', payout: 1, revenueType: 'cpa_percentage', percentRevenue: 10 })).body;
    const tier = (await api('POST', '/partner-tiers', { name: 'HasOffers revenue tier' })).body;
    await api('PUT', `/partner-tiers/${tier.id}/partners/${couponCrate}`);

    assert.equal((await network(`Target=Offer&Method=setRevenue&id=${offer}&affiliate_id=${trailblazer}&revenue=3.20`)).data, true);
    assert.equal((await network(`Target=Offer&Method=setTierRevenue&id=${offer}&affiliate_tier_id=${tier.id}&goal_id=${goal.id}&percent_revenue=12.5`)).data, true);
    const shown = (await network(`Target=Offer&Method=findById&id=${offer}&fields[]=use_revenue_groups&contain[]=Goal`)).data;
    assert.deepEqual(
      [shown.Offer.use_revenue_groups, (Object.values(shown.Goal)[0] as Record<string, string>).use_revenue_groups],
      ['0', '1'],
      'a tier has revenue of its own on the goal, not on the offer',
    );
    assert.deepEqual(amounts(await convert(offer, trailblazer)), [1_000_000n, 3_200_000n, 'offer']);
    assert.deepEqual(amounts(await convert(offer, couponCrate, `&goal_id=${goal.id}`)), [1_000_000n, 6_250_000n, 'goal'], '12.5 % of 50.00');

    assert.equal((await network(`Target=Offer&Method=removeRevenue&id=${offer}&affiliate_id=${trailblazer}`)).data, true);
    assert.equal((await network(`Target=Offer&Method=removeRevenue&id=${offer}&affiliate_id=${trailblazer}`)).data, true, 'safe to send again');
    assert.equal((await network(`Target=Offer&Method=removeTierRevenue&id=${offer}&affiliate_tier_id=${tier.id}&goal_id=${goal.id}`)).data, true);
    assert.deepEqual((await api('GET', `/offers/${offer}/partner-revenues`)).body, []);
    assert.deepEqual(amounts(await convert(offer, trailblazer)), [1_000_000n, 2_000_000n, 'offer']);

    const refusal = async (query: string) => JSON.stringify((await network(query)).errors);
    assert.match(await refusal(`Target=Offer&Method=setRevenue&id=${offer}&affiliate_id=${trailblazer}&revenue=-1`), /"attribute_name":"revenue"/);
    assert.match(await refusal(`Target=Offer&Method=setTierRevenue&id=${offer}&affiliate_tier_id=${tier.id}&goal_id=${goal.id}&percent_revenue=101`), /"attribute_name":"percent_revenue"/);
    await api('DELETE', `/partner-tiers/${tier.id}/partners/${couponCrate}`);
  });
});
