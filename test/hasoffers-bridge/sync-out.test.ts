import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.ts';
import { settleSync } from '../support/hasoffers-sync.ts';
import { startReceiver } from '../support/postback-receiver.ts';
import type { ConversionStatus } from '../../src/ledger/conversion-record.ts';
import { operationFor } from '../../src/postbacks/postback-macros.ts';
import { runCommand } from '../../src/cli/commands.ts';
import { reconcileYesterday } from '../../src/hasoffers-bridge/reconcile.ts';
import { localDay } from '../../src/shared/time-zones.ts';
import { countedClick, startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

const FAULTS: Fault[] = ['drop-after', 'empty-after', 'bad-gateway', 'status-unknown', 'slow'];

describe('syncing the ledger into a HasOffers network, exactly once, through a line that loses answers', () => {
  let here: TestServer;
  let there: TestServer;
  let proxy: FaultProxy;
  let api: ReturnType<typeof v1Api>;
  let offerId: number;
  let trailblazer: number;
  let couponCrate: number;
  /** Faults the next Conversion calls meet, in order; calls beyond them pass. */
  let faults: Fault[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    // The external network is a second Partnerline on its own store, answering the HasOffers API.
    [here, there] = await Promise.all([
      startTestServer({ TRUST_PROXY: 'true', POSTBACK_ALLOW_PRIVATE: 'true' }, { hasOffersSync: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 100 }, delivery: { pollMs: 20 } }),
      startTestServer({ TRUST_PROXY: 'true' }),
    ]);
    api = v1Api(here);
    proxy = await startFaultProxy(there.url, (method) => (method.startsWith('Conversion::') ? (faults.shift() ?? 'pass') : 'pass'));
    const token = (await v1Api(there)('POST', '/keys', { name: 'Sync' })).body.key;
    const network = await api('POST', '/hasoffers-networks', { name: 'Old TUNE', apiUrl: proxy.url, networkId: 'partnerline', networkToken: token, timeZone: 'America/New_York' });
    assert.equal(network.status, 201, network.text);
    assert.equal((await api('POST', `/hasoffers-networks/${network.body.id}/link-by-name`)).status, 200);
    [, offerId] = here.demo.offerIds as [number, number];
    [trailblazer, couponCrate] = here.demo.partnerIds as [number, number];
    receiver = await startReceiver();
    for (const key of [here.keys.trailblazer, here.keys.couponCrate]) {
      const told = await api('POST', '/postbacks', { url: `${receiver.base}/told?seq={seq}&op={postback_operation}`, events: ['create', 'update', 'reject'] }, key);
      assert.equal(told.status, 201, told.text);
    }
  });
  after(() => Promise.all([here?.close(), there?.close(), proxy?.close(), receiver?.close()]));

  /**
   * What the partner heard of a conversion, against what its history says it must hear: one
   * notice for each change, in order, however often the sync had to try.
   */
  const assertToldOnce = async (id: string) => {
    const events = await here.store.query<{ seq: string; before: { status: ConversionStatus } | null; after: { status: ConversionStatus } }>(
      `SELECT c.seq::text AS seq, e.before, e.after FROM conversion_events e JOIN conversions c ON c.id = e.conversion_id WHERE e.conversion_id = $1 ORDER BY e.id`,
      [id],
    );
    const words = { create: 'create', update: 'update', reject: 'delete' } as const;
    const expected = events.flatMap((event) => {
      const operation = operationFor(event.before?.status ?? null, event.after.status);
      return operation ? [words[operation]] : [];
    });
    const heard = () => receiver.received.filter((item) => item.url.pathname === '/told' && item.url.searchParams.get('seq') === events[0]!.seq).map((item) => item.url.searchParams.get('op'));
    for (const started = Date.now(); heard().length < expected.length && Date.now() - started < 10_000; ) await sleep(20);
    await sleep(60);
    assert.deepEqual(heard(), expected, 'the partner heard each change once');
  };

  const settle = () => settleSync(here.store, () => here.platform.syncOut.run());

  /** The conversion here, and every record of it there. */
  const bothSides = async (id: string) => {
    const [mine] = await here.store.query<{ key: string; status: string; payout: bigint; revenue: bigint; sale: bigint }>(
      `SELECT 'pl-' || seq AS key, status, payout_micros AS payout, revenue_micros AS revenue, sale_amount_micros AS sale FROM conversions WHERE id = $1`,
      [id],
    );
    const theirs = await there.store.query<{ status: string; payout: bigint; revenue: bigint; sale: bigint; reason: string | null }>(
      `SELECT status, payout_micros AS payout, revenue_micros AS revenue, sale_amount_micros AS sale, reason FROM conversions WHERE adv_sub1 = $1 ORDER BY id`,
      [mine!.key],
    );
    return { mine: mine!, theirs };
  };

  const assertSynced = async (id: string) => {
    const { mine, theirs } = await bothSides(id);
    assert.equal(theirs.filter((row) => row.status !== 'rejected' || mine.status === 'rejected').length, 1, `one live record of ${mine.key} there: ${JSON.stringify(theirs, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    const live = theirs.find((row) => row.status === mine.status)!;
    assert.deepEqual([live.status, live.payout, live.revenue, live.sale], [mine.status, mine.payout, mine.revenue, mine.sale], 'the same status and amounts, to the micro-unit');
  };

  const convert = async (order: string, saleAmount: string) => {
    const made = await api('POST', '/conversions', { offerId, partnerId: trailblazer, orderId: order, saleAmount });
    assert.equal(made.status, 201, made.text);
    return String(made.body.id ?? made.body.conversion?.id);
  };

  test('a conversion, its approval, its correction and its rejection reach the network, each once', async () => {
    const id = await convert('SYNC-1', '120.50');
    await settle();
    await assertSynced(id);
    for (const [action, body] of [
      ['adjust', { saleAmount: '80.123456' }],
      ['approve', {}],
      ['reverse', { reason: 'refunded' }],
    ] as const) {
      assert.equal((await api('POST', `/conversions/${id}/${action}`, body)).status, 200);
      await settle();
      await assertSynced(id);
    }
    const calls = await here.store.query<{ method: string; outcome: string }>(`SELECT method, outcome FROM hasoffers_sync_calls WHERE conversion_id = $1 ORDER BY id`, [id]);
    assert.equal(calls.filter((call) => call.method === 'Conversion::create').length, 1, 'made once');
    assert.ok(calls.every((call) => call.outcome === 'ok'));
  });

  test('random histories under lost answers and worker restarts: one live record per revision there, the same figures, partners told once, equal reports', async () => {
    const STEPS = ['approve', 'adjust', 'reject', 'retry', 'late-batch', 'restart'] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FAULTS), { maxLength: 6 }), fc.array(fc.constantFrom(...STEPS), { maxLength: 5 }), async (lost, steps) => {
        faults = [...lost];
        const order = `SYNC-P-${Math.random().toString(36).slice(2)}`;
        const click = await countedClick(here, offerId, trailblazer);
        const postback = `/aff_lsr?transaction_id=${click}&amount=50&adv_sub=${order}`;
        assert.ok((await here.request('GET', postback)).headers.get('x-partnerline-conversion-id'));
        const current = async () => (await here.store.query<{ id: string }>('SELECT id::text FROM conversions WHERE order_id = $1 AND replaced_by_id IS NULL', [order]))[0]!.id;
        for (const step of steps) {
          if (step === 'retry') {
            // The advertiser sends the same postback again: nothing new.
            await here.request('GET', postback);
          } else if (step === 'late-batch') {
            // A batch a day late gives the order to another partner's click, and is uploaded twice.
            const elsewhere = await countedClick(here, offerId, couponCrate);
            await here.platform.tracker.writer.flush();
            for (let upload = 0; upload < 2; upload += 1) {
              const batch = await api('POST', '/conversions/batch', { rows: [{ orderId: order, offerId, reattributeTo: elsewhere }] });
              assert.equal(batch.status, 200, batch.text);
            }
          } else if (step === 'restart') {
            // The worker stops and starts again; what it had claimed is due at once.
            await here.platform.syncOut.stop();
            await here.store.query(`UPDATE hasoffers_sync_tasks SET next_attempt_at = now() WHERE status = 'queued'`);
            here.platform.syncOut.start();
          } else {
            const reply = await api('POST', `/conversions/${await current()}/${step}`, step === 'adjust' ? { saleAmount: '75.000001' } : step === 'reject' ? { reason: 'test' } : {});
            assert.ok(reply.status === 200 || reply.status === 409, reply.text);
          }
        }
        await settle();
        faults = [];
        const revisions = await here.store.query<{ id: string; superseded: boolean }>(
          'SELECT id::text, replaced_by_id IS NOT NULL AS superseded FROM conversions WHERE order_id = $1 ORDER BY id',
          [order],
        );
        for (const { id, superseded } of revisions) {
          // A revision replaced before it went out need not be there at all; if it is, it no longer counts.
          if (superseded) assert.deepEqual((await bothSides(id)).theirs.filter((row) => row.status !== 'rejected'), [], `no live record of superseded ${id}`);
          else await assertSynced(id);
          await assertToldOnce(id);
        }
      }),
      { numRuns: 15 },
    );
    // The network's own reports equal the ledger's, and nothing lives there that is not here.
    const network = (await api('GET', '/hasoffers-networks')).body[0].id;
    const today = localDay(new Date(), 'America/New_York');
    const reconciled = await api('POST', `/hasoffers-networks/${network}/reconciliations`, { from: today, to: today });
    assert.equal(reconciled.status, 201, reconciled.text);
    assert.deepEqual([reconciled.body.items, reconciled.body.cells.differing], [[], []], JSON.stringify(reconciled.body).slice(0, 2000));
  });

  test('a re-attribution rejects the old revision there, naming its successor, before the new one is made', async () => {
    const click = await countedClick(here, offerId, trailblazer);
    const first = await here.request('GET', `/aff_lsr?transaction_id=${click}&amount=40&adv_sub=SYNC-MOVE`);
    const id = first.headers.get('x-partnerline-conversion-id')!;
    await settle();
    await assertSynced(id);
    const elsewhere = await countedClick(here, offerId, couponCrate);
    await here.platform.tracker.writer.flush();
    const moved = await api('POST', `/conversions/${id}/reattribute`, { transactionId: elsewhere, reason: 'late batch' });
    assert.equal(moved.status, 200, moved.text);
    const successor = String(moved.body.id ?? moved.body.conversion?.id);
    await settle();
    const old = await bothSides(id);
    assert.deepEqual(old.theirs.map((row) => row.status), ['rejected']);
    const next = await bothSides(successor);
    assert.match(old.theirs[0]!.reason ?? '', new RegExp(`superseded by ${next.mine.key}`));
    await assertSynced(successor);
    const order = await here.store.query<{ method: string; conversionId: string }>(
      `SELECT method, conversion_id::text AS "conversionId" FROM hasoffers_sync_calls WHERE conversion_id IN ($1, $2) AND method <> 'Conversion::findAll' ORDER BY id`,
      [id, successor],
    );
    const rejectedAt = order.findIndex((call) => call.conversionId === id && call.method === 'Conversion::updateStatus');
    const madeAt = order.findIndex((call) => call.conversionId === successor && call.method === 'Conversion::create');
    assert.ok(rejectedAt >= 0 && madeAt > rejectedAt, JSON.stringify(order));
  });

  test('a conversion that cannot go out is parked, told to the network, shown, and sent again on replay', async () => {
    const network = (await api('GET', '/hasoffers-networks')).body[0].id;
    const solo = (await api('POST', '/partners', { name: 'Solo Media' })).body.id;
    const made = await api('POST', '/conversions', { offerId, partnerId: solo, orderId: 'SYNC-SOLO', saleAmount: '10' });
    assert.equal(made.status, 201, made.text);
    const id = String(made.body.id ?? made.body.conversion?.id);
    const parked = async () => (await here.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM hasoffers_sync_tasks WHERE status = 'parked'`))[0]!.n;
    for (const started = Date.now(); (await parked()) === 0; ) {
      assert.ok(Date.now() - started < 30_000, 'the task is parked');
      await here.platform.syncOut.run();
    }
    const stateReply = await api('GET', `/hasoffers-networks/${network}/sync`);
    const state = stateReply.body;
    assert.equal(stateReply.status, 200, stateReply.text);
    assert.equal(state.parked, 1);
    assert.match(state.lastError, new RegExp(`partner ${solo} is not linked to an affiliate of Old TUNE`));
    assert.equal((await here.request('GET', '/readyz')).body.hasOffersSync.parked, 1);
    const { attention } = (await api('GET', '/dashboard')).body;
    assert.deepEqual([attention.hasOffersSyncParked, attention.hasOffersSyncBehind], [1, 0], "the dashboard's needs attention shows it");
    const told = (await api('GET', '/notifications')).body;
    assert.ok(JSON.stringify(told).includes(`Conversion ${id} could not be synced to Old TUNE`), JSON.stringify(told).slice(0, 500));

    const affiliate = await v1Api(there)('POST', '/partners', { name: 'Solo Media there' });
    assert.equal((await api('PUT', `/hasoffers-networks/${network}/partners/${solo}`, { externalAffiliateId: affiliate.body.id })).status, 200);
    assert.deepEqual((await api('POST', `/hasoffers-networks/${network}/sync/replay`)).body, { replayed: 1 });
    await settle();
    await assertSynced(id);
    const calls = (await api('GET', `/hasoffers-networks/${network}/sync/calls?conversionId=${id}`)).body;
    assert.deepEqual(calls.map((call: { method: string }) => call.method), ['Conversion::create'], 'nothing was sent before, so nothing is looked up');
    assert.ok(!JSON.stringify(calls).includes('NetworkToken'), 'the token is never logged');
    assert.equal((await api('GET', `/hasoffers-networks/${network}/sync`, undefined, here.keys.trailblazer)).status, 403);
  });

  test('a reconciliation finds each kind of difference, and its repairs leave only what was made outside', async () => {
    const network = (await api('GET', '/hasoffers-networks')).body[0].id;
    const thereApi = v1Api(there);
    const today = localDay(new Date(), 'America/New_York');
    const key = async (id: string) => (await bothSides(id)).mine.key;
    const externalId = async (id: string) => String((await there.store.query<{ id: string }>(`SELECT id::text FROM conversions WHERE adv_sub1 = $1 ORDER BY id LIMIT 1`, [await key(id)]))[0]!.id);

    // Only this test's own runs sync from here on, so a conversion can be kept from going out.
    await here.platform.syncOut.stop();
    const missing = await convert('REC-MISSING', '10');
    await here.store.query('DELETE FROM hasoffers_sync_tasks WHERE conversion_id = $1', [missing]);
    const links = (await api('GET', `/hasoffers-networks/${network}/links`)).body;
    const thereOffer = links.offers.find((row: { offerId: number }) => row.offerId === offerId).externalOfferId as number;
    const refused = await convert('REC-REFUSED', '10');
    const amounts = await convert('REC-AMOUNTS', '10');
    const doubled = await convert('REC-DOUBLE', '10');
    const moved = await convert('REC-MOVED', '10');
    await api('POST', `/conversions/${refused}/approve`);
    await settle();
    assert.equal((await thereApi('POST', `/conversions/${await externalId(refused)}/reject`, { reason: 'fraud outside' })).status, 200);
    assert.equal((await thereApi('POST', `/conversions/${await externalId(amounts)}/adjust`, { saleAmount: '11' })).status, 200);
    // Someone there gave one to another affiliate's click, which no HasOffers call can undo.
    const elsewhereThere = await countedClick(there, thereOffer, there.demo.partnerIds[1]!);
    await there.platform.tracker.writer.flush();
    const movedThere = await thereApi('POST', `/conversions/${await externalId(moved)}/reattribute`, { transactionId: elsewhereThere, reason: 'edited outside' });
    assert.equal(movedThere.status, 200, movedThere.text);
    const thereAffiliate = (await api('GET', `/hasoffers-networks/${network}/links`)).body.partners.find((row: { partnerId: number }) => row.partnerId === trailblazer).externalAffiliateId;
    const token = (await thereApi('POST', '/keys', { name: 'Made outside' })).body.key;
    const outside = (data: string) => there.request('GET', `/Apiv3/json?NetworkToken=${token}&Target=Conversion&Method=create&data[offer_id]=${thereOffer}&data[affiliate_id]=${thereAffiliate}&data[sale_amount]=3${data}`);
    assert.equal((await outside(`&data[advertiser_info]=${await key(doubled)}&data[conversion_unique_id]=another`)).body.response.status, 1);
    assert.equal((await outside('&data[advertiser_info]=made-outside')).body.response.status, 1);

    const run = await api('POST', `/hasoffers-networks/${network}/reconciliations`, { from: today, to: today });
    assert.equal(run.status, 201, run.text);
    const classOf = (id: string) => run.body.items.find((item: { conversionId: string | null }) => item.conversionId === id)?.class;
    assert.deepEqual(
      [classOf(missing), classOf(refused), classOf(amounts), classOf(doubled), classOf(moved)],
      ['missing_outside', 'refused_outside', 'amounts_differ', 'duplicate_outside', 'attribution_differs'],
    );
    assert.equal(run.body.totals.foreign.count, 1);
    assert.ok(run.body.totals.matched.count > 0);
    assert.equal(run.body.items.filter((item: { class: string }) => item.class === 'matched').length, 0, 'matched ones are only counted');
    const todayThere = (body: { cells: { differing: Array<{ day: string; externalOfferId: number; externalAffiliateId: number; here: any; there: any }> } }) =>
      body.cells.differing.find((cell) => cell.day === today && cell.externalOfferId === thereOffer && cell.externalAffiliateId === thereAffiliate);
    // Totals can hide differences that cancel out (a conversion missing there, another made outside): hence the classes above.
    assert.ok(run.body.cells.compared >= 1);
    const csv = await here.request('GET', `/api/v1/hasoffers-networks/${network}/reconciliations/${run.body.id}?format=csv`, { key: here.keys.admin });
    assert.match(csv.text.split('\n')[0]!, /^class,conversion_id,key,external_ids,status_here,status_there/);
    assert.equal(csv.text.trim().split('\n').length, run.body.items.length + 1);

    const repaired = await api('POST', `/hasoffers-networks/${network}/reconciliations/${run.body.id}/repair`, {});
    assert.deepEqual(repaired.body, { queued: 5 });
    await settle();
    const again = await api('POST', `/hasoffers-networks/${network}/reconciliations`, { from: today, to: today });
    assert.deepEqual(again.body.items.map((item: { class: string }) => item.class), ['foreign'], JSON.stringify(again.body.items));
    // After the repairs, the day's totals there differ from the ledger's by the conversion made outside alone, if it counts.
    const foreign = again.body.items[0].there;
    const left = todayThere(again.body);
    if (foreign.status !== 'approved') assert.equal(left, undefined, JSON.stringify(again.body.cells));
    else assert.deepEqual([left!.there.conversions - left!.here.conversions, Number(left!.there.payout) - Number(left!.here.payout)], [1, Number(foreign.payout)]);
    for (const id of [missing, refused, amounts, doubled, moved]) await assertSynced(id);
    const [remade] = await there.store.query<{ partnerId: number; orderId: string }>(
      `SELECT partner_id AS "partnerId", order_id AS "orderId" FROM conversions WHERE adv_sub1 = $1 AND status <> 'rejected'`,
      [await key(moved)],
    );
    assert.deepEqual([remade!.partnerId, remade!.orderId], [thereAffiliate, `${await key(moved)}/${movedThere.body.id ?? movedThere.body.conversion?.id}`], 'made again on its own affiliate, under a unique id of its own');
    assert.equal((await api('GET', `/hasoffers-networks/${network}/reconciliations`)).body[0].id, again.body.id);

    const context = { store: here.store, hasOffersNetworkId: 'partnerline', publicUrl: here.url, setMaintenance: async () => {} };
    const byCli = await runCommand(context, ['hasoffers', 'reconcile', String(network), '--from', today, '--to', today, '--repair']);
    assert.match(byCli.text, /foreign: 1 \(payout/);
    assert.match(byCli.text, /0 repairs queued/);
    await assert.rejects(runCommand(context, ['hasoffers', 'reconcile', '999', '--from', today, '--to', today]), /HasOffers network 999 was not found/);

    // The daily run, a day later: it reconciles today once, and tells the network of what differs.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const runs = async () => (await here.store.query<{ n: number }>('SELECT count(*)::int AS n FROM hasoffers_reconciliations WHERE from_day = $1 AND to_day = $1', [today]))[0]!.n;
    const before = await runs();
    await reconcileYesterday(here.store, tomorrow, 'America/New_York');
    await reconcileYesterday(here.store, tomorrow, 'America/New_York');
    assert.equal(await runs(), before, 'today was reconciled already, by hand');
    await here.store.query('DELETE FROM hasoffers_reconciliations WHERE from_day = $1', [today]);
    await reconcileYesterday(here.store, tomorrow, 'America/New_York');
    await reconcileYesterday(here.store, tomorrow, 'America/New_York');
    assert.equal(await runs(), 1);
    assert.match(JSON.stringify((await api('GET', '/notifications')).body), new RegExp(`of ${today} with Old TUNE found 1 conversion\\(s\\) and \\d+ daily total\\(s\\) that do not match`));
  });
});
