import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import { test } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { ClickWriter } from '../../src/tracking/click-writer.ts';
import type { ClickRecord } from '../../src/tracking/traffic-writes.ts';

const click = (transactionId: string): ClickRecord => ({
  transactionId, createdAt: new Date(), offerId: 1, partnerId: 1, outcome: 'counted', isUnique: true, visitorId: 'v', source: null,
  affSubs: [null, null, null, null, null], affClickId: null, params: null, subId: null, ip: '8.8.8.8', userAgent: 'test', country: 'US',
  device: 'desktop', browser: '', os: '', referrer: null, landingUrl: null, costMicros: 0n, payoutMicros: 0n,
});

test('clicks being committed still count as not yet stored, as /readyz reports them', async () => {
  const committed = Promise.withResolvers<void>();
  const store = { kind: 'pglite', query: async () => [], runTask: () => committed.promise } as unknown as Store;
  const writer = new ClickWriter(store, { maxBatch: 1000, maxDelayMs: 60_000 });
  writer.addClick(click('10a'));
  writer.addClick(click('10b'));
  assert.equal(writer.notYetStored, 2);
  const flushing = writer.flush();
  await setImmediate();
  assert.equal(writer.notYetStored, 2, 'the batch under way is not stored yet');
  committed.resolve();
  await flushing;
  assert.equal(writer.notYetStored, 0);
});
