import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGoal, setCap } from '../../src/offers/offer-terms.ts';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { cpaOffer, IPS, startTestServer, USER_AGENTS, type TestServer } from '../support/test-server.ts';

describe('notifications: budget and cap alerts, offers stopped, read marks', () => {
  let server: TestServer;
  let trailblazer: number;
  let couponCrate: number;

  const notes = async (key: string) => {
    const reply = await server.request('GET', '/api/v1/notifications', { key });
    assert.equal(reply.status, 200, reply.text);
    return reply.body as Array<{ kind: string; message: string; offerId: number | null; partnerId: number | null }>;
  };
  const clicks = async (offerId: number, partnerId: number, count: number) => {
    for (let index = 0; index < count; index += 1) {
      const reply = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}&aff_sub=alert-${index}`, {
        headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
      });
      assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    }
    await server.platform.tracker.writer.flush();
  };

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
    [trailblazer, couponCrate] = server.demo.partnerIds as [number, number];
  });
  after(() => server.close());

  test("an advertiser hears once that a campaign's daily budget is nearly spent, and a partner that its own cap is reached", async () => {
    // $0.25 a click against $1.25 a day: four clicks spend 80 % of it.
    const campaign = await server.request('POST', '/affiliate/v2/campaigns', {
      key: server.keys.acme,
      body: { name: 'Alerted', start: '2026-01-01', dailyBudget: 1.25, cpc: 0.25, trackingUrl: 'https://acme-outdoor.example/a?c={clickid}', geoTargeting: [], strategyId: 3, advertiserId: server.demo.advertiserIds[0] },
    });
    assert.equal(campaign.status, 200, campaign.text);
    const offerId: number = campaign.body.id;
    await setCap(server.store, OPERATOR, offerId, { partnerId: couponCrate, metric: 'clicks', period: 'day', limit: 2n });
    await server.platform.afterWrite();

    await clicks(offerId, trailblazer, 2);
    await server.platform.raiseAlerts.run();
    assert.deepEqual((await notes(server.keys.acme)).filter((note) => note.offerId === offerId), [], 'half the budget raises nothing');

    await clicks(offerId, couponCrate, 2);
    await server.platform.raiseAlerts.run();
    await server.platform.raiseAlerts.run();
    const acme = (await notes(server.keys.acme)).filter((note) => note.offerId === offerId);
    assert.deepEqual(
      acme.map((note) => [note.kind, note.message.replace(/\(\d{4}-\d\d-\d\d\)/, '(day)')]).sort(),
      [
        ['limit_nearly_reached', `Offer ${offerId} (Alerted) has used 1.00 USD of its daily budget of 1.25 USD (day): 80% reached.`],
        ['limit_reached', `Offer ${offerId} (Alerted) has used 2 clicks of its daily clicks cap for partner ${couponCrate} of 2 clicks (day): further traffic is refused until the period ends or the limit is raised.`],
      ].sort(),
    );
    const partner = (await notes(server.keys.couponCrate)).filter((note) => note.offerId === offerId);
    assert.deepEqual(partner.map((note) => note.kind), ['limit_reached'], 'the partner hears of its own cap, not the budget');
    assert.deepEqual((await notes(server.keys.trailblazer)).filter((note) => note.offerId === offerId), []);
    assert.deepEqual((await notes(server.keys.brightside)).filter((note) => note.offerId === offerId), []);
    assert.equal((await notes(server.keys.admin)).filter((note) => note.offerId === offerId).length, 2);
  });

  test("a goal's cap is watched too: its advertiser and the partner it caps hear when the goal's conversions reach it", async () => {
    const offerId = await cpaOffer(server, 'Goal alerts');
    const goal = await createGoal(server.store, OPERATOR, offerId, { name: 'Trial', payoutType: 'cpa_flat', payoutFlatMicros: 500_000n, revenueType: 'cpa_flat', revenueFlatMicros: 900_000n });
    await setCap(server.store, OPERATOR, offerId, { partnerId: trailblazer, goalId: goal.id, metric: 'conversions', period: 'day', limit: 2n });
    await server.platform.afterWrite();
    for (let index = 0; index < 2; index += 1) {
      const click = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${trailblazer}`, { headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US } });
      const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid');
      assert.equal((await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&goal_id=${goal.id}`)).text, 'success=true;');
    }
    await server.platform.raiseAlerts.run();
    const expected = `Offer ${offerId} (Goal alerts) has used 2 conversions of its daily conversions cap on goal ${goal.id} for partner ${trailblazer} of 2 conversions (day): further traffic is refused until the period ends or the limit is raised.`;
    for (const key of [server.keys.acme, server.keys.trailblazer]) {
      const alerts = (await notes(key)).filter((note) => note.offerId === offerId);
      assert.deepEqual(alerts.map((note) => [note.kind, note.message.replace(/\(\d{4}-\d\d-\d\d\)/, '(day)')]), [['limit_reached', expected]]);
    }
  });

  test('partners that sent an offer traffic lately hear at once that it stopped and that it resumed, others do not', async () => {
    const campaign = await server.request('POST', '/affiliate/v2/campaigns', {
      key: server.keys.acme,
      body: { name: 'Stopping', start: '2026-01-01', dailyBudget: 100, cpc: 0.1, trackingUrl: 'https://acme-outdoor.example/s?c={clickid}', geoTargeting: [], strategyId: 3, advertiserId: server.demo.advertiserIds[0] },
    });
    const offerId: number = campaign.body.id;
    await clicks(offerId, couponCrate, 1);
    const paused = await server.request('POST', `/affiliate/v2/campaigns/${offerId}`, { key: server.keys.acme, body: { active: false } });
    assert.equal(paused.status, 200, paused.text);
    const told = (await notes(server.keys.couponCrate)).filter((note) => note.offerId === offerId);
    assert.deepEqual(
      told.map((note) => [note.kind, note.message]),
      [['offer_stopped', `Offer ${offerId} (Stopping) is now paused: its clicks go to the fallback URL and are not counted until it is active again.`]],
    );
    assert.deepEqual((await notes(server.keys.trailblazer)).filter((note) => note.offerId === offerId), [], 'a partner without traffic on it is not told');
    await server.request('POST', `/affiliate/v2/campaigns/${offerId}`, { key: server.keys.acme, body: { active: false } });
    assert.equal((await notes(server.keys.couponCrate)).filter((note) => note.offerId === offerId).length, 1, 'pausing it again tells no one again');
    await server.request('POST', `/affiliate/v2/campaigns/${offerId}`, { key: server.keys.acme, body: { active: true } });
    const resumed = (await notes(server.keys.couponCrate)).filter((note) => note.offerId === offerId);
    assert.deepEqual(resumed[0] && [resumed[0].kind, resumed[0].message], ['offer_resumed', `Offer ${offerId} (Stopping) is active again: its clicks count from now on.`]);
  });

  test('each user marks its notifications read, up to the newest it has seen', async () => {
    const unread = async (key: string) => {
      const reply = await server.request('GET', '/api/v1/notifications?unread=true', { key });
      assert.equal(reply.status, 200, reply.text);
      return reply.body as Array<{ id: string; readAt: string | null }>;
    };
    const before = await unread(server.keys.acme);
    assert.ok(before.length >= 2);
    const read = (key: string, upTo: string) => server.request('POST', '/api/v1/notifications/read', { key, body: { upTo } });
    const marked = await read(server.keys.acme, before[0]!.id);
    assert.deepEqual([marked.status, marked.body.marked], [200, before.length]);
    assert.deepEqual(await unread(server.keys.acme), []);
    assert.equal((await read(server.keys.acme, before[0]!.id)).body.marked, 0, 'marking again changes nothing');
    assert.ok((await notes(server.keys.acme)).every((note) => (note as { readAt?: string | null }).readAt !== null));
    assert.ok((await unread(server.keys.couponCrate)).length >= 1, "the partner's copy of a shared alert stays unread for the partner");
    const bad = await read(server.keys.acme, 'newest');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /^upTo: /);
  });

  test('the network pages through every notification, newest first, by the cursor each page gives', async () => {
    const all = (await server.request('GET', '/api/v1/notifications', { key: server.keys.admin })).body as Array<{ id: string }>;
    assert.ok(all.length >= 3, `${all.length} notifications to page through`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Array<{ id: string }>; headers: Headers } = await server.request(
        'GET',
        `/api/v1/notifications?limit=2${cursor === null ? '' : `&before=${cursor}`}`,
        { key: server.keys.admin },
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.length <= 2);
      seen.push(...page.body.map((note) => note.id));
      cursor = page.headers.get('x-next-cursor');
    } while (cursor !== null);
    assert.deepEqual(seen, all.map((note) => note.id), 'each once, in order');
    assert.equal((await server.request('GET', '/api/v1/notifications?limit=0', { key: server.keys.admin })).status, 400);
  });
});
