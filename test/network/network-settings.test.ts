import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpaOffer, IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe("the network's settings: GET and PATCH /api/v1/network", () => {
  let server: TestServer;
  const settings = (key: string) => server.request('GET', '/api/v1/network', { key });
  const change = (body: unknown, key = server.keys.admin) => server.request('PATCH', '/api/v1/network', { key, body });
  /** Where a click on an offer that does not exist is sent. */
  const refusedClickGoesTo = async () =>
    (await server.request('GET', '/aff_c?offer_id=999999&aff_id=1', { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } })).headers.get('location');

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
  });
  after(() => server.close());

  test('every account reads the name, time zone and currency; only the network sees how it runs', async () => {
    const partner = await settings(server.keys.trailblazer);
    assert.equal(partner.status, 200);
    assert.deepEqual(partner.body, { name: 'Partnerline Demo Network', timeZone: 'America/New_York', currency: 'USD' });
    const admin = await settings(server.keys.admin);
    assert.deepEqual(admin.body, { ...partner.body, fallbackUrl: 'https://partnerline.example/offer-unavailable', cpcPartnerSharePercent: 70, maintenance: false, blockedIps: [], blockedReferrers: [], clickLimitPerIpPerHour: 0, minSecondsToConversion: 0, reviewBotConversions: true });
  });

  test('a change takes effect on the click path and in new campaigns before it is answered, and may be sent again', async () => {
    assert.equal(await refusedClickGoesTo(), 'https://partnerline.example/offer-unavailable');
    const body = { fallbackUrl: 'https://network.example/sorry', cpcPartnerSharePercent: '72.5' };
    const changed = await change(body);
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.fallbackUrl, changed.body.cpcPartnerSharePercent, changed.body.timeZone], ['https://network.example/sorry', 72.5, 'America/New_York']);
    assert.equal(await refusedClickGoesTo(), 'https://network.example/sorry');

    // A campaign bought per click pays its partner the network's share of the bid.
    const campaign = await server.request('POST', '/affiliate/v2/campaigns', {
      key: server.keys.acme,
      body: { name: 'Shared bid', start: '2026-01-01', dailyBudget: 10, cpc: 0.4, trackingUrl: 'https://acme-outdoor.example/s', geoTargeting: [], strategyId: 3, advertiserId: server.demo.advertiserIds[0] },
    });
    assert.equal(campaign.status, 200, campaign.text);
    const [offer] = await server.store.query<{ payout: bigint }>('SELECT payout_flat_micros AS payout FROM offers WHERE id = $1', [campaign.body.id]);
    assert.equal(offer!.payout, 290_000n);

    const again = await change(body);
    assert.deepEqual(again.body, changed.body);
    const cleared = await change({ fallbackUrl: null });
    assert.equal(cleared.body.fallbackUrl, null);
    assert.equal(await refusedClickGoesTo(), 'about:blank', 'with no fallback anywhere, nowhere');
  });

  test('a conversion on a bot\'s click waits for review with its reason, until the network turns that off', async () => {
    const offerId = await cpaOffer(server, 'Bot review');
    await server.platform.tracker.reloadIfChanged();
    const botClick = async () => {
      const click = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${server.demo.partnerIds[0]}`, {
        headers: { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': IPS.US },
      });
      assert.equal(click.headers.get('x-partnerline-click'), 'bot');
      return new URL(click.headers.get('location')!).searchParams.get('tid')!;
    };
    const convert = async (transactionId: string) => {
      const id = (await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=10`)).headers.get('x-partnerline-conversion-id')!;
      return (await server.request('GET', `/api/v1/conversions/${id}`, { key: server.keys.acme })).body.conversion;
    };
    const held = await convert(await botClick());
    assert.deepEqual([held.status, held.statusCode], ['rejected', 89]);
    assert.match(held.reason, /judged a bot/);
    assert.equal((await change({ reviewBotConversions: false })).body.reviewBotConversions, false);
    assert.equal((await convert(await botClick())).status, 'approved');
    await change({ reviewBotConversions: true });
  });

  test('a time zone is stored by its canonical name, and the partners read it too', async () => {
    const changed = await change({ timeZone: 'asia/tokyo' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.timeZone, 'Asia/Tokyo');
    assert.equal((await settings(server.keys.couponCrate)).body.timeZone, 'Asia/Tokyo');
    const report = await server.request('GET', '/api/v1/reports/stats?dimensions=date&metrics=clicks&from=2026-01-01&to=2026-01-02', { key: server.keys.admin });
    assert.equal(report.body.timeZone, 'Asia/Tokyo');
    await change({ timeZone: 'America/New_York' });
  });

  test('only the network changes its settings, and a change with one bad setting changes nothing', async () => {
    const before = (await settings(server.keys.admin)).body;
    const forbidden = await change({ name: 'Mine now' }, server.keys.acme);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.error, /Only network administrators/);
    for (const [body, error] of [
      [{}, /^body: must NOT have fewer than 1 properties$/],
      [{ timezone: 'UTC' }, /^timezone: is not a field here; the fields are name, timeZone, currency, fallbackUrl, cpcPartnerSharePercent, blockedIps, blockedReferrers, clickLimitPerIpPerHour, minSecondsToConversion, reviewBotConversions$/],
      [{ name: 'Renamed', timeZone: 'Mars/Olympus' }, /^timeZone: must be an IANA time zone/],
      [{ currency: 'ABC' }, /^currency: must be an ISO 4217 currency code$/],
      [{ fallbackUrl: 'javascript:alert(1)' }, /^fallbackUrl: must be an absolute http\(s\) URL/],
      [{ cpcPartnerSharePercent: 100.5 }, /^cpcPartnerSharePercent: must be a percentage from 0 to 100/],
      [{ cpcPartnerSharePercent: '12.34567' }, /^cpcPartnerSharePercent: must be a percentage from 0 to 100 with at most 4 decimals$/],
      [{ name: 'Bad\u0000name' }, /NUL/],
      [{ blockedIps: ['203.0.113.0/24', '10'] }, /^blockedIps\[1\]: must be an IP address or a CIDR range/],
      [{ blockedReferrers: ['spam.example', 'https://evil.example/'] }, /^blockedReferrers\[1\]: must be a host name such as spam.example$/],
      [{ clickLimitPerIpPerHour: -1 }, /^clickLimitPerIpPerHour: must be >= 0$/],
      [{ clickLimitPerIpPerHour: 2.5 }, /^clickLimitPerIpPerHour: must be integer$/],
      [{ minSecondsToConversion: 86_401 }, /^minSecondsToConversion: must be <= 86400$/],
      [{ reviewBotConversions: 'yes' }, /^reviewBotConversions: must be boolean$/],
    ] as const) {
      const refused = await change(body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(refused.body.error, error, JSON.stringify(body));
    }
    assert.deepEqual((await settings(server.keys.admin)).body, before);
  });
});
