import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runStats, type StatsQuery } from '../src/reports/stats-engine.ts';
import { localDay } from '../src/shared/time-zones.ts';
import { openStore } from '../src/store/open-store.ts';
import { portalBench } from './portal-bench.ts';
import { DEFAULT_SIZE, generateReportData, type ReportDataSize } from './report-data.ts';
import { TASKS_MODULE } from '../src/transaction-tasks.ts';

const RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 10);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Loads the generated network, times the three reports of issue 4 through the stats engine, then the portal on it. */
export async function reportBench(label: string, databaseUrl: string | undefined, size: ReportDataSize = DEFAULT_SIZE): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'partnerline-report-bench-'));
  const { store, lock } = await openStore({ databaseUrl, dataDir }, TASKS_MODULE);
  console.log(`\n[${label}] reports over ${size.clicks.toLocaleString('en-US')} clicks, ${size.conversions.toLocaleString('en-US')} conversions, ${size.offers} offers, ${size.partners} partners`);
  try {
    const { topPartnerId } = await generateReportData(store, size, (line) => console.log(line));
    const timeZone = 'UTC';
    const today = localDay(new Date(), timeZone);
    const base = { timeZone, hourOffset: 0, filters: [], sort: [], page: 1, totals: false, scope: {} } satisfies Partial<StatsQuery>;
    const lastMonthEnd = daysBefore(`${today.slice(0, 7)}-01`, 1);
    const reports: Array<[string, StatsQuery, number]> = [
      [
        '30 days by date x offer x partner (first page of 1,000)',
        { ...base, dimensions: ['date', 'offer_id', 'partner_id'], metrics: ['clicks', 'conversions', 'payout', 'revenue'], from: daysBefore(today, 29), to: today, limit: 1000, totals: true },
        50,
      ],
      [
        "the top partner's 90 days by sub-ID",
        { ...base, dimensions: ['sub1'], metrics: ['clicks', 'conversions', 'payout'], from: daysBefore(today, 89), to: today, scope: { partnerId: topPartnerId } },
        300,
      ],
      [
        "the network's month by country",
        { ...base, dimensions: ['country'], metrics: ['clicks', 'conversions', 'payout', 'revenue'], from: `${lastMonthEnd.slice(0, 7)}-01`, to: lastMonthEnd },
        50,
      ],
    ];
    for (const [name, query, target] of reports) {
      await runStats(store, query);
      const times: number[] = [];
      let rows = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        rows = (await runStats(store, query)).rows.length;
        times.push(performance.now() - started);
      }
      const p50 = percentile(times, 50);
      console.log(`  ${name}: p50 ${p50.toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms (${rows} rows; target p50 <= ${target} ms: ${p50 <= target ? 'met' : 'NOT met'})`);
    }
    await portalBench(label, store, topPartnerId, dataDir);
  } finally {
    await store.close();
    await lock?.release();
    await rm(dataDir, { recursive: true, force: true });
  }
}
