import { PGlite } from '@electric-sql/pglite';
import type { Store, Transaction } from './store.ts';
import { typeParsers } from './store.ts';

export async function openPgliteStore(dataDir: string): Promise<Store> {
  const db = await PGlite.create({ dataDir, parsers: typeParsers });
  return {
    kind: 'pglite',
    async query(sql, params) {
      const result = await db.query(sql, params as unknown[] | undefined);
      return result.rows as never[];
    },
    transaction(work) {
      return db.transaction((tx) => {
        const wrapped: Transaction = {
          async query(sql, params) {
            const result = await tx.query(sql, params as unknown[] | undefined);
            return result.rows as never[];
          },
          async exec(sql) {
            await tx.exec(sql);
          },
        };
        return work(wrapped);
      });
    },
    async close() {
      await db.close();
    },
  };
}
