import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPERATOR } from '../src/accounts/principal.ts';
import { ensureDemoNetwork } from '../src/demo/demo-network.ts';
import { setCap } from '../src/offers/offer-terms.ts';
import { createOffer } from '../src/offers/offers.ts';
import { openStore } from '../src/store/open-store.ts';
import { accountCpu, formatCpu } from './cpu-accounting.ts';
import { format, load, startProcess, steadyLoad, type LoadResult } from './load.ts';
import { TASKS_MODULE } from '../src/transaction-tasks.ts';

/** Every click of the run, and the ceiling's requests, come from one phone's browser. */
const BROWSER = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** A CPA offer paying 2.00 and earning 3.00 a conversion, sending its clicks to `path`. */
const benchOffer = (advertiserId: number, name: string, path: string) => ({
  advertiserId,
  name,
  destinationUrl: `https://acme-outdoor.example/${path}?tid={transaction_id}&s={aff_sub}`,
  payoutType: 'cpa_flat' as const,
  payoutFlatMicros: 2_000_000n,
  revenueType: 'cpa_flat' as const,
  revenueFlatMicros: 3_000_000n,
});

/**
 * Two CPA offers without budgets: one with no caps, so nothing but the run itself limits what is
 * counted; one with a daily cap no run reaches, so its conversions take the caps' path (checked
 * one after another under the offer's lock) and are all approved all the same.
 */
async function prepareNetwork(databaseUrl: string | undefined, dataDir: string): Promise<{ offerId: number; cappedOfferId: number; partnerId: number }> {
  const { store, lock } = await openStore({ databaseUrl, dataDir }, TASKS_MODULE);
  try {
    const demo = await ensureDemoNetwork(store);
    const offer = await createOffer(store, OPERATOR, benchOffer(demo.advertiserIds[0]!, 'Benchmark offer', 'bench'));
    const capped = await createOffer(store, OPERATOR, benchOffer(demo.advertiserIds[0]!, 'Benchmark offer with a cap', 'capped'));
    await setCap(store, OPERATOR, capped.id, { metric: 'conversions', period: 'day', limit: 1_000_000_000n });
    return { offerId: offer.id, cappedOfferId: capped.id, partnerId: demo.partnerIds[0]! };
  } finally {
    await store.close();
    await lock?.release();
  }
}

export interface TrackingFigures {
  ceiling: LoadResult;
  ceilingWithClickAnswer: LoadResult;
  clicks: LoadResult;
  halfRate: LoadResult;
  conversions: LoadResult;
  cappedConversions: LoadResult;
  checks: string[];
}

/** What a connection's hop and the clock add to an answer; the ceiling's server adds its own. */
const SERVER_HEADERS = new Set(['date', 'connection', 'keep-alive']);

/**
 * (a) the ceiling, measured again before each store's run: this host's speed drifts, and b/a
 * compares like with like. It is sent the clicks' own requests. With `answer`, the ceiling's server
 * answers with those headers instead: what a click's bigger answer alone costs.
 */
async function measureCeiling(clickPath: string, answer?: IncomingHttpHeaders): Promise<LoadResult> {
  const headers = answer && Object.fromEntries(Object.entries(answer).filter(([name]) => !SERVER_HEADERS.has(name.toLowerCase())));
  const ceilingServer = await startProcess('bench/ceiling-server.ts', headers ? { CEILING_HEADERS: JSON.stringify(headers) } : {});
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
  const { offerId, cappedOfferId, partnerId } = await prepareNetwork(databaseUrl, dataDir);
  const clickPath = (offer: number) => `/aff_c?offer_id=${offer}&aff_id=${partnerId}&aff_sub=bench`;
  const ceiling = await measureCeiling(clickPath(offerId));
  const server = await startProcess('src/main.ts', env);
  const clickUrl = `${server.url}${clickPath(offerId)}`;
  /** The warm-up's clicks, by the offer's landing page (`bench` or `capped`). */
  const transactionIds: Record<string, string[]> = { '/bench': [], '/capped': [] };
  let clickAnswer: IncomingHttpHeaders | undefined;
  const collect = (status: number, _body: string, _context: object, headers: IncomingHttpHeaders | undefined) => {
    if (status !== 302 || headers?.['x-partnerline-click'] !== 'counted') return;
    clickAnswer ??= headers;
    const landing = new URL(headers.location!);
    transactionIds[landing.pathname]!.push(landing.searchParams.get('tid')!);
  };
  const conversionsWanted = 4000 * SECONDS;
  /** Converts each click once, with the CPU accounting; answers how many were answered success=true. */
  const convert = async (clicksToConvert: string[]) => {
    let next = 0;
    let converted = 0;
    const result = await accountCpu(server.child.pid!, () =>
      load({
        url: server.url,
        amount: Math.min(clicksToConvert.length, conversionsWanted),
        requests: [
          {
            setupRequest: (request) => ({ ...request, method: 'GET', path: `/aff_lsr?transaction_id=${clicksToConvert[next++]}&amount=10.00` }),
            onResponse: (_status: number, body: string) => {
              if (body === 'success=true;') converted += 1;
            },
          },
        ],
      }),
    );
    return { result, converted };
  };
  try {
    // The warm-up keeps each click's transaction id for (c), half of them on the capped offer. The
    // measured runs read no answer, as the ceiling's does not: reading them costs the load
    // generator, which shares this host's cores. Fixed request counts rather than durations, so
    // every answer is counted and can be checked.
    const warmup = await load({
      url: server.url,
      amount: 2 * conversionsWanted,
      headers: BROWSER,
      requests: [offerId, cappedOfferId].map((offer) => ({ path: clickPath(offer), onResponse: collect })),
    });
    const ceilingWithClickAnswer = await measureCeiling(clickPath(offerId), clickAnswer);
    const clicks = await accountCpu(server.child.pid!, () => load({ url: clickUrl, amount: Math.round(warmup.rps * SECONDS), headers: BROWSER }));
    const half = Math.max(1, Math.round(clicks.rps / 2));
    const halfRate = await steadyLoad({ url: clickUrl, rate: half, seconds: SECONDS, streams: 20, headers: BROWSER });
    const redirected = [warmup, clicks, halfRate].reduce((sum, run) => sum + (run.statusCounts['302'] ?? 0), 0);
    const uncapped = await convert(transactionIds['/bench']!);
    const capped = await convert(transactionIds['/capped']!);
    const exitCode = await server.stop();

    const { store, lock } = await openStore({ databaseUrl, dataDir }, TASKS_MODULE);
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
      check('conversions answered success=true = conversions stored', totals!.conversions, uncapped.converted + capped.converted);
      check('conversions stored = approved in the statistics', totals!.statsApproved, totals!.conversions);
    } finally {
      await store.close();
      await lock?.release();
    }
    await rm(dataDir, { recursive: true, force: true });
    console.log(`\n[${storeLabel}]`);
    console.log(`  (a) ceiling, bare node:http 302, just before: ${format(ceiling)}`);
    if (ceiling.cpu) console.log(`      ${formatCpu(ceiling.cpu)}`);
    console.log(`      the same server answering a click's own 302 headers: ${format(ceilingWithClickAnswer)}`);
    if (ceilingWithClickAnswer.cpu) console.log(`      ${formatCpu(ceilingWithClickAnswer.cpu)}`);
    console.log(`  (b) /aff_c, every click persisted: ${format(clicks)}  → b/a = ${(clicks.rps / ceiling.rps).toFixed(2)}`);
    if (clicks.cpu) console.log(`      ${formatCpu(clicks.cpu)}`);
    console.log(`      at half of b's peak, ${half.toLocaleString('en-US')} req/s spread over each second: p50 ${halfRate.p50} ms, p99 ${halfRate.p99} ms`);
    console.log(`  (c) conversion postbacks, durable: ${format(uncapped.result)}`);
    if (uncapped.result.cpu) console.log(`      ${formatCpu(uncapped.result.cpu)}`);
    console.log(`      on an offer with a daily cap: ${format(capped.result)}`);
    if (capped.result.cpu) console.log(`      ${formatCpu(capped.result.cpu)}`);
    for (const line of checks) console.log(`      ${line}`);
    return { ceiling, ceilingWithClickAnswer, clicks, halfRate, conversions: uncapped.result, cappedConversions: capped.result, checks };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}
