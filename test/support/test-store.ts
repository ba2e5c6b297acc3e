import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Where a test keeps its data: a fresh PGlite directory, or, when DATABASE_URL names a PostgreSQL
 * server, a fresh database on it. Either way the test owns it alone and it is removed afterwards.
 */
export interface TestStoreLocation {
  dataDir: string;
  databaseUrl: string | undefined;
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function testStoreLocation(): Promise<TestStoreLocation> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'partnerline-test-'));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return { dataDir, databaseUrl: undefined, env: { DATA_DIR: dataDir }, remove: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `partnerline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    dataDir,
    databaseUrl,
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    async remove() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
