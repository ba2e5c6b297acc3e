import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { testStoreLocation } from '../support/test-store.ts';

test('a transaction the server aborts in a deadlock runs again and both land', { skip: process.env.DATABASE_URL ? false : 'PGlite runs one transaction at a time' }, async () => {
  const location = await testStoreLocation();
  const { store } = await openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl });
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
