import path from 'node:path';
import type { Config } from '../config.ts';
import { acquireDataDir, type DataDirLock } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';
import { openPgliteStore } from './pglite-store.ts';
import { openPostgresStore } from './postgres-store.ts';
import type { Store } from './store.ts';

export interface OpenedStore {
  store: Store;
  /** Present for the embedded store, whose directory this process now holds. */
  lock: DataDirLock | undefined;
}

/** Opens the configured store and brings its schema up to date; `tasksModule` names the domain's transaction tasks. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>, tasksModule: string): Promise<OpenedStore> {
  if (config.databaseUrl) {
    const store = await openPostgresStore(config.databaseUrl, tasksModule);
    await migrate(store);
    return { store, lock: undefined };
  }
  const lock = await acquireDataDir(config.dataDir);
  try {
    const store = await openPgliteStore(path.join(config.dataDir, 'pglite'), tasksModule);
    await migrate(store);
    return { store, lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
