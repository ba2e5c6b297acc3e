import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { SQLSTATE, sqlState } from '../../src/store/store.ts';
import { testStoreLocation } from '../support/test-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

test('statements in a transaction: values of every kind come back as they went, a refused one names its SQLSTATE, and any number of distinct statements runs', async () => {
  const location = await testStoreLocation();
  const { store, lock } = await openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl }, TASKS_MODULE);
  try {
    await store.query('CREATE TABLE statement_probe (id int PRIMARY KEY, amount int8 NOT NULL, tags text[], at timestamptz, doc jsonb)');
    const at = new Date('2026-03-08T06:59:59.123Z');
    const rows = await store.transaction(async (tx) => {
      // The same statement twice: the second time it is the one kept from the first.
      for (const [id, amount] of [[1, 9_007_199_254_740_993n], [2, -1n]] as const) {
        await tx.query('INSERT INTO statement_probe (id, amount, tags, at, doc) VALUES ($1, $2, $3, $4, $5)', [id, amount, ['a', 'b,"c"'], at, { deep: [1, 'x'] }]);
      }
      return tx.query('SELECT id, amount, tags, at, doc FROM statement_probe WHERE id = ANY($1::int[]) ORDER BY id', [[1, 2]]);
    });
    assert.deepEqual(rows, [
      { id: 1, amount: 9_007_199_254_740_993n, tags: ['a', 'b,"c"'], at, doc: { deep: [1, 'x'] } },
      { id: 2, amount: -1n, tags: ['a', 'b,"c"'], at, doc: { deep: [1, 'x'] } },
    ]);

    const refused = await store
      .transaction(async (tx) => {
        await tx.query('UPDATE statement_probe SET amount = amount + 1 WHERE id = $1', [2]);
        await tx.query('INSERT INTO statement_probe (id, amount, tags, at, doc) VALUES ($1, $2, $3, $4, $5)', [1, 0n, null, null, null]);
      })
      .catch((error: unknown) => error);
    assert.equal(sqlState(refused), SQLSTATE.UNIQUE_VIOLATION);
    assert.deepEqual(await store.query('SELECT amount FROM statement_probe WHERE id = 2'), [{ amount: -1n }], 'the failed transaction changed nothing');

    // More distinct statements than PGlite keeps prepared, then the first again.
    const sums = await store.transaction(async (tx) => {
      const answers: number[] = [];
      for (let offset = 0; offset < 600; offset += 1) answers.push(((await tx.query<{ n: number }>(`SELECT $1::int + ${offset} AS n`, [1]))[0]!).n);
      answers.push(((await tx.query<{ n: number }>('SELECT $1::int + 0 AS n', [41]))[0]!).n);
      return answers;
    });
    assert.equal(sums.length, 601);
    assert.deepEqual([sums[0], sums[599], sums[600]], [1, 600, 41]);

    if (!location.databaseUrl) {
      // The embedded store keeps a transaction's statements prepared: they must not be planned again at every run.
      const lookup = 'SELECT id FROM statement_probe WHERE id = ANY($1::int[])';
      const plans = await store.transaction(async (tx) => {
        for (let run = 0; run < 8; run += 1) await tx.query(lookup, [[1]]);
        return tx.query('SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1', [lookup]);
      });
      assert.deepEqual(plans, [{ generic: 8, custom: 0 }]);
      assert.deepEqual(await store.query('SHOW plan_cache_mode'), [{ plan_cache_mode: 'auto' }], 'outside its transactions, statements are planned for their values');
    }
  } finally {
    await store.close();
    await lock?.release();
    await location.remove();
  }
});
