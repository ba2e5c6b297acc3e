import pg from 'pg';
import { DEFAULT_SIZE } from './report-data.ts';
import { reportBench } from './report-bench.ts';
import { syncBench } from './sync-bench.ts';
import { trackingBench } from './tracking-bench.ts';

/** `npm run bench`: the tracking benchmark on PGlite, then on the PostgreSQL server if one answers. */
async function postgresDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `partnerline_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    return undefined;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function main(): Promise<void> {
  console.log(`Partnerline benchmark on Node ${process.version}, ${process.env.BENCH_SECONDS ?? 10} s per run, load generator in this process`);
  const only = process.env.BENCH_ONLY;
  const size = { ...DEFAULT_SIZE, clicks: Number(process.env.BENCH_REPORT_CLICKS ?? DEFAULT_SIZE.clicks) };
  size.conversions = Math.round(size.clicks / 50);
  const runs: Array<[string, (databaseUrl: string | undefined, label: string) => Promise<void>]> = [];
  if (only !== 'reports' && only !== 'sync') runs.push(['tracking', async (url, label) => void (await trackingBench(label, url))]);
  if (only !== 'tracking' && only !== 'sync') runs.push(['reports', (url, label) => reportBench(label, url, size)]);
  if (only === undefined || only === 'sync') await syncBench();
  for (const [, run] of runs) {
    await run(undefined, 'PGlite (embedded, on disk)');
    const postgres = await postgresDatabase();
    if (!postgres) {
      console.log('\n[PostgreSQL server] skipped: no server answered (set BENCH_DATABASE_URL)');
      continue;
    }
    try {
      await run(postgres.url, 'PostgreSQL server');
    } finally {
      await postgres.drop();
    }
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
