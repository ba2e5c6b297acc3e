/**
 * The one narrow door to the database. Everything above it speaks SQL through `query`;
 * the same SQL runs on PGlite (embedded, default) and on a PostgreSQL server.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Transaction extends Queryable {
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Appends many rows at once, the fastest way each store has: COPY on PGlite; one statement on a
   * server, where a row already there (same primary key) is left as it is.
   */
  bulkInsert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

export interface Store extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs a task of the tasks module the store was opened with, in one transaction, where the data is. */
  runTask(name: string, input: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** A task of the tasks module: work that runs whole in one transaction. */
export type TransactionTask = (tx: Transaction, input: never) => Promise<unknown>;

/**
 * Loads the tasks a store runs from the module the domain names (its URL), which exports them as
 * TRANSACTION_TASKS. The store knows the tasks by name only, and imports none of the domain.
 */
export async function loadTasks(tasksModule: string): Promise<Record<string, TransactionTask>> {
  const loaded = (await import(tasksModule)) as { TRANSACTION_TASKS: Record<string, TransactionTask> };
  return loaded.TRANSACTION_TASKS;
}

/** Runs one loaded task by name; an unknown name is a programming error. */
export function runLoadedTask(tasks: Record<string, TransactionTask>, name: string, tx: Transaction, input: unknown): Promise<unknown> {
  const task = tasks[name];
  if (!task) throw new Error(`no transaction task named ${name}`);
  return (task as (tx: Transaction, input: unknown) => Promise<unknown>)(tx, input);
}

/** PostgreSQL type ids whose text form we parse ourselves, identically on both drivers. */
export const PG_TYPE = { INT8: 20, DATE: 1082 } as const;

/** int8 carries money and counts: exact as bigint. Dates stay `YYYY-MM-DD` strings. */
export const typeParsers: Record<number, (text: string) => unknown> = {
  [PG_TYPE.INT8]: (text) => BigInt(text),
  [PG_TYPE.DATE]: (text) => text,
};

/** Postgres SQLSTATE for unique_violation and foreign_key_violation, the two a caller may expect. */
export const SQLSTATE = { UNIQUE_VIOLATION: '23505', FOREIGN_KEY_VIOLATION: '23503' } as const;

export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** SQLSTATE class 22, data exception: a value the statement could not take, such as a caller's malformed regular expression. */
export function isDataException(error: unknown): boolean {
  return sqlState(error)?.startsWith('22') === true;
}

/** A value as a CSV field for COPY: NULL unquoted and empty, everything else quoted. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'boolean' ? (value ? 't' : 'f') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}
