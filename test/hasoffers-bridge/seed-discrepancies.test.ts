import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_SYNC_OPTIONS, syncDueTasks, type Safeguards } from '../../src/hasoffers-bridge/sync-out.ts';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.ts';
import { settleSync } from '../support/hasoffers-sync.ts';
import { startReceiver } from '../support/postback-receiver.ts';
import { countedClick, startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

/**
 * The three discrepancies Katalys names in its TUNE sync, each against Partnerline's sync into a
 * HasOffers network that, like many TUNE networks, does not limit conversions by unique id, behind
 * a line that loses answers. Each test runs the same history with the safeguard that prevents it
 * switched off, and sees the discrepancy appear.
 */
describe("the seed's three discrepancies do not happen in Partnerline's sync", () => {
  let here: TestServer;
  let there: TestServer;
  let proxy: FaultProxy;
  let api: ReturnType<typeof v1Api>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let offerId: number;
  let trailblazer: number;
  let couponCrate: number;
  /** Faults the next calls of each method meet, in order; calls beyond them pass. */
  let faults: Record<string, Fault[]> = {};
  let orders = 0;
  const ON: Safeguards = DEFAULT_SYNC_OPTIONS.safeguards;

  before(async () => {
    receiver = await startReceiver();
    [here, there] = await Promise.all([
      startTestServer({ TRUST_PROXY: 'true', POSTBACK_ALLOW_PRIVATE: 'true' }, { delivery: { pollMs: 20 } }),
      startTestServer(),
    ]);
    // This test runs the sync itself, with the safeguards it chooses.
    await here.platform.syncOut.stop();
    api = v1Api(here);
    proxy = await startFaultProxy(there.url, (method) => faults[method]?.shift() ?? 'pass', { uniqueIds: false });
    const token = (await v1Api(there)('POST', '/keys', { name: 'Sync' })).body.key;
    const network = await api('POST', '/hasoffers-networks', { name: 'Lossy TUNE', apiUrl: proxy.url, networkId: 'partnerline', networkToken: token, timeZone: (await v1Api(there)('GET', '/network')).body.timeZone });
    assert.equal(network.status, 201, network.text);
    assert.equal((await api('POST', `/hasoffers-networks/${network.body.id}/link-by-name`)).status, 200);
    [, offerId] = here.demo.offerIds as [number, number];
    [trailblazer, couponCrate] = here.demo.partnerIds as [number, number];
  });
  after(() => Promise.all([here?.close(), there?.close(), proxy?.close(), receiver?.close()]));

  const options = (safeguards: Safeguards) => ({ ...DEFAULT_SYNC_OPTIONS, baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 100, safeguards });
  const settle = (safeguards: Safeguards) => settleSync(here.store, () => syncDueTasks(here.store, options(safeguards)));

  /** The records of these ledger conversions there that still count (not rejected). */
  const liveThere = async (...ids: string[]) => {
    const keys = await here.store.query<{ key: string }>(`SELECT 'pl-' || seq AS key FROM conversions WHERE id = ANY($1::int8[])`, [ids]);
    const [row] = await there.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversions WHERE adv_sub1 = ANY($1::text[]) AND status <> 'rejected'`, [keys.map((k) => k.key)]);
    return row!.n;
  };

  const sale = async () => {
    const click = await countedClick(here, offerId, trailblazer);
    const made = await here.request('GET', `/aff_lsr?transaction_id=${click}&amount=40&adv_sub=SEED-${(orders += 1)}`);
    return made.headers.get('x-partnerline-conversion-id')!;
  };

  test('multiple copies of a conversion: a create whose answer was lost is looked up there, never sent again', async () => {
    // Sent three times, a conversion is there three times on a TUNE network; Partnerline's own API
    // knows a create sent again by its content, so what counts here is what the sync sends.
    const creates = async (safeguards: Safeguards) => {
      // The network makes the conversion each time, and its answer is lost: empty, then the line drops.
      faults = { 'Conversion::create': ['empty-after', 'drop-after'] };
      const id = await sale();
      await settle(safeguards);
      assert.equal(await liveThere(id), 1);
      const [sent] = await here.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM hasoffers_sync_calls WHERE conversion_id = $1 AND method = 'Conversion::create'`, [id]);
      return sent!.n;
    };
    assert.equal(await creates(ON), 1, 'made once, however many answers were lost');
    assert.equal(await creates({ ...ON, lookUpUnknownOutcomes: false }), 3, 'without the look-up, sent again after each lost answer: three copies on a TUNE network');
  });

  test('mis-matched transaction ids: a late re-attribution rejects the old revision there before it makes the new one', async () => {
    const counted = async (safeguards: Safeguards) => {
      const id = await sale();
      await settle(safeguards);
      const elsewhere = await countedClick(here, offerId, couponCrate);
      await here.platform.tracker.writer.flush();
      const moved = await api('POST', `/conversions/${id}/reattribute`, { transactionId: elsewhere, reason: 'a batch 30 hours late' });
      assert.equal(moved.status, 200, moved.text);
      // The network does not take the old revision's rejection at first; a failed task waits a minute.
      faults = { 'Conversion::updateStatus': ['bad-gateway', 'bad-gateway'] };
      await syncDueTasks(here.store, { ...options(safeguards), baseDelayMs: 60_000, maxDelayMs: 60_000 });
      const live = await liveThere(id, String(moved.body.id ?? moved.body.conversion?.id));
      faults = {};
      await here.store.query(`UPDATE hasoffers_sync_tasks SET next_attempt_at = now() WHERE status = 'queued'`);
      await settle(safeguards);
      assert.equal(await liveThere(id, String(moved.body.id ?? moved.body.conversion?.id)), 1, 'in the end, one');
      return live;
    };
    assert.equal(await counted(ON), 1, 'one order, never more than one conversion that counts there');
    assert.equal(await counted({ ...ON, supersedeFirst: false }), 2, 'without the order, the new revision is live beside the old: over-reported');
  });

  test('missing conversions for users of postbacks: a partner hears of each change exactly once, from Partnerline, whatever the line loses', async () => {
    const registered = await api('POST', '/postbacks', { url: `${receiver.base}/seed?seq={seq}&op={postback_operation}&status={conversion_status}`, events: ['create', 'update', 'reject'] }, here.keys.trailblazer);
    assert.equal(registered.status, 201, registered.text);
    faults = { 'Conversion::create': ['empty-after', 'bad-gateway', 'status-unknown'], 'Conversion::update': ['drop-after'], 'Conversion::updateStatus': ['empty-after'] };
    const id = await sale();
    await settle(ON);
    assert.equal((await api('POST', `/conversions/${id}/adjust`, { saleAmount: '55.5' })).status, 200);
    await settle(ON);
    assert.equal((await api('POST', `/conversions/${id}/reverse`, { reason: 'refunded' })).status, 200);
    await settle(ON);
    const [{ seq }] = (await here.store.query<{ seq: string }>('SELECT seq::text FROM conversions WHERE id = $1', [id])) as [{ seq: string }];
    const heard = () => receiver.received.filter((item) => item.url.pathname === '/seed' && item.url.searchParams.get('seq') === seq).map((item) => item.url.searchParams.get('op'));
    for (const started = Date.now(); heard().length < 3 && Date.now() - started < 10_000; ) await sleep(20);
    await sleep(200);
    assert.deepEqual(heard(), ['create', 'update', 'delete'], 'each change once: the sync retried, the partner was not told again');
    const [told] = await here.store.query<{ by: string }>('SELECT partner_told_by AS by FROM hasoffers_synced_conversions WHERE conversion_id = $1', [id]);
    assert.equal(told!.by, 'partnerline', 'the sync records that Partnerline, not the HasOffers network, tells the partner');
    assert.equal(await liveThere(id), 0, 'the reversal reached the network too');
  });
});
