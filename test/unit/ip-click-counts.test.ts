import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpClickCounts } from '../../src/tracking/ip-click-counts.ts';

test('an address may make the limit of counted clicks in a clock hour, and as many again the next', () => {
  const counts = new IpClickCounts();
  const hour = Date.parse('2026-12-05T10:00:00Z');
  const limit = 2;
  const passes: boolean[] = [];
  for (const at of [hour, hour + 1_000, hour + 3_599_999]) {
    passes.push(counts.wouldPass('a', at, limit));
    if (!passes.at(-1)) counts.add('a', at);
  }
  assert.deepEqual(passes, [false, false, true]);
  assert.equal(counts.wouldPass('b', hour + 2_000, limit), false, 'another address counts on its own');
  assert.equal(counts.wouldPass('a', hour + 3_600_000, limit), false, 'a new hour starts over');
});

test('the counts stay bounded: past the capacity the addresses seen longest ago are forgotten', () => {
  const counts = new IpClickCounts(2);
  const now = Date.parse('2026-12-05T10:00:00Z');
  for (const key of ['a', 'b', 'c']) counts.add(key, now);
  assert.deepEqual(['a', 'b', 'c'].map((key) => counts.wouldPass(key, now, 1)), [false, true, true]);
});

test("what the other processes counted is learned for the hour it was counted in, never lowering this one's count", () => {
  const counts = new IpClickCounts();
  const hour = Date.parse('2026-12-05T10:00:00Z');
  counts.add('a', hour);
  counts.learn('a', hour + 10, 5);
  assert.equal(counts.wouldPass('a', hour + 20, 5), true, 'five made together reach a limit of five');
  counts.learn('a', hour + 30, 2);
  assert.equal(counts.wouldPass('a', hour + 40, 5), true, 'an older, lower total changes nothing');
  counts.learn('b', hour - 1, 9);
  assert.equal(counts.wouldPass('b', hour + 50, 5), false, "last hour's total does not count in this one");
});
