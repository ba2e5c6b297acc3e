import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueKey } from '../src/accounts/api-keys.ts';
import { loadConfig } from '../src/config.ts';
import { ensureDemoNetwork } from '../src/demo/demo-network.ts';
import { linkByName, readExternalNames } from '../src/hasoffers-bridge/hasoffers-links.ts';
import { addHasOffersNetwork, hasOffersAccess } from '../src/hasoffers-bridge/hasoffers-networks.ts';
import { reconcile } from '../src/hasoffers-bridge/reconcile.ts';
import { DEFAULT_SYNC_OPTIONS, syncDueTasks, syncState } from '../src/hasoffers-bridge/sync-out.ts';
import { buildServer } from '../src/http/server.ts';
import { localDay } from '../src/shared/time-zones.ts';
import { Platform } from '../src/platform.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { TASKS_MODULE } from '../src/transaction-tasks.ts';

const SYNCED = Number(process.env.BENCH_SYNC_CONVERSIONS ?? 200);
const RECONCILED = Number(process.env.BENCH_RECONCILE_CONVERSIONS ?? 100_000);
/** How long the ledger changes 1,000 times a second while the sync runs. */
const LOAD_SECONDS = Number(process.env.BENCH_SYNC_LOAD_SECONDS ?? 10);

/** A Partnerline with the demo network, answering on 127.0.0.1: here the ledger, there the HasOffers network. */
async function network(label: string) {
  const dataDir = await mkdtemp(path.join(tmpdir(), `partnerline-sync-bench-${label}-`));
  const { store, lock } = await openStore({ databaseUrl: undefined, dataDir }, TASKS_MODULE);
  const demo = await ensureDemoNetwork(store);
  const platform = await Platform.start(loadConfig({ LOG_LEVEL: 'silent', DEMO_NETWORK: 'off', DATA_DIR: dataDir }), store);
  await platform.syncOut.stop();
  const app = await buildServer(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    store,
    demo,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      await app.close();
      await platform.close();
      await store.close();
      await lock?.release();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Conversions of an offer and partner written straight into a store, `batch` naming them apart: their GUIDs decide their keys. */
async function writeConversions(store: Store, count: number, batch: string, offerId: number, partnerId: number): Promise<void> {
  await store.query(
    `INSERT INTO conversions (seq, offer_id, partner_id, advertiser_id, status, status_code, currency, sale_amount_micros, payout_micros, revenue_micros,
       payout_type, revenue_type, payout_rule, adv_sub1, converted_at, dedupe_request_key)
     SELECT s.seq, o.id, $3, o.advertiser_id, 'approved', 52, o.currency, 10000000, 1000000, 2000000, 'cpa_flat', 'cpa_flat', 'offer',
            NULL, now() - make_interval(secs => g % 600), 'bench:' || s.seq
     FROM generate_series(1, $1) g CROSS JOIN LATERAL (SELECT md5($2 || ':' || g)::uuid AS seq) s JOIN offers o ON o.id = $4`,
    [count, batch, partnerId, offerId],
  );
}

/**
 * The HasOffers sync against a second Partnerline standing in for the external network: how many
 * conversions a second it sends, which HasOffers' 50 calls in 10 seconds per key bounds, and how
 * long a reconciliation of many conversions takes.
 */
export async function syncBench(): Promise<void> {
  console.log('\n[PGlite (embedded, on disk)] the HasOffers sync, into a second Partnerline on 127.0.0.1');
  const [here, there] = [await network('here'), await network('there')];
  try {
    const admin = there.demo.accounts.find((account) => account.role === 'network_admin')!;
    const token = (await issueKey(there.store, admin.id, 'sync bench')).key;
    const connected = await here.store.transaction((tx) =>
      addHasOffersNetwork(tx, { name: 'Bench TUNE', apiUrl: there.url, networkId: 'partnerline', networkToken: token, timeZone: 'America/New_York' }),
    );
    const names = await readExternalNames(await hasOffersAccess(here.store, connected.id));
    await here.store.transaction((tx) => linkByName(tx, connected.id, names));
    const [offerId, partnerId] = [here.demo.offerIds[0]!, here.demo.partnerIds[0]!];

    await writeConversions(here.store, SYNCED, 'synced', offerId, partnerId);
    const started = performance.now();
    let sent = 0;
    while (sent < SYNCED) {
      sent += await syncDueTasks(here.store, DEFAULT_SYNC_OPTIONS);
      if (sent < SYNCED) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rate = SYNCED / ((performance.now() - started) / 1000);
    console.log(`  sync: ${SYNCED} new conversions in ${((performance.now() - started) / 1000).toFixed(1)} s, ${rate.toFixed(1)} a second (one create each; HasOffers allows a key 50 calls in 10 seconds)`);

    // The ledger changing 1,000 times a second while the sync runs: how far behind does it fall?
    const loadStarted = performance.now();
    let written = 0;
    let syncing = true;
    const worker = (async () => {
      while (syncing) {
        await syncDueTasks(here.store, DEFAULT_SYNC_OPTIONS);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let state: Awaited<ReturnType<typeof syncState>>;
    let loadSeconds: number;
    try {
      for (let tick = 1; tick <= LOAD_SECONDS * 10; tick += 1) {
        await writeConversions(here.store, 100, `load-${tick}`, offerId, partnerId);
        written += 100;
        const due = loadStarted + tick * 100 - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      loadSeconds = (performance.now() - loadStarted) / 1000;
      state = await syncState(here.store, connected.id);
    } finally {
      syncing = false;
      await worker;
    }
    console.log(
      `  at ${Math.round(written / loadSeconds).toLocaleString('en-US')} ledger changes a second for ${loadSeconds.toFixed(1)} s: ${state.queued.toLocaleString('en-US')} waiting, ` +
        `the oldest for ${state.behindSeconds} s; it falls behind by about ${Math.round(written / loadSeconds - rate)} a second and catches up once changes come slower than ${rate.toFixed(1)} a second`,
    );

    const thereOffer = Number((await here.store.query<{ id: string }>('SELECT external_offer_id::text AS id FROM hasoffers_offer_links WHERE offer_id = $1', [offerId]))[0]!.id);
    const thereAffiliate = Number((await here.store.query<{ id: string }>('SELECT external_affiliate_id::text AS id FROM hasoffers_partner_links WHERE partner_id = $1', [partnerId]))[0]!.id);
    await here.store.query('DELETE FROM hasoffers_sync_tasks');
    await here.store.query('ALTER TABLE conversions DISABLE TRIGGER hasoffers_sync');
    await writeConversions(here.store, RECONCILED, 'reconciled', offerId, partnerId);
    await here.store.query('ALTER TABLE conversions ENABLE TRIGGER hasoffers_sync');
    const seqs = await here.store.query<{ seq: string }>(`SELECT seq::text FROM conversions WHERE dedupe_request_key LIKE 'bench:%' ORDER BY id DESC LIMIT $1`, [RECONCILED]);
    await there.store.query(
      `INSERT INTO conversions (seq, offer_id, partner_id, advertiser_id, status, status_code, currency, sale_amount_micros, payout_micros, revenue_micros,
         payout_type, revenue_type, payout_rule, adv_sub1, converted_at, dedupe_request_key)
       SELECT gen_random_uuid(), o.id, $2, o.advertiser_id, 'approved', 52, o.currency, 10000000, 1000000, 2000000, 'cpa_flat', 'cpa_flat', 'offer',
              'pl-' || s, now() - interval '30 minutes', 'bench-there:' || s
       FROM unnest($1::text[]) s JOIN offers o ON o.id = $3`,
      [seqs.map((row) => row.seq), thereAffiliate, thereOffer],
    );
    // Yesterday and today: the conversions were made in the last half hour, which may straddle midnight there.
    const day = localDay(new Date(), 'America/New_York');
    const yesterday = localDay(new Date(Date.now() - 86_400_000), 'America/New_York');
    const reconcileStarted = performance.now();
    const done = await reconcile(here.store, connected.id, yesterday, day, 'America/New_York');
    const seconds = (performance.now() - reconcileStarted) / 1000;
    const counted = Object.values(done.totals).reduce((sum, total) => sum + total.count, 0);
    console.log(
      `  reconciliation of ${counted.toLocaleString('en-US')} conversions (${done.totals.matched.count.toLocaleString('en-US')} matched): ${seconds.toFixed(1)} s, ` +
        `reading ${Math.ceil(counted / 1000)} pages of 1,000 at 50 calls in 10 seconds; daily totals: ${done.cells.differing.length} of ${done.cells.compared} differ`,
    );
  } finally {
    await here.close();
    await there.close();
  }
}
