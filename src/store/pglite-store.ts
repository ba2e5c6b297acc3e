import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './pglite-worker.ts';
import type { Store, Transaction } from './store.ts';

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** An error from the database thread, with its SQLSTATE as `code` like the server driver's. */
class StoreError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  constructor(message: string, code: string | undefined, detail: string | undefined) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

/** PGlite, run on a worker thread; every call is a message to it. */
export async function openPgliteStore(dataDir: string, tasksModule: string): Promise<Store> {
  const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url));
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  worker.on('message', (reply: WorkerReply) => {
    const call = waiting.get(reply.id);
    if (!call) return;
    waiting.delete(reply.id);
    if (reply.ok) call.resolve(reply.result);
    else call.reject(new StoreError(reply.error.message, reply.error.code, reply.error.detail));
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the database thread stopped (exit code ${code})`)));

  const call = <T>(request: Request): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };

  await call({ op: 'open', dataDir, tasksModule });
  return {
    kind: 'pglite',
    query: (sql, params) => call({ op: 'query', sql, params: params as unknown[] | undefined }),
    async transaction(work) {
      const tx = await call<number>({ op: 'begin' });
      const wrapped: Transaction = {
        query: (sql, params) => call({ op: 'query', tx, sql, params: params as unknown[] | undefined }),
        exec: (sql) => call({ op: 'exec', tx, sql }),
        bulkInsert: async (table, columns, rows) => {
          if (rows.length > 0) await call({ op: 'bulkInsert', tx, table, columns: [...columns], rows: rows as unknown[][] });
        },
      };
      let result;
      try {
        result = await work(wrapped);
      } catch (error) {
        await call({ op: 'rollback', tx }).catch(() => {});
        throw error;
      }
      await call({ op: 'commit', tx });
      return result;
    },
    runTask: (name, input) => call({ op: 'task', name, input }),
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
