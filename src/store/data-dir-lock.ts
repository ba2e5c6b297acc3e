import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../shared/process-alive.ts';

/** What a running server leaves in its data directory so operators' commands can reach it. */
export interface LockInfo {
  pid: number;
  adminUrl?: string;
  adminToken?: string;
}

export const LOCK_FILE = 'partnerline.lock';

/** The live holder of the data directory, if any; a lock left by a dead process does not count. */
export async function readLock(dataDir: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return isAlive(info.pid) && info.pid !== process.pid ? info : undefined;
  } catch {
    return undefined;
  }
}

export class DataDirInUseError extends Error {
  readonly holder: LockInfo;
  constructor(dataDir: string, holder: LockInfo) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid}. ` +
        `The embedded store allows one process at a time: stop that process, ` +
        `or run the command while the server is up so it goes through the server.`,
    );
    this.holder = holder;
  }
}

/** The embedded store is single-process: a second opener would corrupt it, so it must not open. */
export async function acquireDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const holder = await readLock(dataDir);
  if (holder) throw new DataDirInUseError(dataDir, holder);
  const lock = new DataDirLock(dataDir);
  await lock.write({ pid: process.pid });
  return lock;
}

export class DataDirLock {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, LOCK_FILE);
  }
  async write(info: LockInfo): Promise<void> {
    await writeFile(this.file, JSON.stringify(info), { mode: 0o600 });
  }
  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
