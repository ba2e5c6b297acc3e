import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { createOffer } from '../../src/offers/offers.ts';
import { localDay } from '../../src/shared/time-zones.ts';
import { countedClick, cpaOffer, startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

describe('reports never add amounts in different currencies', () => {
  let server: TestServer;
  let api: ReturnType<typeof v1Api>;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    api = v1Api(server);
    const partner = server.demo.partnerIds[0]!;
    const dollars = await cpaOffer(server, 'Dollar offer');
    const euros = (
      await createOffer(server.store, OPERATOR, {
        advertiserId: server.demo.advertiserIds[0]!,
        name: 'Euro offer',
        currency: 'EUR',
        destinationUrl: 'https://acme-outdoor.example/eu?tid={transaction_id}',
        payoutType: 'cpa_flat',
        payoutFlatMicros: 100_000_000n,
        revenueType: 'cpa_flat',
        revenueFlatMicros: 120_000_000n,
      })
    ).id;
    await server.platform.tracker.reloadIfChanged();
    for (const offerId of [dollars, euros]) {
      await server.request('GET', `/aff_lsr?transaction_id=${await countedClick(server, offerId, partner)}&amount=10`);
    }
  });
  after(() => server.close());

  // The demo network's day, which its reports count by: UTC's date differs for a few hours each night.
  const today = localDay(new Date(), 'America/New_York');
  const range = `from=${today}&to=${today}`;

  test('v1: each row and each total is in one currency; counts still add up', async () => {
    const report = await api('GET', `/reports/stats?metrics=conversions,payout&${range}&totals=true&filter=offer_name:like:%25offer`);
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.body.rows, [
      { currency: 'EUR', conversions: 1, payout: '100.000000' },
      { currency: 'USD', conversions: 1, payout: '1.000000' },
    ]);
    assert.deepEqual(report.body.totals, { conversions: 2, payout: null });
    assert.deepEqual(report.body.totalsByCurrency, [
      { currency: 'EUR', conversions: 1, payout: '100.000000' },
      { currency: 'USD', conversions: 1, payout: '1.000000' },
    ]);
    const counts = await api('GET', `/reports/stats?dimensions=date&metrics=conversions&${range}&totals=true&filter=offer_name:like:%25offer`);
    assert.deepEqual([counts.body.rows, counts.body.totals], [[{ date: today, conversions: 2 }], { conversions: 2 }], 'counts are not split');
  });

  test('HasOffers: rows name their currency, and the totals keep currencies apart', async () => {
    const network = (await api('POST', '/keys', { name: 'HasOffers currencies' })).body.key as string;
    const reply = await server.request(
      'GET',
      `/Apiv3/json?NetworkToken=${network}&Target=Report&Method=getStats&fields[]=Stat.conversions&fields[]=Stat.payout&totals=1` +
        `&filters[Stat.date][conditional]=EQUAL_TO&filters[Stat.date][values]=${today}&filters[Offer.name][conditional]=LIKE&filters[Offer.name][values]=%25offer`,
    );
    assert.equal(reply.body.response.status, 1, reply.text);
    const { data, totals, totals_by_currency: byCurrency } = reply.body.response.data;
    assert.deepEqual(
      data.map((row: { Stat: Record<string, string> }) => [row.Stat.currency, row.Stat.payout]),
      [
        ['EUR', '100.00000'],
        ['USD', '1.00000'],
      ],
    );
    assert.deepEqual(totals.Stat, { conversions: '2', payout: null });
    assert.deepEqual(byCurrency.map((row: { Stat: Record<string, string> }) => [row.Stat.currency, row.Stat.payout]), [
      ['EUR', '100.00000'],
      ['USD', '1.00000'],
    ]);
  });
});
