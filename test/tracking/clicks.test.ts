import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setCap } from '../../src/offers/offer-terms.ts';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { localDay } from '../../src/shared/time-zones.ts';
import { redisReachable, REDIS_URL, stallingRedis } from '../support/redis.ts';
import { IPS, startTestServer, statsTotals, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('clicks: /aff_c, /aff_i and short links', () => {
  let server: TestServer;
  let springGear: number;
  let newsletter: number;
  let bestsellers: number;
  let bookClub: number;
  let mobileDeals: number;
  let trailblazer: number;
  let couponCrate: number;
  let socialSpark: number;

  const click = (query: string, { ua = USER_AGENTS.iphone, ip = IPS.US, cookie }: { ua?: string; ip?: string; cookie?: string } = {}) =>
    server.request('GET', `/aff_c?${query}`, { headers: { 'user-agent': ua, 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) } });
  const clickRow = async (transactionId: string) =>
    (await server.store.query<Record<string, unknown>>(`SELECT * FROM clicks WHERE transaction_id = $1`, [transactionId]))[0];
  /** The stored row of a click that was redirected and counted. */
  const countedClickRow = async (reply: Awaited<ReturnType<typeof click>>) => {
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    await server.platform.tracker.writer.flush();
    return clickRow(tid(reply.headers.get('location')!)!);
  };
  /** A CPC campaign of $0.25 a click and a $1 daily budget: four clicks a day. */
  const dollarBudgetCampaign = (name: string) =>
    server.request('POST', '/affiliate/v2/campaigns', {
      key: server.keys.acme,
      body: {
        name,
        start: '2026-01-01',
        dailyBudget: 1,
        cpc: 0.25,
        trackingUrl: 'https://acme-outdoor.example/budget?c={clickid}',
        geoTargeting: [],
        strategyId: 3,
        advertiserId: server.demo.advertiserIds[0],
      },
    });
  const tid = (location: string) => new URL(location).searchParams.get('clickid') ?? new URL(location).searchParams.get('tid');

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [springGear, newsletter, bestsellers, bookClub, mobileDeals] = server.demo.offerIds as [number, number, number, number, number];
    [trailblazer, couponCrate, socialSpark] = server.demo.partnerIds as [number, number, number];
  });
  after(() => server.close());

  test('a click is minted a transaction id and sent on with the macros filled in', async () => {
    const reply = await click(`offer_id=${springGear}&aff_id=${trailblazer}&aff_sub=spring%20post&source=blog`);
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    const location = new URL(reply.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://acme-outdoor.example/spring');
    const transactionId = location.searchParams.get('clickid')!;
    assert.match(transactionId, /^10[0-9a-f]{28}$/);
    assert.equal(location.searchParams.get('pid'), String(trailblazer));
    assert.equal(location.searchParams.get('sub'), 'spring post');
    assert.match(reply.headers.get('set-cookie') ?? '', new RegExp(`pl_s${springGear}=${transactionId}`));
    await server.platform.tracker.writer.flush();
    const row = await clickRow(transactionId);
    assert.equal(row!.outcome, 'counted');
    assert.equal(row!.country, 'US');
    assert.equal(row!.device, 'mobile');
    assert.equal(row!.aff_sub1, 'spring post');
    assert.equal(row!.sub_id, `${trailblazer}_blog`);
  });

  test('a CPC click costs the bid times the sub-ID\'s bid factor and enters the statistics', async () => {
    const before = await statsTotals(server.store, springGear);
    // The demo sets a factor of 1.2 on Trailblazer for Spring Gear (CPC 0.45, partner CPC 0.30).
    const reply = await click(`offer_id=${springGear}&aff_id=${trailblazer}`);
    await server.platform.tracker.writer.flush();
    const row = await clickRow(tid(reply.headers.get('location')!)!);
    assert.equal(row!.cost_micros, 540_000n);
    assert.equal(row!.payout_micros, 360_000n);
    const after = await statsTotals(server.store, springGear);
    assert.equal(after.gross_clicks! - before.gross_clicks!, 1n);
    assert.equal(after.click_cost_micros! - before.click_cost_micros!, 540_000n);
    assert.equal(after.click_payout_micros! - before.click_payout_micros!, 360_000n);
  });

  test('refused clicks go to a fallback, are recorded with their reason, and are not counted', async () => {
    const cases: Array<[string, { ua?: string; ip?: string }, string, string]> = [
      ['offer_id=99999&aff_id=1', {}, 'unknown_offer', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${newsletter}&aff_id=99999`, {}, 'unknown_partner', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${bestsellers}&aff_id=${couponCrate}`, {}, 'not_approved', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${bookClub}&aff_id=${couponCrate}`, {}, 'not_approved', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${newsletter}&aff_id=${socialSpark}`, {}, 'partner_blocked', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${springGear}&aff_id=${trailblazer}`, { ip: IPS.GB }, 'geo_not_targeted', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${mobileDeals}&aff_id=${trailblazer}`, { ua: USER_AGENTS.desktop }, 'device_not_targeted', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${mobileDeals}&aff_id=${socialSpark}`, {}, 'sub_id_not_allowed', 'https://partnerline.example/offer-unavailable'],
      [`offer_id=${springGear}&aff_id=${socialSpark}&source=giveaways`, {}, 'sub_id_blocked', 'https://partnerline.example/offer-unavailable'],
      ['aff_id=1', {}, 'unknown_offer', 'https://partnerline.example/offer-unavailable'],
    ];
    const before = await statsTotals(server.store);
    for (const [query, who, outcome, location] of cases) {
      const reply = await click(query, who);
      assert.equal(reply.status, 302, query);
      assert.equal(reply.headers.get('x-partnerline-click'), outcome, query);
      assert.equal(reply.headers.get('location'), location, query);
    }
    await server.platform.tracker.writer.flush();
    const recorded = await server.store.query<{ outcome: string }>(
      `SELECT outcome FROM clicks WHERE outcome NOT IN ('counted', 'bot') ORDER BY created_at`,
    );
    assert.deepEqual(recorded.map((row) => row.outcome).slice(-cases.length), cases.map(([, , outcome]) => outcome));
    assert.equal((await statsTotals(server.store)).gross_clicks, before.gross_clicks);
  });

  test('bots, link previews and HEAD requests are redirected but not counted', async () => {
    const before = await statsTotals(server.store, newsletter);
    const looked = await server.request('HEAD', `/aff_c?offer_id=${newsletter}&aff_id=${trailblazer}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    assert.equal(looked.status, 302);
    assert.equal(looked.headers.get('x-partnerline-click'), 'bot');
    const reply = await click(`offer_id=${newsletter}&aff_id=${trailblazer}`, { ua: USER_AGENTS.slackbot });
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.get('x-partnerline-click'), 'bot');
    assert.match(reply.headers.get('location')!, /^https:\/\/acme-outdoor\.example\/newsletter\?tid=10/);
    const noAgent = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${trailblazer}`, { headers: { 'user-agent': '' } });
    assert.equal(noAgent.headers.get('x-partnerline-click'), 'bot');
    await server.platform.tracker.writer.flush();
    assert.deepEqual(await statsTotals(server.store, newsletter), before);
  });

  test('the refused-clicks report counts each click sent on but not counted, by day, offer, partner and reason, to each its own', async () => {
    const day = (offsetMs: number) => localDay(new Date(Date.now() + offsetMs), 'America/New_York');
    const range = `from=${day(-86_400_000)}&to=${day(86_400_000)}`;
    const counts = async (key: string) => {
      const reply = await server.request('GET', `/api/v1/reports/refused-clicks?${range}`, { key });
      assert.equal(reply.status, 200, reply.text);
      const byCell = new Map<string, number>();
      for (const row of reply.body.rows) {
        const cell = `${row.offerId}|${row.partnerId}|${row.outcome}`;
        byCell.set(cell, (byCell.get(cell) ?? 0) + row.clicks);
      }
      return byCell;
    };
    const added = (after: Map<string, number>, before: Map<string, number>) =>
      Object.fromEntries([...after].filter(([cell, clicks]) => clicks !== (before.get(cell) ?? 0)).map(([cell, clicks]) => [cell, clicks - (before.get(cell) ?? 0)]));
    const keys = [server.keys.admin, server.keys.trailblazer, server.keys.brightside];
    const before = await Promise.all(keys.map(counts));
    await click(`offer_id=${springGear}&aff_id=${trailblazer}`, { ip: IPS.GB });
    await click(`offer_id=${springGear}&aff_id=${trailblazer}`, { ip: IPS.GB });
    await click(`offer_id=${bestsellers}&aff_id=${couponCrate}`);
    await click(`offer_id=99999&aff_id=${trailblazer}`);
    await click(`offer_id=${newsletter}&aff_id=${trailblazer}`, { ua: USER_AGENTS.slackbot });
    await click(`offer_id=${newsletter}&aff_id=${trailblazer}`);
    await server.platform.tracker.writer.flush();
    const [admin, partner, advertiser] = await Promise.all(keys.map(counts));
    assert.deepEqual(added(admin!, before[0]!), {
      [`${springGear}|${trailblazer}|geo_not_targeted`]: 2,
      [`${bestsellers}|${couponCrate}|not_approved`]: 1,
      [`99999|${trailblazer}|unknown_offer`]: 1,
      [`${newsletter}|${trailblazer}|bot`]: 1,
    });
    assert.deepEqual(added(partner!, before[1]!), {
      [`${springGear}|${trailblazer}|geo_not_targeted`]: 2,
      [`99999|${trailblazer}|unknown_offer`]: 1,
      [`${newsletter}|${trailblazer}|bot`]: 1,
    });
    assert.deepEqual(added(advertiser!, before[2]!), { [`${bestsellers}|${couponCrate}|not_approved`]: 1 });
    const csv = await server.request('GET', `/api/v1/reports/refused-clicks?${range}&format=csv&outcome=not_approved&offerId=${bestsellers}`, { key: server.keys.admin });
    const [header, ...lines] = csv.text.trim().split('\n');
    assert.equal(header, 'date,offerId,partnerId,outcome,subId,clicks');
    assert.ok(lines.length >= 1 && lines.every((line) => line.includes(`,${bestsellers},${couponCrate},not_approved,${couponCrate},`)), csv.text);

    // By sub-ID: which of a partner's sources is refused, and why; an unknown offer's click had none.
    await click(`offer_id=${springGear}&aff_id=${trailblazer}&source=uk-newsletter`, { ip: IPS.GB });
    await server.platform.tracker.writer.flush();
    const bySource = await server.request('GET', `/api/v1/reports/refused-clicks?${range}&subId=${trailblazer}_uk-newsletter`, { key: server.keys.trailblazer });
    assert.deepEqual(
      bySource.body.rows.map(({ offerId, outcome, subId, clicks }: Record<string, unknown>) => [offerId, outcome, subId, clicks]),
      [[springGear, 'geo_not_targeted', `${trailblazer}_uk-newsletter`, 1]],
    );
    const unknown = await server.request('GET', `/api/v1/reports/refused-clicks?${range}&outcome=unknown_offer&offerId=99999`, { key: server.keys.admin });
    assert.deepEqual(unknown.body.rows.map(({ subId }: { subId: string }) => subId), [''], 'an unknown offer judges no sub-ID');
    const missing = await server.request('GET', '/api/v1/reports/refused-clicks?from=2026-12-01', { key: server.keys.admin });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /to/);
  });

  test('a click is looked up by its transaction id, at once, by the partner, the advertiser and the network alone', async () => {
    const counted = await click(`offer_id=${newsletter}&aff_id=${trailblazer}&aff_sub=lookup&aff_click_id=PC-9`);
    const transactionId = tid(counted.headers.get('location')!)!;
    const look = (key: string, id = transactionId) => server.request('GET', `/api/v1/clicks/${id}`, { key });
    const partner = await look(server.keys.trailblazer);
    assert.equal(partner.status, 200, partner.text);
    assert.deepEqual(
      [partner.body.outcome, partner.body.offerId, partner.body.partnerId, partner.body.affSubs[0], partner.body.affClickId, partner.body.country, partner.body.conversions],
      ['counted', newsletter, trailblazer, 'lookup', 'PC-9', 'US', []],
    );
    assert.equal(partner.body.landingUrl, counted.headers.get('location'));
    assert.ok(!('cost' in partner.body) && !('ip' in partner.body));
    const converted = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=LOOKUP-1`);
    const advertiser = await look(server.keys.acme);
    assert.deepEqual(
      advertiser.body.conversions.map((conversion: { id: string; status: string }) => [conversion.id, conversion.status]),
      [[converted.headers.get('x-partnerline-conversion-id'), 'approved']],
    );
    assert.equal(advertiser.body.cost, '0.000000');
    assert.ok(!('ip' in advertiser.body));
    assert.equal((await look(server.keys.admin)).body.ip, IPS.US);
    assert.equal((await look(server.keys.couponCrate)).status, 403);
    assert.equal((await look(server.keys.brightside)).status, 403);
    assert.equal((await look(server.keys.admin, '10ffffffffffffffffffffffffffff')).status, 404);
  });

  test('repeat clicks by one visitor are gross clicks, not unique ones', async () => {
    const before = await statsTotals(server.store, newsletter);
    const first = await click(`offer_id=${newsletter}&aff_id=${couponCrate}`);
    const cookie = (first.headers.get('set-cookie') ?? '').match(/pl_vid=[^;]+/)![0];
    await click(`offer_id=${newsletter}&aff_id=${couponCrate}`, { cookie });
    await click(`offer_id=${newsletter}&aff_id=${couponCrate}`, { cookie });
    await click(`offer_id=${newsletter}&aff_id=${couponCrate}`, { ip: IPS.GB, ua: USER_AGENTS.desktop });
    await server.platform.tracker.writer.flush();
    const after = await statsTotals(server.store, newsletter);
    assert.equal(after.gross_clicks! - before.gross_clicks!, 4n);
    assert.equal(after.unique_clicks! - before.unique_clicks!, 2n);
  });

  test('deep links are followed only where the offer allows them and only to the advertiser\'s domains', async () => {
    const allowed = await click(`offer_id=${springGear}&aff_id=${trailblazer}&url=${encodeURIComponent('https://shop.acme-outdoor.example/p/42?ref={aff_id}')}`);
    assert.equal(allowed.headers.get('location'), `https://shop.acme-outdoor.example/p/42?ref=${trailblazer}`);
    for (const foreign of ['https://evil.example/phish', 'https://acme-outdoor.example.evil.example/', 'javascript:alert(1)']) {
      const reply = await click(`offer_id=${springGear}&aff_id=${trailblazer}&url=${encodeURIComponent(foreign)}`);
      assert.match(reply.headers.get('location')!, /^https:\/\/acme-outdoor\.example\/spring\?/, foreign);
    }
    const notAllowed = await click(`offer_id=${newsletter}&aff_id=${trailblazer}&url=${encodeURIComponent('https://acme-outdoor.example/other')}`);
    assert.match(notAllowed.headers.get('location')!, /^https:\/\/acme-outdoor\.example\/newsletter\?tid=/);
  });

  test('a deep link of any characters sends the visitor on to a correctly encoded URL, on the advertiser\'s domain', async () => {
    const cases: Array<[string, string]> = [
      ['https://shop.acme-outdoor.example/caf\u00e9?q=cr\u00e8me', 'https://shop.acme-outdoor.example/caf%C3%A9?q=cr%C3%A8me'],
      ['https://shop.acme-outdoor.example/\u{1F600}/\u5bb6', 'https://shop.acme-outdoor.example/%F0%9F%98%80/%E5%AE%B6'],
      ['https://shop.acme-outdoor.example/a\r\nSet-Cookie: x=1', 'https://shop.acme-outdoor.example/aSet-Cookie:%20x=1'],
      ['https://shop.acme-outdoor.example\\@evil.example/', 'https://shop.acme-outdoor.example/@evil.example/'],
    ];
    for (const [link, expected] of cases) {
      const reply = await click(`offer_id=${springGear}&aff_id=${trailblazer}&url=${encodeURIComponent(link)}`);
      assert.equal(reply.status, 302, `${JSON.stringify(link)}: ${reply.text}`);
      assert.equal(reply.headers.get('location'), expected, JSON.stringify(link));
      assert.equal(reply.headers.get('set-cookie')?.includes('x=1'), false);
    }
  });

  test('a click that does not count says why in its body too, for a person trying the link with curl', async () => {
    const curl = await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${trailblazer}`, { headers: { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': IPS.US } });
    assert.equal(curl.status, 302);
    assert.match(curl.text, /^Click not counted: the visitor looks like a bot or a script \(its User-Agent\)/);
    const counted = await click(`offer_id=${newsletter}&aff_id=${trailblazer}`);
    assert.equal(counted.text, '');
  });

  test('a bracketed parameter (aff_sub[x]=…) is no HasOffers parameter: it is ignored, and the click still counts', async () => {
    const reply = await click(`offer_id=${springGear}&aff_id=${trailblazer}&aff_sub[x]=1&source[]=feed&source[]=blog`);
    const row = await countedClickRow(reply);
    assert.equal(row!.aff_sub1, null);
    assert.equal(row!.source, 'feed');
    const impression = await server.request('GET', `/aff_i?offer_id=${newsletter}&aff_id=${trailblazer}&source[q]=1`, { headers: { 'user-agent': USER_AGENTS.desktop } });
    assert.equal(impression.status, 200);
  });

  test('a NUL character in a tracking link is dropped from its value: the click, and every click after it, is stored', async () => {
    const impressions = async () => (await statsTotals(server.store, newsletter)).impressions!;
    await server.platform.tracker.writer.flush();
    const before = await impressions();
    const row = await countedClickRow(await click(`offer_id=${springGear}&aff_id=${trailblazer}&aff_sub=spring%00post&source=%00`));
    assert.equal(row!.aff_sub1, 'springpost');
    assert.equal(row!.source, null);
    const impression = await server.request('GET', `/aff_i?offer_id=${newsletter}&aff_id=${trailblazer}&aff_sub=%00x`, { headers: { 'user-agent': USER_AGENTS.desktop } });
    assert.equal(impression.status, 200);
    const next = await countedClickRow(await click(`offer_id=${springGear}&aff_id=${trailblazer}&aff_sub=after`));
    assert.equal(next!.aff_sub1, 'after');
    assert.equal((await impressions()) - before, 1n);
  });

  test('a CPC campaign stops buying when its daily budget is spent', async () => {
    const campaign = await dollarBudgetCampaign('Tiny budget');
    assert.equal(campaign.status, 200, campaign.text);
    const outcomes = [];
    for (let index = 0; index < 6; index += 1) {
      outcomes.push((await click(`offer_id=${campaign.body.id}&aff_id=${trailblazer}&aff_sub=${index}`)).headers.get('x-partnerline-click'));
    }
    assert.deepEqual(outcomes, ['counted', 'counted', 'counted', 'counted', 'budget_exhausted', 'budget_exhausted']);
    await server.platform.tracker.writer.flush();
    assert.equal((await statsTotals(server.store, campaign.body.id)).click_cost_micros, 1_000_000n);
  });

  test("a click cap set during the day counts the day's clicks already made", async () => {
    assert.equal((await click(`offer_id=${newsletter}&aff_id=${trailblazer}&aff_sub=before-cap`)).headers.get('x-partnerline-click'), 'counted');
    await server.platform.tracker.writer.flush();
    const [today] = await server.store.query<{ clicks: bigint }>(
      'SELECT coalesce(sum(gross_clicks), 0)::int8 AS clicks FROM stats_daily_offer_partner WHERE offer_id = $1 AND day = $2::date',
      [newsletter, localDay(new Date(), server.platform.tracker.timeZone)],
    );
    await setCap(server.store, OPERATOR, newsletter, { metric: 'clicks', period: 'day', limit: today!.clicks + 1n });
    await server.platform.afterWrite();
    try {
      const outcomes = [];
      for (const sub of ['last', 'over']) outcomes.push((await click(`offer_id=${newsletter}&aff_id=${trailblazer}&aff_sub=${sub}`)).headers.get('x-partnerline-click'));
      assert.deepEqual(outcomes, ['counted', 'click_cap_reached']);
    } finally {
      await server.store.query('DELETE FROM caps WHERE offer_id = $1', [newsletter]);
      await server.platform.afterWrite();
    }
  });

  test('the network refuses clicks from blocked addresses and referrers, and past an address\'s clicks an hour', async () => {
    const network = (body: unknown) => server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body });
    const clickFrom = async (ip: string, sub: string) => {
      const reply = await click(`offer_id=${newsletter}&aff_id=${couponCrate}&aff_sub=${sub}`, { ip });
      return `${reply.headers.get('x-partnerline-click')} ${reply.headers.get('location')}`;
    };
    const fallback = 'https://partnerline.example/offer-unavailable';
    const day = (offsetMs: number) => localDay(new Date(Date.now() + offsetMs), 'America/New_York');
    const refusedFromBlocked = async () => {
      await server.platform.tracker.writer.flush();
      const reply = await server.request('GET', `/api/v1/reports/refused-clicks?from=${day(-86_400_000)}&to=${day(86_400_000)}&outcome=ip_blocked`, { key: server.keys.couponCrate });
      assert.equal(reply.status, 200, reply.text);
      return reply.body.rows.reduce((sum: number, row: { clicks: number }) => sum + row.clicks, 0);
    };
    const blocked = await network({ blockedIps: ['81.2.69.0/24', '2001:db8::/32', '81.2.69.142'] });
    assert.equal(blocked.status, 200, blocked.text);
    assert.deepEqual(blocked.body.blockedIps, ['81.2.69.0/24', '2001:db8::/32', '81.2.69.142']);
    try {
      const refusedBefore = await refusedFromBlocked();
      assert.equal(await clickFrom(IPS.GB, 'blocked-v4'), `ip_blocked ${fallback}`);
      assert.equal(await clickFrom('2001:db8:5::1', 'blocked-v6'), `ip_blocked ${fallback}`);
      assert.match(await clickFrom(IPS.US, 'elsewhere'), /^counted https:\/\/acme-outdoor\.example\//);
      const impressions = (await statsTotals(server.store, newsletter)).impressions!;
      await server.request('GET', `/aff_i?offer_id=${newsletter}&aff_id=${couponCrate}`, { headers: { 'user-agent': USER_AGENTS.desktop, 'x-forwarded-for': IPS.GB } });
      await server.platform.tracker.writer.flush();
      assert.equal((await statsTotals(server.store, newsletter)).impressions, impressions, 'an impression from a blocked address is not counted');
      assert.equal((await refusedFromBlocked()) - refusedBefore, 2, 'the partner sees why its clicks did not count');

      const referred = await network({ blockedIps: [], blockedReferrers: ['*.Spam.example'] });
      assert.deepEqual(referred.body.blockedReferrers, ['spam.example']);
      const clickFromPage = async (referer: string) =>
        (
          await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${couponCrate}`, {
            headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US, referer },
          })
        ).headers.get('x-partnerline-click');
      assert.deepEqual(
        [await clickFromPage('https://ads.spam.example/landing'), await clickFromPage('https://notspam.example/')],
        ['referrer_blocked', 'counted'],
      );

      await network({ blockedReferrers: [], clickLimitPerIpPerHour: 2 });
      assert.match(await clickFrom(IPS.GB, 'unblocked'), /^counted /);
      assert.deepEqual(
        [await clickFrom('9.9.9.9', 'a'), await clickFrom('9.9.9.9', 'b'), await clickFrom('9.9.9.9', 'c')].map((answer) => answer.split(' ')[0]),
        ['counted', 'counted', 'ip_click_limit'],
      );
      assert.equal(await clickFrom('9.9.9.9', 'd'), `ip_click_limit ${fallback}`);
      assert.match(await clickFrom('9.9.9.10', 'neighbour'), /^counted /);
      // One IPv6 subscriber's /64 counts as one address, however many addresses it takes.
      const v6 = [];
      for (const ip of ['2620:fe::1', '2620:fe::2', '2620:fe::3:4']) v6.push((await clickFrom(ip, ip)).split(' ')[0]);
      assert.deepEqual(v6, ['counted', 'counted', 'ip_click_limit']);
    } finally {
      await network({ blockedIps: [], blockedReferrers: [], clickLimitPerIpPerHour: 0 });
    }
  });

  test('two processes on one PostgreSQL server share a daily budget', { skip: process.env.DATABASE_URL ? false : 'the embedded store has one process' }, async () => {
    const second = await startTestServer({ TRUST_PROXY: 'true' }, {}, server.location);
    try {
      const campaign = await dollarBudgetCampaign('Shared budget');
      assert.equal(campaign.status, 200, campaign.text);
      const clickOn = async (target: TestServer, index: number) =>
        (
          await target.request('GET', `/aff_c?offer_id=${campaign.body.id}&aff_id=${trailblazer}&aff_sub=shared-${index}`, {
            headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
          })
        ).headers.get('x-partnerline-click');
      assert.deepEqual([await clickOn(server, 0), await clickOn(server, 1), await clickOn(server, 2)], ['counted', 'counted', 'counted']);
      // The second process learns of the campaign, and of the first one's spend once it is written.
      await server.platform.tracker.writer.flush();
      await second.platform.afterWrite();
      await second.platform.tracker.syncSpend();
      assert.deepEqual([await clickOn(second, 3), await clickOn(second, 4)], ['counted', 'budget_exhausted']);
      await Promise.all([server.platform.tracker.writer.flush(), second.platform.tracker.writer.flush()]);
      assert.equal((await statsTotals(server.store, campaign.body.id)).click_cost_micros, 1_000_000n);
    } finally {
      await second.close();
    }
  });

  test('a bid factor of 0 stops buying a sub-ID; a paused campaign stops at once', async () => {
    await server.request('POST', `/affiliate/v2/campaigns/${springGear}/bid-factor`, { key: server.keys.acme, body: { subId: `${socialSpark}`, bidFactor: 0 } });
    assert.equal((await click(`offer_id=${springGear}&aff_id=${socialSpark}`)).headers.get('x-partnerline-click'), 'bid_factor_zero');
    await server.request('POST', `/affiliate/v2/campaigns/${springGear}`, { key: server.keys.acme, body: { active: false } });
    assert.equal((await click(`offer_id=${springGear}&aff_id=${trailblazer}`)).headers.get('x-partnerline-click'), 'offer_inactive');
    await server.request('POST', `/affiliate/v2/campaigns/${springGear}`, { key: server.keys.acme, body: { active: true } });
    assert.equal((await click(`offer_id=${springGear}&aff_id=${trailblazer}`)).headers.get('x-partnerline-click'), 'counted');
  });

  test('an impression answers a 1x1 GIF and is counted where a click would be', async () => {
    const impression = (query: string, { ua = USER_AGENTS.desktop, ip = IPS.US } = {}) =>
      server.request('GET', `/aff_i?${query}`, { headers: { 'user-agent': ua, 'x-forwarded-for': ip } });
    const counted = async (offerId: number) => (await statsTotals(server.store, offerId)).impressions!;
    const before = await Promise.all([newsletter, bestsellers, springGear, mobileDeals].map(counted));
    const replies = [
      await impression(`offer_id=${newsletter}&aff_id=${trailblazer}`),
      await impression(`offer_id=${bestsellers}&aff_id=${couponCrate}`),
      await impression(`offer_id=${newsletter}&aff_id=${socialSpark}`),
      await impression(`offer_id=${springGear}&aff_id=${trailblazer}`, { ip: IPS.GB }),
      await impression(`offer_id=${mobileDeals}&aff_id=${trailblazer}`),
    ];
    for (const reply of replies) {
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'image/gif');
    }
    await server.platform.tracker.writer.flush();
    const after = await Promise.all([newsletter, bestsellers, springGear, mobileDeals].map(counted));
    // Only the first: not approved, blocked, outside the offer's countries, not its device.
    assert.deepEqual(after.map((value, index) => value - before[index]!), [1n, 0n, 0n, 0n]);
  });

  test('a CPM offer prices each counted impression at its rate per thousand, draws on its budget, and reports the money', async () => {
    const hasOffers = (query: string) => server.request('GET', `/Apiv3/json?NetworkId=partnerline&NetworkToken=${server.keys.admin}&${query}`);
    const created = await hasOffers(
      `Target=Offer&Method=create&data[name]=Banner week&data[advertiser_id]=${server.demo.advertiserIds[0]}&data[offer_url]=https://acme-outdoor.example/banner?tid={transaction_id}` +
        '&data[payout_type]=cpm&data[default_payout]=1.50&data[revenue_type]=cpm&data[max_payout]=2.50&data[status]=active',
    );
    assert.equal(created.body.response.status, 1, created.text);
    const banner = Number(created.body.response.data.Offer.id);
    const halfBid = await server.request('POST', `/affiliate/v2/campaigns/${banner}/bid-factor`, { key: server.keys.acme, body: { subId: `${trailblazer}_half`, bidFactor: 0.5 } });
    assert.equal(halfBid.status, 200, halfBid.text);
    // A cent a day: four impressions at $2.50 CPM.
    await setCap(server.store, OPERATOR, banner, { metric: 'budget', period: 'day', limit: 10_000n });
    await server.platform.afterWrite();

    const impression = (source: string, ua = USER_AGENTS.desktop) =>
      server.request('GET', `/aff_i?offer_id=${banner}&aff_id=${trailblazer}${source ? `&source=${source}` : ''}`, { headers: { 'user-agent': ua, 'x-forwarded-for': IPS.US } });
    assert.equal((await impression('', USER_AGENTS.slackbot)).headers.get('content-type'), 'image/gif');
    for (const source of ['half', '', '', '', '', 'half', 'half']) {
      const reply = await impression(source);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'image/gif');
    }
    const clicked = await countedClickRow(await click(`offer_id=${banner}&aff_id=${trailblazer}`));
    assert.equal(clicked!.cost_micros, 0n, 'a CPM offer does not price its clicks');

    // Counted: the bot no; then 1,250 + 3 x 2,500 = 8,750; a fourth full one would pass the cent; a half-priced one reaches it; the next would pass it.
    const totals = await statsTotals(server.store, banner);
    assert.deepEqual([totals.impressions, totals.click_cost_micros, totals.click_payout_micros, totals.gross_clicks], [5n, 10_000n, 6_000n, 1n]);
    const [stored] = await server.store.query<{ cost: bigint; payout: bigint }>(
      'SELECT sum(cost_micros)::int8 AS cost, sum(payout_micros)::int8 AS payout FROM impressions WHERE offer_id = $1',
      [banner],
    );
    assert.deepEqual(stored, { cost: 10_000n, payout: 6_000n });

    const day = new Date().toISOString().slice(0, 10);
    const report = await hasOffers(
      `Target=Report&Method=getStats&fields[]=Stat.impressions&fields[]=Stat.payout&fields[]=Stat.revenue&fields[]=Stat.cpm&filters[Stat.offer_id][values][]=${banner}&data_start=${day}&data_end=${day}&timezone=UTC`,
    );
    assert.deepEqual(report.body.response.data.data, [{ Stat: { impressions: '5', payout: '0.00600', revenue: '0.01000', cpm: '1.20000' } }]);
  });

  test('a short link stands for the full tracking link', async () => {
    const made = await server.request('POST', '/api/v1/tracking-links', {
      key: server.keys.trailblazer,
      body: { offerId: newsletter, params: { aff_sub: 'newsletter-footer' } },
    });
    assert.equal(made.status, 200, made.text);
    assert.match(made.body.shortUrl, /\/t\/[a-z0-9]{8}$/);
    const again = await server.request('POST', '/api/v1/tracking-links', {
      key: server.keys.trailblazer,
      body: { offerId: newsletter, params: { aff_sub: 'newsletter-footer' } },
    });
    assert.equal(again.body.code, made.body.code);
    const reply = await server.request('GET', `/t/${made.body.code}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
    const row = await countedClickRow(reply);
    assert.equal(row!.partner_id, trailblazer);
    assert.equal(row!.aff_sub1, 'newsletter-footer');
    assert.equal((await server.request('GET', '/t/zzzzzzzz')).status, 404);
  });

  test('a conversion right behind its click finds it before the click is written', async () => {
    const reply = await click(`offer_id=${newsletter}&aff_id=${trailblazer}`);
    const transactionId = tid(reply.headers.get('location')!)!;
    assert.ok(server.platform.tracker.writer.find(transactionId), 'the click is still in memory');
    const conversion = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}`);
    assert.equal(conversion.text, 'success=true;');
  });
});

describe('repeat clicks and clicks per address across processes', async () => {
  const reachable = await redisReachable();
  const noRedis = reachable ? false : `no Redis at ${REDIS_URL}`;
  // Processes share a store only on a PostgreSQL server; each PGlite store is one process's own.
  const skip = noRedis || (process.env.DATABASE_URL ? false : 'two processes share a store only on PostgreSQL (DATABASE_URL)');
  const visitor = () => `pl_vid=${randomUUID()}`;
  const clickOn = async (server: TestServer, cookie: string) => {
    const [offerId] = server.demo.offerIds as [number];
    const [partnerId] = server.demo.partnerIds as [number];
    const response = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US, cookie },
    });
    return response.headers.get('x-partnerline-click');
  };
  const figures = async (server: TestServer) => {
    const { gross_clicks, unique_clicks } = await statsTotals(server.store, server.demo.offerIds[0]);
    return { gross_clicks, unique_clicks };
  };

  test('processes sharing a Redis agree which clicks are unique', { skip }, async () => {
    const first = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL });
    const second = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL }, {}, first.location);
    try {
      const cookie = visitor();
      assert.equal(await clickOn(first, cookie), 'counted');
      await first.platform.tracker.writer.flush();
      assert.deepEqual([await clickOn(second, cookie), await clickOn(second, cookie)], ['counted', 'counted']);
      await second.platform.tracker.writer.flush();
      assert.deepEqual(await figures(first), { gross_clicks: 3n, unique_clicks: 1n });
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('processes sharing a Redis hold one limit of clicks per address, passing it by at most a click each', { skip }, async () => {
    const first = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL });
    const second = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL }, {}, first.location);
    try {
      for (const server of [first, second]) {
        const limited = await server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body: { clickLimitPerIpPerHour: 3 } });
        assert.equal(limited.status, 200, limited.text);
      }
      // A /64 of its own: no earlier run's count in Redis applies to it.
      const ip = `2001:db8:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}::1`;
      const clickFrom = async (server: TestServer) => {
        const reply = await server.request('GET', `/aff_c?offer_id=${server.demo.offerIds[1]}&aff_id=${server.demo.partnerIds[0]}`, {
          headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': ip, cookie: visitor() },
        });
        await server.platform.tracker.writer.flush();
        return reply.headers.get('x-partnerline-click');
      };
      const outcomes = [];
      for (const server of [first, first, second, second, first, first]) outcomes.push(await clickFrom(server));
      // The second learns of the first's two clicks with its own first; the first of the second's with its third.
      assert.deepEqual(outcomes, ['counted', 'counted', 'counted', 'ip_click_limit', 'counted', 'ip_click_limit']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test("when Redis stops answering, clicks are still written and the process's own memory decides which are unique", { skip, timeout: 120_000 }, async () => {
    const way = await stallingRedis();
    const first = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL });
    const second = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL: way.url }, {}, first.location);
    try {
      const cookie = visitor();
      assert.equal(await clickOn(first, cookie), 'counted');
      await first.platform.tracker.writer.flush();
      way.stall();
      assert.equal(await clickOn(second, cookie), 'counted');
      await second.platform.tracker.writer.flush();
      // Redis would have called this visitor a repeat; the second process never heard, and has not seen them before.
      assert.deepEqual(await figures(second), { gross_clicks: 2n, unique_clicks: 2n });
    } finally {
      await way.close();
      await first.close();
      await second.close();
    }
  });

  test('stores sharing a Redis keep apart: a fresh store sees none of an old one\'s first visits', { skip: noRedis }, async () => {
    const old = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL });
    const fresh = await startTestServer({ TRUST_PROXY: 'true', REDIS_URL });
    try {
      const cookie = visitor();
      assert.equal(await clickOn(old, cookie), 'counted');
      await old.platform.tracker.writer.flush();
      assert.equal(await clickOn(fresh, cookie), 'counted');
      await fresh.platform.tracker.writer.flush();
      assert.deepEqual(await figures(fresh), { gross_clicks: 1n, unique_clicks: 1n });
    } finally {
      await old.close();
      await fresh.close();
    }
  });
});
