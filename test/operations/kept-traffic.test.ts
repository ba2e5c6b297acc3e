import assert from 'node:assert/strict';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { ensureDemoNetwork } from '../../src/demo/demo-network.ts';
import { buildServer } from '../../src/http/server.ts';
import { KEPT_TRAFFIC_DIR, Platform } from '../../src/platform.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { claimKeptTraffic, keepTraffic, readKeptTraffic } from '../../src/tracking/kept-traffic.ts';
import { IPS, USER_AGENTS } from '../support/test-server.ts';
import { testStoreLocation } from '../support/test-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

/** A platform with its HTTP faces on a loopback port. */
async function serve(config: ReturnType<typeof loadConfig>, store: Store) {
  const platform = await Platform.start(config, store);
  const app = await buildServer(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const get = (pathAndQuery: string) =>
    fetch(url + pathAndQuery, { redirect: 'manual', headers: { 'user-agent': USER_AGENTS.desktop, 'x-forwarded-for': IPS.US } });
  return { platform, get, close: () => app.close() };
}

const trafficCounts = async (store: Store) =>
  (
    await store.query<{ clicks: number; countedClicks: number; impressions: number; countedImpressions: number }>(
      `SELECT (SELECT count(*) FROM clicks)::int AS clicks, (SELECT coalesce(sum(gross_clicks), 0) FROM stats_hourly)::int AS "countedClicks",
              (SELECT count(*) FROM impressions)::int AS impressions,
              (SELECT coalesce(sum(impressions), 0) FROM stats_hourly)::int AS "countedImpressions"`,
    )
  )[0];

test('traffic the store would not take at shutdown is kept on disk and stored, once, at the next start', async () => {
  const location = await testStoreLocation();
  // A long batch window: clicks wait in memory until a write is asked for.
  const config = loadConfig({ ...location.env, LOG_LEVEL: 'silent', TRUST_PROXY: 'true', CLICK_BATCH_MS: '600000' });
  const { store, lock } = await openStore(config, TASKS_MODULE);
  try {
    const demo = await ensureDemoNetwork(store);
    const [springGear, newsletter, partner] = [demo.offerIds[0]!, demo.offerIds[1]!, demo.partnerIds[0]!];
    // The first write of traffic commits but its answer is lost; from then on the store is away.
    let away = false;
    const refused = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const failing: Store = {
      ...store,
      query: (sql, params) => (away ? refused() : store.query(sql, params)),
      transaction: (work) => (away ? refused() : store.transaction(work)),
      runTask: (name, input) => {
        if (away) return refused();
        if (name !== 'writeTraffic') return store.runTask(name, input);
        away = true;
        return store.runTask(name, input).then(() => Promise.reject(new Error('Connection terminated unexpectedly')));
      },
    };
    const first = await serve(config, failing);
    const reported: Array<Record<string, unknown> | undefined> = [];
    first.platform.onBackgroundError = (_task, _error, context) => reported.push(context);
    const transactionIds: string[] = [];
    const click = async (offer: number, sub: string) => {
      const reply = await first.get(`/aff_c?offer_id=${offer}&aff_id=${partner}&aff_sub=${sub}`);
      assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
      const destination = new URL(reply.headers.get('location')!).searchParams;
      transactionIds.push(destination.get('tid') ?? destination.get('clickid')!);
    };
    await click(newsletter, 'before-1');
    await click(newsletter, 'before-2');
    assert.equal((await first.get(`/aff_i?offer_id=${newsletter}&aff_id=${partner}`)).status, 200);
    await assert.rejects(first.platform.tracker.writer.flush(), /Connection terminated/);
    await click(springGear, 'after-1');
    await click(newsletter, 'after-2');
    assert.equal((await first.get(`/aff_i?offer_id=${newsletter}&aff_id=${partner}`)).status, 200);
    await first.close();
    await first.platform.close();

    const keptDir = path.join(config.dataDir, KEPT_TRAFFIC_DIR);
    const kept = await readdir(keptDir);
    assert.equal(kept.length, 1);
    assert.deepEqual(reported.at(-1), { waiting: 6, keptIn: keptDir });
    assert.deepEqual(await trafficCounts(store), { clicks: 2, countedClicks: 2, impressions: 1, countedImpressions: 1 }, 'the write whose answer was lost');

    const second = await serve(config, store);
    try {
      assert.equal(second.platform.keptTrafficWritten, 6);
      assert.deepEqual(await readdir(keptDir), []);
      assert.deepEqual(await trafficCounts(store), { clicks: 4, countedClicks: 4, impressions: 2, countedImpressions: 2 });
      const stored = await store.query<{ sub: string; cost: bigint; payout: bigint }>(
        'SELECT aff_sub1 AS sub, cost_micros AS cost, payout_micros AS payout FROM clicks WHERE offer_id = $1',
        [springGear],
      );
      assert.deepEqual(stored, [{ sub: 'after-1', cost: 540_000n, payout: 360_000n }], 'money as the click decided it, to the micro');
      // A kept click converts like any other.
      assert.equal(await (await second.get(`/aff_lsr?transaction_id=${transactionIds[3]}&adv_sub=KEPT-1&amount=10`)).text(), 'success=true;');
    } finally {
      await second.close();
      await second.platform.close();
    }
  } finally {
    await store.close();
    await lock?.release();
    await location.remove();
  }
});

test('a kept file is taken by one process: not while another running one holds it, again once its holder is gone', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'partnerline-kept-'));
  try {
    const impression = { createdAt: new Date('2026-11-01T10:00:00.123Z'), offerId: 1, partnerId: 2, source: null, affSub1: 'a', fileId: null, ip: '::1', country: 'US', device: 'desktop', costMicros: 2_500n, payoutMicros: 1_500n };
    const files = [];
    for (let index = 0; index < 4; index += 1) files.push(await keepTraffic(dir, { clicks: [], impressions: [{ impression, witness: undefined }] }));
    const [free, heldByLive, heldByGone] = files as [string, string, string, string];
    const liveHolder = process.ppid;
    const goneHolder = 4_194_305; // above Linux's largest process id
    await rename(heldByLive, `${heldByLive}.claimed-${liveHolder}`);
    await rename(heldByGone, `${heldByGone}.claimed-${goneHolder}`);
    await writeFile(path.join(dir, 'kept-1-2-unfinished.ndjson.partial'), '{"impr');

    const claimed = await claimKeptTraffic(dir);
    const mine = (file: string) => `${file}.claimed-${process.pid}`;
    assert.deepEqual(claimed.sort(), [mine(free), mine(heldByGone), mine(files[3]!)].sort());
    assert.deepEqual(await claimKeptTraffic(dir), claimed.sort(), 'a restart under the same id takes its own files again');
    const [read] = (await readKeptTraffic(claimed[0]!)).impressions;
    assert.deepEqual(read, { impression, witness: undefined, mark: read!.mark });
    assert.match(read!.mark!, /^write-/, 'a kept impression has a mark of its own');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file kept before impressions were priced is read with no money on its impressions', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'partnerline-kept-'));
  try {
    const file = path.join(dir, 'kept-1-2-older.ndjson');
    const older = { createdAt: '2026-11-01T10:00:00.123Z', offerId: 1, partnerId: 2, source: null, affSub1: null, fileId: null, ip: '::1', country: 'US', device: 'mobile' };
    await writeFile(file, `${JSON.stringify({ impression: older })}\n`);
    const { impressions } = await readKeptTraffic(file);
    assert.deepEqual(impressions, [{ impression: { ...older, createdAt: new Date(older.createdAt), costMicros: 0n, payoutMicros: 0n }, witness: undefined, mark: undefined }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
