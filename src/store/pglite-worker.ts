import { PGlite, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { parentPort } from 'node:worker_threads';
import { PreparedStatements } from './pglite-statements.ts';
import { csvField, loadTasks, runLoadedTask, typeParsers, type Transaction, type TransactionTask } from './store.ts';

/**
 * The embedded database in its own thread: PGlite's work (WebAssembly, on this thread's event loop)
 * no longer stalls the HTTP event loop. The main thread sends requests; see pglite-store.ts.
 */

export type WorkerRequest =
  | { id: number; op: 'open'; dataDir: string; tasksModule: string }
  | { id: number; op: 'query'; tx?: number; sql: string; params?: unknown[] }
  | { id: number; op: 'exec'; tx?: number; sql: string }
  | { id: number; op: 'bulkInsert'; tx: number; table: string; columns: string[]; rows: unknown[][] }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'task'; name: string; input: unknown }
  | { id: number; op: 'close' };

export type WorkerReply = { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: { message: string; code?: string; detail?: string } };

let db: PGlite | undefined;
let tasks: Record<string, TransactionTask> = {};
let statements: PreparedStatements | undefined;
let nextTx = 1;
const transactions = new Map<number, { tx: PgliteTransaction; finish: (commit: boolean) => void; done: Promise<void> }>();

const ROLLBACK = Symbol('rollback');

/** A PGlite transaction as the store's Transaction, for tasks that run here. */
function wrap(tx: PgliteTransaction): Transaction {
  return {
    query: async (sql, params) => (await statements!.query(sql, params)) as never[],
    exec: async (sql) => void (await tx.exec(sql)),
    bulkInsert: (table, columns, rows) => copyRows(tx, table, columns, rows),
  };
}

async function copyRows(tx: PgliteTransaction, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  // COPY parses CSV in the engine: several times cheaper per row than INSERT from arrays.
  const csv = rows.map((row) => row.map(csvField).join(',')).join('\n');
  await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
}

/** A transaction of ours: the statements kept prepared in it run on their generic plans. */
function transaction<T>(work: (tx: PgliteTransaction) => Promise<T>): Promise<T> {
  return db!.transaction(async (tx) => {
    await statements!.useGenericPlans();
    return work(tx);
  });
}

function target(tx: number | undefined): PGlite | PgliteTransaction {
  if (tx === undefined) return db!;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open.tx;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'open':
      tasks = await loadTasks(request.tasksModule);
      db = await PGlite.create({ dataDir: request.dataDir, parsers: typeParsers });
      statements = new PreparedStatements(db);
      return undefined;
    case 'query':
      // Alone, a statement is PGlite's to run in a transaction of its own; in one of ours (still open), it is kept prepared.
      if (request.tx === undefined) return (await db!.query(request.sql, request.params)).rows;
      target(request.tx);
      return statements!.query(request.sql, request.params);
    case 'exec':
      await target(request.tx).exec(request.sql);
      return undefined;
    case 'bulkInsert':
      await copyRows(target(request.tx) as PgliteTransaction, request.table, request.columns, request.rows);
      return undefined;
    case 'begin': {
      const id = nextTx++;
      let finish!: (commit: boolean) => void;
      const decided = new Promise<boolean>((resolve) => (finish = resolve));
      let opened!: () => void;
      const ready = new Promise<void>((resolve) => (opened = resolve));
      const done = transaction(async (tx) => {
        transactions.set(id, { tx, finish, done: Promise.resolve() });
        opened();
        if (!(await decided)) throw ROLLBACK;
      })
        .then(
          () => undefined,
          (error: unknown) => {
            if (error !== ROLLBACK) throw error;
          },
        )
        .finally(() => transactions.delete(id));
      // A transaction that fails to begin reports that instead of hanging.
      await Promise.race([ready, done]);
      transactions.get(id)!.done = done;
      return id;
    }
    case 'commit':
    case 'rollback': {
      const open = transactions.get(request.tx);
      if (!open) throw new Error(`transaction ${request.tx} is not open`);
      open.finish(request.op === 'commit');
      await open.done;
      return undefined;
    }
    case 'task':
      return transaction((tx) => runLoadedTask(tasks, request.name, wrap(tx), request.input));
    case 'close':
      await db?.close();
      return undefined;
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => parentPort!.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply),
    (error: { message?: string; code?: string; detail?: string }) =>
      parentPort!.postMessage({
        id: request.id,
        ok: false,
        error: { message: error?.message ?? String(error), code: error?.code, detail: error?.detail },
      } satisfies WorkerReply),
  );
});
