import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, v1Api, countedClick, type TestServer } from '../support/test-server.ts';

describe('offers through the v1 API: made and changed by their side, found and applied to by partners', () => {
  let server: TestServer;
  let api: ReturnType<typeof v1Api>;
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    api = v1Api(server);
  });
  after(() => server.close());

  test('an advertiser creates, changes, pauses, activates and archives its own offer; each answer is safe to repeat', async () => {
    const [acme, brightside] = server.demo.advertiserIds as [number, number];
    const body = { advertiserId: acme, name: 'Acme Winter Boots', destinationUrl: 'https://acme-outdoor.example/boots?tid={transaction_id}', payoutType: 'cpa_flat', payout: '3.50', revenueType: 'cpa_flat', revenue: '6', geoTargeting: ['us', 'CA'], deviceTargeting: ['mobile'], visibility: 'open', holdHours: 48 };
    const foreign = await api('POST', '/offers', { ...body, advertiserId: brightside }, server.keys.acme);
    assert.equal(foreign.status, 403);
    const created = await api('POST', '/offers', body, server.keys.acme);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.payout, '3.500000');
    assert.deepEqual(created.body.geoTargeting, ['US', 'CA']);
    const id = created.body.id as number;
    const changed = await api('PATCH', `/offers/${id}`, { percentPayout: 5, payoutType: 'cpa_both', dailyBudget: '100' }, server.keys.acme);
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.payoutType, 'cpa_both');
    assert.equal(changed.body.dailyBudget, '100.000000');
    assert.equal((await api('POST', `/offers/${id}/pause`, {}, server.keys.acme)).body.status, 'paused');
    assert.equal((await api('POST', `/offers/${id}/pause`, {}, server.keys.acme)).body.status, 'paused');
    assert.equal((await api('POST', `/offers/${id}/activate`, {}, server.keys.acme)).body.status, 'active');
    assert.equal((await api('PATCH', `/offers/${id}`, { name: 'x' }, server.keys.brightside)).status, 403);
    assert.equal((await api('POST', '/offers', { ...body, geoTargeting: ['XX'] }, server.keys.acme)).status, 400);
    const page = await api('POST', `/offers/${id}/landing-pages`, { name: 'Boots page', url: 'https://acme-outdoor.example/boots2?tid={transaction_id}' }, server.keys.acme);
    assert.equal(page.status, 201, page.text);
    const click = await server.request('GET', `/aff_c?offer_id=${id}&aff_id=${server.demo.partnerIds[0]}&url_id=${page.body.id}`, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', 'x-forwarded-for': '8.8.8.8' } });
    assert.match(click.headers.get('location') ?? '', /boots2/, 'a tracking link picks the landing page');
    assert.equal((await api('POST', `/offers/${id}/archive`, {}, server.keys.acme)).body.status, 'deleted');
    assert.equal((await api('PATCH', `/offers/${id}`, { name: 'too late' }, server.keys.acme)).status, 403);
  });

  test('a partner finds offers with its own payout, never the revenue, applies with a note, and learns the answer; HasOffers applies too', async () => {
    const [, couponCrate, socialSpark] = server.demo.partnerIds as [number, number, number];
    const partner = server.keys.socialSpark;
    const bestsellers = server.demo.offerIds[2]!;
    const bookClub = server.demo.offerIds[3]!;
    await api('PUT', `/offers/${bestsellers}/partner-payouts`, { partnerId: socialSpark, payoutType: 'cpa_percentage', percentPayout: 9.5 });
    const market = await api('GET', '/marketplace', undefined, partner);
    assert.equal(market.status, 200);
    assert.doesNotMatch(market.text, /revenue/i);
    assert.ok(!market.body.some((offer: { id: number }) => offer.id === bookClub), 'a private offer is not shown to partners not invited');
    const offer = market.body.find((row: { id: number }) => row.id === bestsellers);
    assert.equal(offer.percentPayout, 9.5);
    assert.equal(offer.payoutRule, 'partner override');
    assert.equal(offer.applicationStatus, null);
    assert.equal((await api('POST', `/offers/${bookClub}/applications`, {}, partner)).status, 404);
    const applied = await api('POST', `/offers/${bestsellers}/applications`, { note: 'Book reviews weekly' }, partner);
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.body.status, 'pending');
    assert.equal((await api('POST', `/offers/${bestsellers}/applications/${socialSpark}/approve`, {}, server.keys.acme)).status, 404, "another advertiser's offer is unknown");
    assert.equal((await api('POST', `/offers/${bestsellers}/applications/${socialSpark}/reject`, {}, server.keys.brightside)).status, 400, 'a rejection says why');
    const rejected = await api('POST', `/offers/${bestsellers}/applications/${socialSpark}/reject`, { reason: 'Not our audience' }, server.keys.brightside);
    assert.equal(rejected.body.status, 'rejected', rejected.text);
    const seen = (await api('GET', `/marketplace/${bestsellers}`, undefined, partner)).body;
    assert.equal(seen.applicationStatus, 'rejected');
    assert.equal(seen.applicationReason, 'Not our audience');

    const hasOffers = await server.request('GET', `/Apiv3/json?api_key=${server.keys.couponCrate}&Target=Affiliate_Offer&Method=requestOfferAccess&offer_id=${bestsellers}&notes=Coupons`);
    assert.equal(hasOffers.body.response.status, 1, hasOffers.text);
    assert.equal(hasOffers.body.response.data.AffiliateOffer.approval_status, 'pending');
    const waiting = (await api('GET', '/offer-applications?status=pending', undefined, server.keys.brightside)).body as Array<{ partnerId: number }>;
    assert.deepEqual(waiting.map((row) => row.partnerId), [couponCrate]);
    await api('POST', `/offers/${bestsellers}/applications/${couponCrate}/approve`, {}, server.keys.brightside);
    const approved = await server.request('GET', `/Apiv3/json?api_key=${server.keys.couponCrate}&Target=Affiliate_Offer&Method=findMyApprovedOffers`);
    assert.ok(JSON.stringify(approved.body.response.data).includes(`"id":"${bestsellers}"`));
    const mine = (await api('GET', '/offer-applications', undefined, partner)).body as Array<{ partnerId: number }>;
    assert.ok(mine.length > 0 && mine.every((row) => row.partnerId === socialSpark), 'a partner reads only its own applications');
  });

  test('creatives: the advertiser stores images and HTML, partners who may promote the offer embed them, the file is served from Partnerline', async () => {
    const newsletter = server.demo.offerIds[1]!;
    const bookClub = server.demo.offerIds[3]!;
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const image = await api('POST', `/offers/${newsletter}/creatives`, { name: 'Banner 1x1', kind: 'image', contentType: 'image/png', content: png, width: 1, height: 1 }, server.keys.acme);
    assert.equal(image.status, 201, image.text);
    const disguised = await api('POST', `/offers/${newsletter}/creatives`, { name: 'Not a PNG', kind: 'image', contentType: 'image/png', content: Buffer.from('<script>').toString('base64') }, server.keys.acme);
    assert.equal(disguised.status, 400);
    assert.equal((await api('POST', `/offers/${newsletter}/creatives`, { name: 'x', kind: 'html', content: '<b>x</b>' }, server.keys.brightside)).status, 403);
    const html = await api('POST', `/offers/${newsletter}/creatives`, { name: 'Sign-up box', kind: 'html', content: '<p>Join the newsletter</p><script>fetch("/api/v1/keys")</script>' }, server.keys.acme);
    assert.equal(html.status, 201);
    const listed = await api('GET', `/offers/${newsletter}/creatives`, undefined, server.keys.trailblazer);
    assert.deepEqual(listed.body.map((creative: { name: string }) => creative.name), ['Banner 1x1', 'Sign-up box']);
    assert.equal((await api('GET', `/offers/${bookClub}/creatives`, undefined, server.keys.couponCrate)).status, 400, 'a private offer not invited to is unknown');
    const file = await server.request('GET', image.body.url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    const page = await server.request('GET', html.body.url);
    assert.match(page.headers.get('content-security-policy') ?? '', /^sandbox/, 'HTML runs sandboxed, never as the portal');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    await api('DELETE', `/offers/${newsletter}/creatives/${image.body.id}`, undefined, server.keys.acme);
    assert.equal((await server.request('GET', image.body.url)).status, 404);
  });

  test('the dashboard counts what the reports count, each role its own', async () => {
    const newsletter = server.demo.offerIds[1]!;
    const [trailblazer] = server.demo.partnerIds as [number];
    for (let index = 0; index < 3; index += 1) {
      const transactionId = await countedClick(server, newsletter, trailblazer);
      await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=DASH-${index}`);
    }
    const today = (await api('GET', '/dashboard?series=hour', undefined, server.keys.trailblazer)).body;
    const report = (await api('GET', `/reports/stats?metrics=clicks,conversions,payout&from=${today.today}&to=${today.today}`, undefined, server.keys.trailblazer)).body;
    assert.equal(today.periods.today[0].clicks, report.rows[0].clicks);
    assert.equal(today.periods.today[0].conversions, report.rows[0].conversions);
    assert.equal(today.periods.today[0].payout, report.rows[0].payout);
    assert.ok(today.periods.thisMonth[0].clicks >= today.periods.today[0].clicks);
    assert.ok(!('revenue' in today.periods.today[0]), 'a partner never sees revenue');
    assert.ok(today.series.length >= 1);
    const other = (await api('GET', '/dashboard', undefined, server.keys.couponCrate)).body;
    assert.ok(other.periods.today[0].clicks < today.periods.today[0].clicks || other.periods.today[0].clicks === 0);
    const network = (await api('GET', '/dashboard')).body;
    assert.ok('profit' in network.periods.today[0]);
    assert.equal(typeof network.attention.partnerSignUps, 'number');
  });
});
