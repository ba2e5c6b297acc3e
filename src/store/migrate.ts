import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from './store.ts';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

interface Migration {
  version: number;
  name: string;
  file: string;
}

async function listMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).sort();
  return files.map((file) => {
    const match = /^(\d+)_(.+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file "${file}" must be named NNN_name.sql`);
    return { version: Number(match[1]), name: match[2]!, file: path.join(MIGRATIONS_DIR, file) };
  });
}

/**
 * Applies every migration not yet recorded, in one transaction under an advisory lock,
 * so processes starting together against one server apply each exactly once.
 */
export async function migrate(store: Store): Promise<number[]> {
  const migrations = await listMigrations();
  return store.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(727274)`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version),
    );
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.exec(await readFile(migration.file, 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
