import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { loadTasks, runLoadedTask, sqlState, typeParsers, type Store, type Transaction } from './store.ts';

/** Deadlock detected; serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const RETRIES = 3;

export async function openPostgresStore(connectionString: string, tasksModule: string): Promise<Store> {
  const tasks = await loadTasks(tasksModule);
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        typeParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const runTransaction = async <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const tx: Transaction = {
      async query(sql, params) {
        const result = await client.query(sql, params as unknown[] | undefined);
        return result.rows;
      },
      async exec(sql) {
        await client.query(sql);
      },
      async bulkInsert(table, columns, rows) {
        if (rows.length === 0) return;
        const records = rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, jsonValue(row[index])])));
        await client.query(
          `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(records)],
        );
      },
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  const store: Store = {
    kind: 'postgres',
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async transaction(work) {
      // A deadlock or serialization failure rolls the whole transaction back, so running it again is safe.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await runTransaction(work);
        } catch (error) {
          if (attempt >= RETRIES || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
          // Run again at once and it may take the first row back before the transaction that won
          // takes it, and deadlock again: let the winner finish, at a jittered moment.
          await setTimeout(attempt * (5 + Math.random() * 20));
        }
      }
    },
    runTask(name, input) {
      return store.transaction((tx) => runLoadedTask(tasks, name, tx, input));
    },
    async close() {
      await pool.end();
    },
  };
  return store;
}

function jsonValue(value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}
