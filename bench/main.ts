import pg from 'pg';
import { format, load, startProcess } from './load.ts';
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
  const ceilingServer = await startProcess('bench/ceiling-server.ts', {});
  await load({ url: ceilingServer.url, duration: 2 });
  const ceiling = await load({ url: ceilingServer.url, duration: Number(process.env.BENCH_SECONDS ?? 10) });
  await ceilingServer.stop();
  console.log(`  (a) ceiling, bare node:http 302:   ${format(ceiling)}`);

  await trackingBench('PGlite (embedded, on disk)', undefined, ceiling);
  const postgres = await postgresDatabase();
  if (postgres) {
    try {
      await trackingBench('PostgreSQL server', postgres.url, ceiling);
    } finally {
      await postgres.drop();
    }
  } else {
    console.log('\n[PostgreSQL server] skipped: no server answered (set BENCH_DATABASE_URL)');
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
