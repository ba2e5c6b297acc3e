import { recordConversions } from '../ledger/conversions.ts';
import { writeTraffic } from '../tracking/traffic-writes.ts';
import type { Transaction } from './store.ts';

/**
 * Work that runs whole inside one transaction, next to the data: on the embedded store it runs on
 * the database thread, so its many statements cost no round trips between threads. Inputs and
 * results cross threads by structured clone (bigint and Date included).
 */
export const TRANSACTION_TASKS = {
  recordConversions,
  writeTraffic,
} satisfies Record<string, (tx: Transaction, input: never) => Promise<unknown>>;

export type TaskName = keyof typeof TRANSACTION_TASKS;
export type TaskInput<N extends TaskName> = Parameters<(typeof TRANSACTION_TASKS)[N]>[1];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof TRANSACTION_TASKS)[N]>>;
