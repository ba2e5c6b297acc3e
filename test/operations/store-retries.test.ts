import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureDemoNetwork, type DemoNetwork } from '../../src/demo/demo-network.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { ClickWriter } from '../../src/tracking/click-writer.ts';
import { keepTraffic, readKeptTraffic } from '../../src/tracking/kept-traffic.ts';
import type { ClickRecord, ImpressionRecord, TrafficBatch } from '../../src/tracking/traffic-writes.ts';
import { testStoreLocation } from '../support/test-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

test('a transaction the server aborts in a deadlock runs again and both land', { skip: process.env.DATABASE_URL ? false : 'PGlite runs one transaction at a time' }, async () => {
  const location = await testStoreLocation();
  const { store } = await openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl }, TASKS_MODULE);
  try {
    await store.query('CREATE TABLE retry_probe (id int PRIMARY KEY, n int NOT NULL)');
    await store.query('INSERT INTO retry_probe VALUES (1, 0), (2, 0)');
    const { promise: firstHolds, resolve: firstLocked } = Promise.withResolvers<void>();
    const { promise: secondHolds, resolve: secondLocked } = Promise.withResolvers<void>();
    let runs = 0;
    // Each takes one row, waits until the other has taken the other row, then wants it: a deadlock.
    const crossing = (mine: number, theirs: number, add: number, locked: () => void, other: Promise<void>) =>
      store.transaction(async (tx) => {
        runs += 1;
        await tx.query('UPDATE retry_probe SET n = n + $2 WHERE id = $1', [mine, add]);
        locked();
        await other;
        await tx.query('UPDATE retry_probe SET n = n + $2 WHERE id = $1', [theirs, add]);
      });
    await Promise.all([crossing(1, 2, 1, firstLocked, secondHolds), crossing(2, 1, 10, secondLocked, firstHolds)]);
    assert.equal(runs, 3, 'the server aborted one of the two, and it ran again once, after the other had finished');
    assert.deepEqual(await store.query('SELECT id, n FROM retry_probe ORDER BY id'), [
      { id: 1, n: 11 },
      { id: 2, n: 11 },
    ]);
  } finally {
    await store.close();
    await location.remove();
  }
});

/** Runs `check` against a fresh store of the configured kind, with the demo network in it, and a fresh directory for kept traffic. */
async function withDemoStore(check: (store: Store, demo: DemoNetwork, keptDir: string) => Promise<void>): Promise<void> {
  const location = await testStoreLocation();
  const { store, lock } = await openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl }, TASKS_MODULE);
  const keptDir = await mkdtemp(path.join(tmpdir(), 'partnerline-kept-'));
  try {
    await check(store, await ensureDemoNetwork(store), keptDir);
  } finally {
    await store.close();
    await lock?.release();
    await location.remove();
    await rm(keptDir, { recursive: true, force: true });
  }
}

const refused = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));

/** A counted click as the tracker hands it to the writer. */
function click(demo: DemoNetwork, transactionId: string, source: string | null = null): ClickRecord {
  return {
    transactionId,
    createdAt: new Date(),
    offerId: demo.offerIds[1]!,
    partnerId: demo.partnerIds[0]!,
    outcome: 'counted',
    isUnique: true,
    visitorId: transactionId,
    source,
    affSubs: [],
    affClickId: null,
    params: null,
    subId: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    country: 'US',
    device: 'desktop',
    browser: 'Firefox',
    os: 'Linux',
    referrer: null,
    landingUrl: null,
    costMicros: 0n,
    payoutMicros: 0n,
  };
}

function impression(demo: DemoNetwork): ImpressionRecord {
  const { createdAt, offerId, partnerId, source, ip, country, device } = click(demo, 'not a click');
  return { createdAt, offerId: offerId!, partnerId: partnerId!, source, affSub1: null, fileId: null, ip, country, device, costMicros: 0n, payoutMicros: 0n };
}

/** The traffic stored, and as the statistics count it. */
const trafficCounts = async (store: Store) =>
  (
    await store.query<{ stored: number; counted: number; impressions: number; countedImpressions: number }>(
      `SELECT (SELECT count(*) FROM clicks)::int AS stored, (SELECT coalesce(sum(gross_clicks), 0) FROM stats_hourly)::int AS counted,
              (SELECT count(*) FROM impressions)::int AS impressions,
              (SELECT coalesce(sum(impressions), 0) FROM stats_hourly)::int AS "countedImpressions"`,
    )
  )[0];

/** The store, except that its first write commits and then loses its answer, as when the connection drops during COMMIT. */
function firstAnswerLost(store: Store): Store {
  let answersLost = 1;
  return {
    ...store,
    runTask: (name, input) =>
      store.runTask(name, input).then((result) => {
        if (answersLost-- > 0) throw new Error('Connection terminated unexpectedly');
        return result;
      }),
  };
}

test('clicks whose write committed but whose answer was lost are not counted twice when written again', () =>
  withDemoStore(async (store, demo) => {
    const writer = new ClickWriter(firstAnswerLost(store), { maxBatch: 1000, maxDelayMs: 60_000 });
    writer.addClick(click(demo, '10aaaaaaaaaaaaaaaaaaaaaaaaaaa1'));
    writer.addClick(click(demo, '10aaaaaaaaaaaaaaaaaaaaaaaaaaa2'));
    writer.addImpression(impression(demo));
    await assert.rejects(writer.flush(), /Connection terminated/);
    writer.addClick(click(demo, '10aaaaaaaaaaaaaaaaaaaaaaaaaaa3'));
    writer.addImpression(impression(demo));
    await writer.flush();
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await trafficCounts(store), { stored: 3, counted: 3, impressions: 2, countedImpressions: 2 });
  }),
);

test('impressions written alone, whose write committed but whose answer was lost, are not counted twice', () =>
  withDemoStore(async (store, demo) => {
    const writer = new ClickWriter(firstAnswerLost(store), { maxBatch: 1000, maxDelayMs: 60_000 });
    writer.addImpression(impression(demo));
    writer.addImpression(impression(demo));
    await assert.rejects(writer.flush(), /Connection terminated/);
    writer.addImpression(impression(demo));
    await writer.flush();
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await trafficCounts(store), { stored: 0, counted: 0, impressions: 3, countedImpressions: 3 });
    await writer.close();
    assert.deepEqual(await store.query('SELECT id FROM traffic_write_marks'), [], 'the marks are gone once they are known');
  }),
);

test('a click the store refuses is set aside, and the clicks written with it are stored', () =>
  withDemoStore(async (store, demo) => {
    const writer = new ClickWriter(store, { maxBatch: 1000, maxDelayMs: 60_000 });
    const setAside: string[] = [];
    writer.onSetAside = (row) => setAside.push('transactionId' in row ? row.transactionId : 'an impression');
    // A NUL no text column can hold: the tracking endpoints drop it, but nothing else may be held up by one.
    const poison = '10bbbbbbbbbbbbbbbbbbbbbbbbbbb3';
    for (const [id, source] of [['10bbbbbbbbbbbbbbbbbbbbbbbbbbb1', 'mail'], ['10bbbbbbbbbbbbbbbbbbbbbbbbbbb2', null], [poison, 'bad\u0000source'], ['10bbbbbbbbbbbbbbbbbbbbbbbbbbb4', 'feed']] as const) {
      writer.addClick(click(demo, id, source));
    }
    await writer.flush();
    assert.deepEqual(setAside, [poison]);
    assert.equal(writer.backlog, 0);
    assert.equal(writer.find(poison), undefined, 'a conversion does not wait for it');
    assert.deepEqual(await trafficCounts(store), { stored: 3, counted: 3, impressions: 0, countedImpressions: 0 });
  }),
);

test('a backlog grown while the store was away is written a batch a transaction', () =>
  withDemoStore(async (store, demo) => {
    let away = true;
    const written: number[] = [];
    const returning: Store = {
      ...store,
      runTask: (name, input) => {
        if (away) return refused();
        if (name === 'writeTraffic') written.push((input as TrafficBatch).clicks.length);
        return store.runTask(name, input);
      },
    };
    const writer = new ClickWriter(returning, { maxBatch: 2, maxDelayMs: 60_000 });
    for (let count = 1; count <= 5; count += 1) writer.addClick(click(demo, `10cccccccccccccccccccccccccccc${count}`));
    await assert.rejects(writer.flush(), /ECONNREFUSED/);
    away = false;
    await writer.flush();
    assert.deepEqual(written, [2, 2, 1]);
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await trafficCounts(store), { stored: 5, counted: 5, impressions: 0, countedImpressions: 0 });
  }),
);

test('through a long outage memory holds its share of the traffic and the rest waits on disk, all stored once the store is back', () =>
  withDemoStore(async (store, demo, dir) => {
    let away = true;
    const returning: Store = {
      ...store,
      query: (sql, params) => (away ? refused() : store.query(sql, params)),
      runTask: (name, input) => (away ? refused() : store.runTask(name, input)),
    };
    const writer = new ClickWriter(returning, { maxBatch: 1000, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 3 } });
    const ids = [1, 2, 3, 4, 5].map((count) => `10dddddddddddddddddddddddddddd${count}`);
    for (const id of ids.slice(0, 4)) writer.addClick(click(demo, id));
    writer.addImpression(impression(demo));
    await assert.rejects(writer.flush(), /ECONNREFUSED/);
    const moved = await readdir(dir);
    assert.equal(moved.length, 1, 'past three rows, the five went to disk');
    assert.deepEqual([...writer.waiting().clicks], []);
    assert.equal(writer.backlog, 5, 'still counted as waiting');
    // Retries while the store is away leave the file alone.
    await assert.rejects(writer.ensureWritten(ids[0]!), /ECONNREFUSED/);
    writer.addClick(click(demo, ids[4]!));
    await assert.rejects(writer.flush(), /ECONNREFUSED/);
    assert.deepEqual(await readdir(dir), moved);
    assert.equal(writer.backlog, 6);

    away = false;
    await writer.ensureWritten(ids[0]!);
    await writer.flush();
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual(await trafficCounts(store), { stored: 5, counted: 5, impressions: 1, countedImpressions: 1 });
  }),
);

test('impressions kept at a stop are stored once: those whose write had committed are known by its mark, which stays until their file is gone', () =>
  withDemoStore(async (store, demo, dir) => {
    // The stop's last write of impressions committed with mark A, though its answer was lost; one with mark B did not.
    await store.query("INSERT INTO traffic_write_marks (id) VALUES ('write-a')");
    await keepTraffic(dir, {
      clicks: [click(demo, '10eeeeeeeeeeeeeeeeeeeeeeeeeee1')],
      impressions: [
        { impression: impression(demo), witness: 'write-a' },
        { impression: impression(demo), witness: 'write-b' },
        { impression: impression(demo), witness: undefined },
      ],
    });
    const removedWhileKept: string[][] = [];
    const watched: Store = {
      ...store,
      runTask: (name, input) => {
        if (name === 'writeTraffic') removedWhileKept.push((input as TrafficBatch).settledMarks ?? []);
        return store.runTask(name, input);
      },
    };
    const writer = new ClickWriter(watched, { maxBatch: 1, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } });
    assert.equal(await writer.writeKept(), 4, 'the file held four rows');
    assert.deepEqual(removedWhileKept, [[], []], 'mark A was not removed while a start cut short could still need it');
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual(await trafficCounts(store), { stored: 1, counted: 1, impressions: 2, countedImpressions: 2 });
    await writer.close();
    assert.deepEqual(await store.query('SELECT id FROM traffic_write_marks'), []);
  }),
);

/** The store, except that from the `from`th write of traffic on, a write never answers: as if the process were killed while it ran. */
function hangsFromWrite(store: Store, from: number): { store: Store; hung: Promise<void> } {
  let writes = 0;
  const { promise: hung, resolve } = Promise.withResolvers<void>();
  return {
    hung,
    store: {
      ...store,
      runTask: (name, input) => {
        if (name !== 'writeTraffic' || ++writes < from) return store.runTask(name, input);
        resolve();
        return new Promise(() => {});
      },
    },
  };
}

test('a start killed part-way through storing a kept file leaves it on disk, and the next start stores the rest, each impression once', () =>
  withDemoStore(async (store, demo, dir) => {
    await keepTraffic(dir, {
      clicks: [click(demo, '10ffffffffffffffffffffffffffff1')],
      impressions: [1, 2, 3].map(() => ({ impression: impression(demo), witness: undefined })),
    });
    // One row of each a write: the first write stores the click and an impression, the second never ends.
    const killed = hangsFromWrite(store, 2);
    void new ClickWriter(killed.store, { maxBatch: 1, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } }).writeKept();
    await killed.hung;
    assert.equal((await readdir(dir)).length, 1, 'the file is still there');
    assert.deepEqual(await trafficCounts(store), { stored: 1, counted: 1, impressions: 1, countedImpressions: 1 });

    const writer = new ClickWriter(store, { maxBatch: 1000, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } });
    assert.equal(await writer.writeKept(), 4);
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual(await trafficCounts(store), { stored: 1, counted: 1, impressions: 3, countedImpressions: 3 });
    await writer.close();
    assert.deepEqual(await store.query('SELECT id FROM traffic_write_marks'), [], 'the marks are gone with their file');
  }),
);

test('traffic moved to disk during an outage stays there until it is stored: a process killed as it comes back loses none of it', () =>
  withDemoStore(async (store, demo, dir) => {
    let away = true;
    const killed = hangsFromWrite(store, 1);
    const returning: Store = {
      ...killed.store,
      query: (sql, params) => (away ? refused() : store.query(sql, params)),
      runTask: (name, input) => (away ? refused() : killed.store.runTask(name, input)),
    };
    const writer = new ClickWriter(returning, { maxBatch: 1000, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 2 } });
    writer.addClick(click(demo, '10abababababababababababababab1'));
    writer.addImpression(impression(demo));
    writer.addImpression(impression(demo));
    await assert.rejects(writer.flush(), /ECONNREFUSED/);
    assert.equal((await readdir(dir)).length, 1, 'moved to disk');
    away = false;
    void writer.flush();
    await killed.hung;
    assert.equal((await readdir(dir)).length, 1, 'taken back, and still on disk while its write runs');

    const next = new ClickWriter(store, { maxBatch: 1000, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } });
    assert.equal(await next.writeKept(), 3);
    assert.deepEqual(await trafficCounts(store), { stored: 1, counted: 1, impressions: 2, countedImpressions: 2 });
  }),
);

test('a start whose store goes away part-way through a kept file keeps what is left in that file\'s place, and the next start stores it once', () =>
  withDemoStore(async (store, demo, dir) => {
    await keepTraffic(dir, {
      clicks: [click(demo, '10acacacacacacacacacacacacacac1'), click(demo, '10acacacacacacacacacacacacacac2')],
      impressions: [1, 2, 3].map(() => ({ impression: impression(demo), witness: undefined })),
    });
    let writes = 0;
    const leaving: Store = {
      ...store,
      query: (sql, params) => (writes >= 1 ? refused() : store.query(sql, params)),
      runTask: (name, input) => (name === 'writeTraffic' && writes++ >= 1 ? refused() : store.runTask(name, input)),
    };
    await assert.rejects(new ClickWriter(leaving, { maxBatch: 1, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } }).writeKept(), /ECONNREFUSED/);
    const left = await readdir(dir);
    assert.equal(left.length, 1, 'one file, not the old beside the new');
    assert.deepEqual(await trafficCounts(store), { stored: 1, counted: 1, impressions: 1, countedImpressions: 1 });
    const kept = await readKeptTraffic(path.join(dir, left[0]!));
    assert.deepEqual([kept.clicks.length, kept.impressions.length], [1, 2], 'what the first write stored is not kept again');

    const writer = new ClickWriter(store, { maxBatch: 1000, maxDelayMs: 60_000, keep: { dir, maxRowsInMemory: 1000 } });
    assert.equal(await writer.writeKept(), 3);
    assert.deepEqual(await trafficCounts(store), { stored: 2, counted: 2, impressions: 3, countedImpressions: 3 });
    await writer.close();
    assert.deepEqual(await readdir(dir), []);
  }),
);
