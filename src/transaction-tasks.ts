import { recordConversions } from './ledger/conversions.ts';
import type { Transaction } from './store/store.ts';
import { writeTraffic } from './tracking/traffic-writes.ts';

/**
 * Work that runs whole inside one transaction, next to the data: on the embedded store it runs on
 * the database thread, so its many statements cost no round trips between threads. Inputs and
 * results cross threads by structured clone (bigint and Date included). The store knows these by
 * name only: it loads this module (TASKS_MODULE) where the work runs.
 */
export const TRANSACTION_TASKS = {
  recordConversions,
  writeTraffic,
} satisfies Record<string, (tx: Transaction, input: never) => Promise<unknown>>;

/** What the store is opened with, to find the tasks on whichever thread runs them. */
export const TASKS_MODULE = import.meta.url;
