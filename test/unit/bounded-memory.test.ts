import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from '../../src/shared/bounded-map.ts';
import { ShortLinkCache } from '../../src/tracking/short-links.ts';
import { SpendCounters } from '../../src/tracking/spend-counters.ts';
import type { TrackedOffer } from '../../src/tracking/tracking-catalog.ts';
import { UniqueVisitors } from '../../src/tracking/unique-visitors.ts';

test('a bounded map keeps the newest entries, a key set again counting as new', () => {
  const map = new Map<string, number>();
  const forgotten = [['a', 1], ['b', 2], ['a', 3], ['c', 4]].map(([key, value]) => setBounded(map, key as string, value as number, 2));
  assert.deepEqual([...map], [['a', 3], ['c', 4]]);
  assert.deepEqual(forgotten, [undefined, undefined, undefined, ['b', 2]], 'each call answers the entry it forgot');
});

test('short codes that do not exist, sent by the thousand, are remembered only up to the cache size', async () => {
  const asked: string[] = [];
  const store = { query: async <R>(_sql: string, params?: readonly unknown[]) => (asked.push(String(params![0])), []) as R[] };
  const cache = new ShortLinkCache(store, 100);
  for (let index = 0; index < 5_000; index += 1) assert.equal(await cache.resolve(`scan${String(index).padStart(6, '0')}`), undefined);
  assert.equal(asked.length, 5_000);
  // The latest misses are still remembered; the first ones were forgotten and are asked again.
  await cache.resolve('scan004999');
  await cache.resolve('scan000000');
  assert.deepEqual(asked.slice(5_000), ['scan000000']);
});

test('a visitor is remembered for the window, and the oldest visitors go first when memory is full', () => {
  const visitors = new UniqueVisitors(60_000, 2);
  assert.equal(visitors.firstVisit('v1', 1, 1, 0), true);
  assert.equal(visitors.firstVisit('v1', 1, 1, 1_000), false);
  assert.equal(visitors.firstVisit('v2', 1, 1, 2_000), true);
  assert.equal(visitors.firstVisit('v3', 1, 1, 3_000), true);
  assert.equal(visitors.firstVisit('v1', 1, 1, 4_000), true, 'v1 was the oldest and was forgotten');
  assert.equal(visitors.firstVisit('v1', 1, 1, 64_000), true, 'the window has passed');
});

test('spend counters forget ended days and months, and keep the current ones and the lifetime', () => {
  const counters = new SpendCounters();
  const offer = { id: 7, dailyBudgetMicros: 10_000_000n, clickCaps: [] } as unknown as TrackedOffer;
  const zone = 'America/New_York';
  const lastDayOfOctober = new Date('2026-10-31T15:00:00Z');
  const firstOfNovember = new Date('2026-11-01T15:00:00Z');
  const secondOfNovember = new Date('2026-11-02T15:00:00Z');
  for (const at of [lastDayOfOctober, firstOfNovember, secondOfNovember]) counters.add(offer, 3, at, zone, { clicks: 1n, costMicros: 250_000n });
  counters.forgetPast(secondOfNovember, zone);
  const clicks = (period: 'day' | 'month' | 'lifetime', at: Date) => counters.get(7, 3, period, at, zone).clicks;
  assert.deepEqual(
    [clicks('day', lastDayOfOctober), clicks('day', firstOfNovember), clicks('day', secondOfNovember)],
    [0n, 0n, 1n],
  );
  assert.deepEqual([clicks('month', lastDayOfOctober), clicks('month', secondOfNovember), clicks('lifetime', secondOfNovember)], [0n, 2n, 3n]);
  assert.equal(counters.get(7, null, 'day', secondOfNovember, zone).costMicros, 250_000n);
});
