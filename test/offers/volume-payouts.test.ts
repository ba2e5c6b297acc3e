import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpaOffer, postbackConversion, termsTestServer, v1Api, type TestServer } from '../support/test-server.ts';

describe("volume payouts: an offer's payout that rises with each partner's conversions in a period", () => {
  let server: TestServer, api: ReturnType<typeof v1Api>, trailblazer: number, couponCrate: number, socialSpark: number;

  const convert = (offerId: number, partnerId: number, extra = '') => postbackConversion(server, offerId, partnerId, extra);
  const priced = ({ payout, rule }: { payout: bigint; rule: string }) => [payout, rule];
  /** From the third conversion of the month 1.50; from the fifth, 1.00 and 5 % of the sale. The offer's own is 1.00. */
  const steps = [
    { fromConversion: 5, payoutType: 'cpa_both', payout: 1, percentPayout: 5 },
    { fromConversion: 3, payout: '1.50' },
  ];

  before(async () => ({ server, api, trailblazer, couponCrate, socialSpark } = await termsTestServer()));
  after(() => server.close());

  test("each partner's conversions climb the steps in order, a retry counts once, and a correction keeps to its step", async () => {
    const offer = await cpaOffer(server, 'Volume offer');
    const set = await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'month', steps }, server.keys.acme);
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, {
      offerId: offer,
      goalId: null,
      period: 'month',
      steps: [
        { fromConversion: 3, payoutType: 'cpa_flat', payout: '1.500000', percentPayout: 0 },
        { fromConversion: 5, payoutType: 'cpa_both', payout: '1.000000', percentPayout: 5 },
      ],
    });
    assert.deepEqual((await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'month', steps }, server.keys.acme)).body, set.body, 'safe to retry');

    const made = [];
    for (let n = 0; n < 6; n += 1) made.push(await convert(offer, trailblazer));
    assert.deepEqual(made.map(priced), [
      [1_000_000n, 'offer'],
      [1_000_000n, 'offer'],
      [1_500_000n, 'volume step'],
      [1_500_000n, 'volume step'],
      [3_500_000n, 'volume step'],
      [3_500_000n, 'volume step'],
    ]);
    assert.deepEqual(priced(await convert(offer, couponCrate)), [1_000_000n, 'offer'], "another partner's volume is its own");

    const retried = await server.request('GET', `/aff_lsr?transaction_id=${made[0]!.transactionId}&amount=50`);
    assert.equal(retried.headers.get('x-partnerline-conversion-id'), made[0]!.id, 'a retry answers the conversion made');
    assert.deepEqual(priced(await convert(offer, trailblazer)), [3_500_000n, 'volume step']);

    const adjusted = await api('POST', `/conversions/${made[4]!.id}/adjust`, { saleAmount: 100, reason: 'bigger basket' }, server.keys.acme);
    assert.equal(adjusted.status, 200, adjusted.text);
    assert.deepEqual([adjusted.body.conversion.payout, adjusted.body.conversion.payoutRule], ['6.000000', 'volume step'], 'the fifth: 1.00 + 5 % of 100.00');
    const first = await api('POST', `/conversions/${made[0]!.id}/adjust`, { saleAmount: 80, reason: 'bigger basket' }, server.keys.acme);
    assert.deepEqual([first.body.conversion.payout, first.body.conversion.payoutRule], ['1.000000', 'offer'], 'the first stays below the steps');

    const rates = async (id: string, key = server.keys.admin) => {
      const { payoutFlat, payoutPercent, revenueFlat, revenuePercent } = (await api('GET', `/conversions/${id}`, undefined, key)).body.conversion;
      return [payoutFlat, payoutPercent, revenueFlat, revenuePercent];
    };
    assert.deepEqual(await rates(made[4]!.id), ['1.000000', 5, '2.000000', 0], 'the rates each side was priced at');
    assert.deepEqual(await rates(made[2]!.id, server.keys.trailblazer), ['1.500000', 0, undefined, undefined], 'a partner sees its own rate, not the revenue');
    const network = (await api('POST', '/keys', { name: 'HasOffers amounts by hand' })).body.key as string;
    const byHand = await server.request('GET', `/Apiv3/json?NetworkToken=${network}&Target=Conversion&Method=update&id=${made[2]!.id}&data[payout]=9`);
    assert.equal(byHand.body.response.status, 1, byHand.text);
    assert.deepEqual(await rates(made[2]!.id), [null, null, '2.000000', 0], 'a payout set by hand keeps no rate');
  });

  test('conversions that arrive together are counted one after another: every place on the steps is paid once', async () => {
    const offer = await cpaOffer(server, 'Volume offer, all at once');
    await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'day', steps });
    const made = await Promise.all(Array.from({ length: 8 }, () => convert(offer, socialSpark)));
    assert.deepEqual(
      made.map(({ payout }) => payout).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      [1_000_000n, 1_000_000n, 1_500_000n, 1_500_000n, 3_500_000n, 3_500_000n, 3_500_000n, 3_500_000n],
    );
  });

  test("a partner's own payout ranks above volume; a goal's steps count the goal's conversions; no steps remove them", async () => {
    const offer = await cpaOffer(server, 'Volume offer with a goal');
    const goal = (await api('POST', `/offers/${offer}/goals`, { name: 'Upsell', payoutType: 'cpa_flat', payout: 4, revenueType: 'cpa_flat', revenue: 6 })).body;
    await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'lifetime', steps: [{ fromConversion: 2, payout: 2 }] });
    await api('PUT', `/offers/${offer}/volume-payouts`, { goalId: goal.id, period: 'week', steps: [{ fromConversion: 2, payout: 5 }] });
    assert.deepEqual(
      (await api('GET', `/offers/${offer}/volume-payouts`, undefined, server.keys.acme)).body.map((schedule: { goalId: number | null; period: string }) => [schedule.goalId, schedule.period]),
      [[null, 'lifetime'], [goal.id, 'week']],
    );

    assert.deepEqual(priced(await convert(offer, trailblazer, `&goal_id=${goal.id}`)), [4_000_000n, 'goal']);
    assert.deepEqual(priced(await convert(offer, trailblazer, `&goal_id=${goal.id}`)), [5_000_000n, 'volume step']);
    assert.deepEqual(priced(await convert(offer, trailblazer)), [2_000_000n, 'volume step'], "the offer's steps count every conversion of the partner on it");

    await api('PUT', `/offers/${offer}/partner-payouts`, { partnerId: trailblazer, payout: '1.25' });
    assert.deepEqual(priced(await convert(offer, trailblazer)), [1_250_000n, 'partner override']);

    const network = (await api('POST', '/keys', { name: 'HasOffers volume' })).body.key as string;
    const shown = (await server.request('GET', `/Apiv3/json?NetworkToken=${network}&Target=Offer&Method=findById&id=${offer}&fields[]=tiered_payout`)).body.response;
    assert.equal(shown.data.Offer.tiered_payout, '1');

    assert.deepEqual((await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'lifetime', steps: [] })).body.steps, []);
    await api('DELETE', `/offers/${offer}/partner-payouts/${(await api('GET', `/offers/${offer}/partner-payouts`)).body[0].id}`);
    assert.deepEqual(priced(await convert(offer, trailblazer)), [1_000_000n, 'offer']);
  });

  test('bad steps are refused, and partners may not see or set them', async () => {
    const offer = await cpaOffer(server, 'Volume refusals');
    const [springGear] = server.demo.offerIds as [number];
    const refusals: Array<[number, object, RegExp]> = [
      [offer, { period: 'month', steps: [{ fromConversion: 1, payout: 2 }] }, /^body\/steps\/0\/fromConversion must be >= 2|^steps\[0\]\.fromConversion/],
      [offer, { period: 'month', steps: [{ fromConversion: 3, payout: 2 }, { fromConversion: 3, payout: 4 }] }, /^steps\[1\]\.fromConversion: 3 is the start of another step/],
      [offer, { period: 'month', steps: [{ fromConversion: 3, payoutType: 'cpa_percentage', percentPayout: 120 }] }, /^steps\[0\]\.percentPayout: /],
      [offer, { period: 'month', steps: [{ fromConversion: 3, payout: -2 }] }, /^steps\[0\]\.payout: /],
      [offer, { period: 'year', steps: [] }, /period/],
      [springGear, { period: 'month', steps: [{ fromConversion: 3, payout: 2 }] }, /^steps\[0\]\.payoutType: is needed: the offer pays cpc/],
    ];
    for (const [offerId, body, error] of refusals) {
      const reply = await api('PUT', `/offers/${offerId}/volume-payouts`, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.error, error);
    }
    assert.deepEqual((await api('GET', `/offers/${offer}/volume-payouts`)).body, [], 'nothing was stored');
    assert.equal((await api('GET', `/offers/${offer}/volume-payouts`, undefined, server.keys.trailblazer)).status, 403);
    assert.equal((await api('PUT', `/offers/${offer}/volume-payouts`, { period: 'month', steps }, server.keys.trailblazer)).status, 403);
  });
});
