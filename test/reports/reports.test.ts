import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIMENSIONS } from '../../src/reports/stats-engine.ts';
import { localDay } from '../../src/shared/time-zones.ts';
import { IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('reports: the stats engine through the v1 and SK APIs', () => {
  let server: TestServer;
  let springGear: number;
  let newsletter: number;
  let trailblazer: number;
  let couponCrate: number;

  const convertAt = async (partnerId: number, at: string, order: string) => {
    const reply = await server.request('POST', '/api/v1/conversions', {
      key: server.keys.admin,
      body: { offerId: newsletter, partnerId, orderId: order, saleAmount: '10', convertedAt: at },
    });
    assert.equal(reply.status, 201, reply.text);
  };

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [springGear, newsletter] = server.demo.offerIds as [number, number];
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
    // Around New York's midnights, daylight saving starting on March 8, 2026 at 07:00 UTC.
    await convertAt(trailblazer, '2026-03-08T04:30:00Z', 'TZ-1'); // March 7, 23:30 EST
    await convertAt(trailblazer, '2026-03-08T05:30:00Z', 'TZ-2'); // March 8, 00:30 EST
    await convertAt(couponCrate, '2026-03-09T03:30:00Z', 'TZ-3'); // March 8, 23:30 EDT
    await convertAt(couponCrate, '2026-03-09T04:30:00Z', 'TZ-4'); // March 9, 00:30 EDT
    for (const sub of ['a', 'b', 'b']) {
      await server.request('GET', `/aff_c?offer_id=${springGear}&aff_id=${trailblazer}&source=${sub}`, {
        headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
      });
    }
    await server.platform.tracker.writer.flush();
  });
  after(() => server.close());

  const report = (query: string, key = server.keys.admin) => server.request('GET', `/api/v1/reports/stats?${query}`, { key });

  test('local days in the network zone, daylight saving included, and an hour offset', async () => {
    const byDay = await report('dimensions=date&metrics=conversions,payout,sale_amount&from=2026-03-07&to=2026-03-09&totals=true');
    assert.equal(byDay.status, 200, byDay.text);
    assert.equal(byDay.body.timeZone, 'America/New_York');
    assert.deepEqual(byDay.body.rows, [
      { date: '2026-03-07', conversions: 1, payout: '2.500000', sale_amount: '10.000000' },
      { date: '2026-03-08', conversions: 2, payout: '5.000000', sale_amount: '20.000000' },
      { date: '2026-03-09', conversions: 1, payout: '2.500000', sale_amount: '10.000000' },
    ]);
    assert.deepEqual(byDay.body.totals, { conversions: 4, payout: '10.000000', sale_amount: '40.000000' });
    const oneDay = await report('dimensions=partner_id&metrics=conversions&from=2026-03-08&to=2026-03-08&sort=partner_id');
    assert.deepEqual(oneDay.body.rows, [
      { partner_id: trailblazer, conversions: 1 },
      { partner_id: couponCrate, conversions: 1 },
    ]);
    // Three hours west (Pacific time): 23:30 EST on March 7 is 20:30, 00:30 EST on March 8 is 21:30 on March 7.
    const pacific = await report('dimensions=date&metrics=conversions&from=2026-03-07&to=2026-03-08&hourOffset=-3');
    assert.deepEqual(pacific.body.rows, [
      { date: '2026-03-07', conversions: 2 },
      { date: '2026-03-08', conversions: 2 },
    ]);
  });

  test('every dimension answers, alone, by day and beside a partner, and its rows add up to the totals', async () => {
    const expected = await report('metrics=clicks,conversions&from=2026-03-01&to=2026-03-31&totals=true');
    for (const dimension of Object.keys(DIMENSIONS)) {
      for (const dimensions of [dimension, `date,${dimension}`, `partner_id,${dimension}`]) {
        const reply = await report(`dimensions=${dimensions}&metrics=clicks,conversions&from=2026-03-01&to=2026-03-31&totals=true`);
        assert.equal(reply.status, 200, `${dimensions}: ${reply.text}`);
        assert.deepEqual(reply.body.totals, expected.body.totals, dimensions);
      }
    }
  });

  test('dimensions not rolled up come from the raw clicks; filters, sort and paging', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const bySource = await report(`dimensions=source&metrics=clicks,payout&from=2026-01-01&to=${today}&filter=offer_id:eq:${springGear}&sort=-clicks`);
    assert.equal(bySource.status, 200, bySource.text);
    assert.deepEqual(bySource.body.rows, [
      { source: 'b', clicks: 2, payout: '0.720000' },
      { source: 'a', clicks: 1, payout: '0.360000' },
    ]);
    const paged = await report(`dimensions=source&metrics=clicks&from=2026-01-01&to=${today}&filter=offer_id:eq:${springGear}&sort=source&limit=1&page=2`);
    assert.deepEqual([paged.body.count, paged.body.rows], [2, [{ source: 'b', clicks: 2 }]]);
    const having = await report(`dimensions=partner_id&metrics=conversions&from=2026-03-01&to=2026-03-31&filter=conversions:ge:2`);
    assert.deepEqual(having.body.rows.map((row: { partner_id: number }) => row.partner_id).sort(), [trailblazer, couponCrate].sort());
    const bad = await report('dimensions=planet&metrics=clicks&from=2026-01-01&to=2026-01-02');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /unknown dimension "planet"/);
    const laterDays = await report(`dimensions=date&metrics=conversions&from=2026-03-01&to=2026-03-31&filter=date:ge:2026-03-08&sort=date`);
    assert.deepEqual(laterDays.body.rows, [
      { date: '2026-03-08', conversions: 2 },
      { date: '2026-03-09', conversions: 1 },
    ]);
    const badDate = await report(`dimensions=date&metrics=conversions&from=2026-03-01&to=2026-03-31&filter=date:ge:8/3/2026`);
    assert.equal(badDate.status, 400);
    assert.deepEqual(badDate.body, { error: 'date: "8/3/2026" is not a date written YYYY-MM-DD' });
  });

  test('a partner reads only its own rows and never the network\'s revenue; CSV on request', async () => {
    const mine = await report('dimensions=partner_id&metrics=conversions,payout&from=2026-03-01&to=2026-03-31', server.keys.trailblazer);
    assert.deepEqual(mine.body.rows, [{ partner_id: trailblazer, conversions: 2, payout: '5.000000' }]);
    const revenue = await report('metrics=revenue&from=2026-03-01&to=2026-03-31', server.keys.trailblazer);
    assert.equal(revenue.status, 403);
    const csv = await report('dimensions=date&metrics=conversions,revenue&from=2026-03-07&to=2026-03-08&format=csv');
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    assert.equal(csv.text, 'date,conversions,revenue\n2026-03-07,1,4.000000\n2026-03-08,2,8.000000\n');
  });

  test('a CSV report makes a partner\'s formula-like source inert for spreadsheets, and keeps negative amounts as numbers', async () => {
    // The report's days are the network's: in the evening in New York, UTC's date is already tomorrow's.
    const today = localDay(new Date(), 'America/New_York');
    await server.request('GET', `/aff_c?offer_id=${newsletter}&aff_id=${couponCrate}&source=${encodeURIComponent('=HYPERLINK("http://x.example","y")')}`, {
      headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
    });
    await server.platform.tracker.writer.flush();
    const csv = await report(`dimensions=source&metrics=clicks&from=${today}&to=${today}&filter=offer_id:eq:${newsletter}&format=csv`);
    assert.ok(csv.text.includes(`"'=HYPERLINK(""http://x.example"",""y"")",1`), csv.text);
    const json = await report(`dimensions=source&metrics=clicks&from=${today}&to=${today}&filter=offer_id:eq:${newsletter}`);
    assert.ok(json.body.rows.some((row: { source: string }) => row.source === '=HYPERLINK("http://x.example","y")'), 'JSON keeps the value as sent');
  });

  test('the SK stats endpoints answer real figures from the same engine, as JSON or CSV', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const byCampaign = await server.request('GET', `/affiliate/v2/stats/by-campaign?from=2026-01-01&to=${today}`, { key: server.keys.acme });
    const spring = byCampaign.body.items.find((item: { id: number }) => item.id === springGear);
    assert.deepEqual([spring.clicks, spring.spend, spring.conversions], [3, 1.62, 0]);
    const letter = byCampaign.body.items.find((item: { id: number }) => item.id === newsletter);
    assert.deepEqual([letter.conversions, letter.spend, letter.revenue], [4, 16, 40]);
    const csv = await server.request('GET', `/affiliate/v2/stats/by-campaign?from=2026-01-01&to=${today}&format=csv`, { key: server.keys.acme });
    assert.match(csv.text.split('\n')[0]!, /^id,name,spend,revenue,clicks,impressions,conversions,advertiserId,advertiserName$/);
    const bySub = await server.request('GET', `/affiliate/v2/stats/campaigns/${springGear}/by-publisher?from=2026-01-01&to=${today}`, { key: server.keys.acme });
    assert.deepEqual(
      bySub.body.items.map((item: { subId: string; clicks: number; spend: number; bidFactor: number; winRate: number }) => [item.subId, item.clicks, item.spend, item.bidFactor, item.winRate]),
      [
        // The partner's factor of 1.2 on the campaign applies to each of its sources.
        [`${trailblazer}_a`, 1, 0.54, 1.2, 1],
        [`${trailblazer}_b`, 2, 1.08, 1.2, 1],
      ],
    );
  });

  test('daily figures follow the network into a new time zone and agree with the raw facts', async () => {
    // India is 5:30 ahead: one UTC hour can hold the end of one local day and the start of the next.
    const moved = await server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body: { timeZone: 'Asia/Kolkata' } });
    assert.equal(moved.status, 200, moved.text);
    await convertAt(couponCrate, '2026-03-09T18:15:00Z', 'IST-1'); // March 9, 23:45 IST
    await convertAt(couponCrate, '2026-03-09T18:45:00Z', 'IST-2'); // March 10, 00:15 IST
    const range = 'from=2026-03-07&to=2026-03-10';
    const byDay = await report(`dimensions=date&metrics=conversions&${range}`);
    assert.equal(byDay.body.timeZone, 'Asia/Kolkata');
    assert.deepEqual(byDay.body.rows, [
      { date: '2026-03-08', conversions: 2 },
      { date: '2026-03-09', conversions: 3 },
      { date: '2026-03-10', conversions: 1 },
    ]);
    // A filter on a dimension that is not rolled up makes the engine read the raw facts instead.
    const fromFacts = '&filter=sub2:null';
    for (const query of [
      `dimensions=date,offer_id,partner_id&metrics=conversions,payout,revenue&${range}&totals=true`,
      `dimensions=date,partner_id&metrics=conversions,payout&${range}&sort=-conversions`,
      `dimensions=date,offer_id,partner_id&metrics=conversions&${range}&limit=2&page=2`,
      // By goal, which the daily roll-ups do not keep: whole UTC hours cannot split India's days either.
      `dimensions=date,goal_id&metrics=conversions&${range}`,
    ]) {
      const daily = await report(query);
      const raw = await report(query + fromFacts);
      assert.equal(daily.status, 200, daily.text);
      assert.deepEqual(daily.body, raw.body, query);
    }
    const paged = await report(`dimensions=date,offer_id,partner_id&metrics=conversions&${range}&limit=2&page=2`);
    assert.deepEqual([paged.body.count, paged.body.rows.length], [3, 1]);
    await server.request('PATCH', '/api/v1/network', { key: server.keys.admin, body: { timeZone: 'America/New_York' } });
  });
  test('hourly figures by offer, the network\'s and an advertiser\'s, agree with the raw facts after corrections', async () => {
    const range = 'from=2026-03-07&to=2026-03-10';
    const [first] = (await server.request('GET', `/api/v1/conversions?${range}&offerId=${newsletter}`, { key: server.keys.admin })).body.conversions;
    const rejected = await server.request('POST', `/api/v1/conversions/${first.id}/reject`, { key: server.keys.admin, body: { reason: 'test order' } });
    assert.equal(rejected.status, 200, rejected.text);
    const fromFacts = '&filter=sub2:null';
    for (const [query, key] of [
      [`dimensions=hour&metrics=conversions,rejected_conversions,revenue,payout&${range}&totals=true`, server.keys.admin],
      [`dimensions=date,hour,offer_id,offer_name&metrics=clicks,conversions,revenue&${range}`, server.keys.admin],
      [`dimensions=hour,advertiser_name&metrics=conversions,revenue&${range}&filter=offer_id:eq:${newsletter}`, server.keys.admin],
      [`dimensions=hour&metrics=conversions,rejected_conversions,revenue&${range}`, server.keys.acme],
      [`dimensions=hour&metrics=conversions,payout&${range}&hourOffset=-3`, server.keys.admin],
    ] as const) {
      const rolled = await report(query, key);
      assert.equal(rolled.status, 200, rolled.text);
      assert.ok(rolled.body.rows.length > 0, query);
      assert.deepEqual(rolled.body, (await report(query + fromFacts, key)).body, query);
    }
    const byHour = await report(`dimensions=hour&metrics=rejected_conversions&${range}`);
    assert.equal(byHour.body.rows.reduce((sum: number, row: { rejected_conversions: number }) => sum + row.rejected_conversions, 0), 1);
  });
});
