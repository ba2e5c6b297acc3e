import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPERATOR } from '../src/accounts/principal.ts';
import { ensureDemoNetwork } from '../src/demo/demo-network.ts';
import { createOffer } from '../src/offers/offers.ts';
import { openStore } from '../src/store/open-store.ts';
import { accountCpu, formatCpu } from './cpu-accounting.ts';
import { format, load, startProcess, steadyLoad, type LoadResult } from './load.ts';

/** Every click of the run, and the ceiling's requests, come from one phone's browser. */
const BROWSER = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** A CPA offer with no caps or budget, so nothing but the run itself limits what is counted. */
async function prepareNetwork(databaseUrl: string | undefined, dataDir: string): Promise<{ offerId: number; partnerId: number }> {
  const { store, lock } = await openStore({ databaseUrl, dataDir });
  try {
    const demo = await ensureDemoNetwork(store);
    const offer = await createOffer(store, OPERATOR, {
      advertiserId: demo.advertiserIds[0]!,
      name: 'Benchmark offer',
      destinationUrl: 'https://acme-outdoor.example/bench?tid={transaction_id}&s={aff_sub}',
      payoutType: 'cpa_flat',
      payoutFlatMicros: 2_000_000n,
      revenueType: 'cpa_flat',
      revenueFlatMicros: 3_000_000n,
    });
    return { offerId: offer.id, partnerId: demo.partnerIds[0]! };
  } finally {
    await store.close();
    await lock?.release();
  }
}

export interface TrackingFigures {
  ceiling: LoadResult;
  clicks: LoadResult;
  halfRate: LoadResult;
  conversions: LoadResult;
  conversionsPerSecond: number;
  checks: string[];
}

/**
 * (a) the ceiling, measured again before each store's run: this host's speed drifts, and b/a
 * compares like with like. It is sent the clicks' own requests.
 */
async function measureCeiling(clickPath: string): Promise<LoadResult> {
  const ceilingServer = await startProcess('bench/ceiling-server.ts', {});
  try {
    const request = { url: `${ceilingServer.url}${clickPath}`, headers: BROWSER };
    await load({ ...request, duration: 2 });
    return await accountCpu(ceilingServer.child.pid!, () => load({ ...request, duration: SECONDS }));
  } finally {
    await ceilingServer.stop();
  }
}

/**
 * (a) the ceiling, (b) /aff_c with every click persisted, the latency at half of b's peak, and
 * (c) durable conversion postbacks; then every click and conversion of the run is checked against
 * the statistics.
 */
export async function trackingBench(storeLabel: string, databaseUrl: string | undefined): Promise<TrackingFigures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'partnerline-bench-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const { offerId, partnerId } = await prepareNetwork(databaseUrl, dataDir);
  const clickPath = `/aff_c?offer_id=${offerId}&aff_id=${partnerId}&aff_sub=bench`;
  const ceiling = await measureCeiling(clickPath);
  const server = await startProcess('src/main.ts', env);
  const clickUrl = `${server.url}${clickPath}`;
  const transactionIds: string[] = [];
  const collect = (status: number, _body: string, _context: object, headers: IncomingHttpHeaders | undefined) => {
    if (status === 302 && headers?.['x-partnerline-click'] === 'counted') transactionIds.push(new URL(headers.location!).searchParams.get('tid')!);
  };
  const conversionsWanted = 4000 * SECONDS;
  try {
    // The warm-up keeps each click's transaction id for (c). The measured runs read no answer, as
    // the ceiling's does not: reading them costs the load generator, which shares this host's cores.
    // Fixed request counts rather than durations, so every answer is counted and can be checked.
    const warmup = await load({ url: clickUrl, amount: conversionsWanted, headers: BROWSER, requests: [{ onResponse: collect }] });
    const clicks = await accountCpu(server.child.pid!, () => load({ url: clickUrl, amount: Math.round(warmup.rps * SECONDS), headers: BROWSER }));
    const half = Math.max(1, Math.round(clicks.rps / 2));
    const halfRate = await steadyLoad({ url: clickUrl, rate: half, seconds: SECONDS, streams: 20, headers: BROWSER });
    const redirected = [warmup, clicks, halfRate].reduce((sum, run) => sum + (run.statusCounts['302'] ?? 0), 0);
    let next = 0;
    let converted = 0;
    const conversions = await accountCpu(server.child.pid!, () =>
      load({
        url: server.url,
        amount: Math.min(transactionIds.length, conversionsWanted),
        requests: [
          {
            setupRequest: (request) => {
              const transactionId = transactionIds[next++ % transactionIds.length];
              return { ...request, method: 'GET', path: `/aff_lsr?transaction_id=${transactionId}&amount=10.00` };
            },
            onResponse: (_status: number, body: string) => {
              if (body === 'success=true;') converted += 1;
            },
          },
        ],
      }),
    );
    const exitCode = await server.stop();

    const { store, lock } = await openStore({ databaseUrl, dataDir });
    const checks: string[] = [];
    try {
      const [totals] = await store.query<{ stored: bigint; clicks: bigint; statsClicks: bigint; conversions: bigint; statsApproved: bigint }>(
        `SELECT (SELECT count(*) FROM clicks)::int8 AS stored,
                (SELECT count(*) FROM clicks WHERE outcome = 'counted')::int8 AS clicks,
                (SELECT coalesce(sum(gross_clicks), 0) FROM stats_hourly)::int8 AS "statsClicks",
                (SELECT count(*) FROM conversions WHERE status = 'approved')::int8 AS conversions,
                (SELECT coalesce(sum(approved), 0) FROM stats_hourly)::int8 AS "statsApproved"`,
      );
      const check = (name: string, actual: bigint | number, expected: bigint | number) => {
        const ok = BigInt(actual) === BigInt(expected);
        checks.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${actual}${ok ? '' : ` (expected ${expected})`}`);
        if (!ok) process.exitCode = 1;
      };
      check('server stopped cleanly (exit code)', exitCode ?? -1, 0);
      check('clicks redirected = clicks stored', totals!.stored, redirected);
      check('clicks stored = clicks counted (no click of the run was refused)', totals!.clicks, totals!.stored);
      check('clicks stored = clicks in the statistics', totals!.statsClicks, totals!.clicks);
      check('conversions answered success=true = conversions stored', totals!.conversions, converted);
      check('conversions stored = approved in the statistics', totals!.statsApproved, totals!.conversions);
    } finally {
      await store.close();
      await lock?.release();
    }
    await rm(dataDir, { recursive: true, force: true });
    console.log(`\n[${storeLabel}]`);
    console.log(`  (a) ceiling, bare node:http 302, just before: ${format(ceiling)}`);
    if (ceiling.cpu) console.log(`      ${formatCpu(ceiling.cpu)}`);
    console.log(`  (b) /aff_c, every click persisted: ${format(clicks)}  → b/a = ${(clicks.rps / ceiling.rps).toFixed(2)}`);
    if (clicks.cpu) console.log(`      ${formatCpu(clicks.cpu)}`);
    console.log(`      at half of b's peak, ${half.toLocaleString('en-US')} req/s spread over each second: p50 ${halfRate.p50} ms, p99 ${halfRate.p99} ms`);
    console.log(`  (c) conversion postbacks, durable: ${format(conversions)}`);
    if (conversions.cpu) console.log(`      ${formatCpu(conversions.cpu)}`);
    for (const line of checks) console.log(`      ${line}`);
    return { ceiling, clicks, halfRate, conversions, conversionsPerSecond: conversions.rps, checks };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}
