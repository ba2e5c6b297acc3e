import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { hashPassword } from '../src/accounts/passwords.ts';
import { createUser, setPasswordHash } from '../src/accounts/users.ts';
import { loadConfig } from '../src/config.ts';
import { buildServer } from '../src/http/server.ts';
import { Platform } from '../src/platform.ts';
import type { Store } from '../src/store/store.ts';
import { browserMissing, launchBrowser } from '../test/support/browser.ts';

const RUNS = Number(process.env.BENCH_PORTAL_RUNS ?? 10);
const API_TARGET_MS = 100;
const DRAW_TARGET_MS = 1500;
const JS_TARGET_BYTES = 250 * 1024;
const PASSWORD = 'benchmark password';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const days = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The API calls each role's pages make as they open (see portal/src/pages). */
function callsOf(role: 'network' | 'partner'): string[] {
  const week = `from=${days(-6)}&to=${days(0)}`;
  const shared = [
    '/api/v1/session',
    '/api/v1/network',
    '/api/v1/dashboard?series=day',
    '/api/v1/dashboard?series=hour',
    `/api/v1/reports/stats?dimensions=date&metrics=clicks,conversions,payout&${week}&totals=true&limit=5000`,
    `/api/v1/conversions?${week}&limit=100`,
    `/api/v1/reports/refused-clicks?${week}&limit=1000`,
    '/api/v1/notifications?limit=200',
    '/api/v1/users',
    '/api/v1/audit-log?limit=500',
    '/api/v1/keys',
    '/api/v1/api-access-requests',
  ];
  if (role === 'partner') return [...shared, '/api/v1/marketplace', `/api/v1/reports/stats?dimensions=sub1&metrics=clicks,conversions,payout&${week}&totals=true&limit=5000`, '/api/v1/postbacks'];
  return [
    ...shared,
    '/api/v1/offers?page=1&perPage=100',
    '/api/v1/partners?page=1&perPage=100',
    '/api/v1/partner-applications?status=pending',
    '/api/v1/offer-applications?status=pending',
    '/api/v1/advertisers?perPage=500',
    '/api/v1/agencies',
    '/api/v1/postbacks',
    '/api/v1/refused-conversions?limit=500',
  ];
}

/** The JavaScript a first visit loads, gzipped: what index.html names. */
async function firstLoadJs(): Promise<number> {
  const dist = new URL('../portal/dist/', import.meta.url);
  const index = await readFile(new URL('index.html', dist), 'utf8');
  let total = 0;
  for (const name of await readdir(new URL('assets/', dist))) {
    if (name.endsWith('.js') && index.includes(name)) total += gzipSync(await readFile(path.join(dist.pathname, 'assets', name)), { level: 9 }).length;
  }
  return total;
}

/**
 * Runs the server on the benchmark network's store and times, through HTTP with a session cookie,
 * every API call the portal's pages make, then the network's dashboard drawn in Chromium.
 */
export async function portalBench(label: string, store: Store, topPartnerId: number, dataDir: string): Promise<void> {
  console.log(`\n[${label}] the portal on the same network`);
  const hash = await hashPassword(PASSWORD);
  const admin = await createUser(store, { email: `bench-admin-${Date.now()}@bench.example`, name: 'Bench admin', role: 'network_admin' });
  const partner = await createUser(store, { email: `bench-partner-${Date.now()}@bench.example`, name: 'Bench partner', role: 'partner', partnerId: topPartnerId });
  for (const user of [admin, partner]) await setPasswordHash(store, user.id, hash);
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_NETWORK: 'off', DATA_DIR: dataDir });
  const platform = await Platform.start(config, store);
  const app = await buildServer(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    for (const [role, user] of [['network', admin], ['partner', partner]] as const) {
      const signIn = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: PASSWORD }) });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const slow: string[] = [];
      let worst = 0;
      for (const call of callsOf(role)) {
        const times: number[] = [];
        for (let run = 0; run <= RUNS; run += 1) {
          const started = performance.now();
          const reply = await fetch(url + call, { headers: { cookie } });
          await reply.arrayBuffer();
          if (!reply.ok) throw new Error(`${call} answered ${reply.status}`);
          if (run > 0) times.push(performance.now() - started);
        }
        const p50 = percentile(times, 50);
        worst = Math.max(worst, p50);
        if (p50 > API_TARGET_MS) slow.push(`${call.split('?')[0]} ${p50.toFixed(0)} ms`);
        console.log(`  ${role} ${call.split('?')[0]}${call.includes('?') ? '?…' : ''}: p50 ${p50.toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
      }
      console.log(`  ${role}: ${callsOf(role).length} calls, slowest p50 ${worst.toFixed(0)} ms (target <= ${API_TARGET_MS} ms: ${slow.length === 0 ? 'met' : `NOT met: ${slow.join(', ')}`})`);
      if (role === 'network') await drawDashboard(url, cookie);
    }
    const js = await firstLoadJs();
    console.log(`  first load: ${(js / 1024).toFixed(1)} KB of JavaScript gzipped (target <= 250 KB: ${js <= JS_TARGET_BYTES ? 'met' : 'NOT met'})`);
  } finally {
    await app.close();
    await platform.close();
  }
}

/** From navigation to the dashboard fully drawn: its figures and its chart. */
async function drawDashboard(url: string, cookie: string): Promise<void> {
  const missing = browserMissing();
  if (missing) return void console.log(`  dashboard in Chromium: skipped (${missing})`);
  const browser = await launchBrowser();
  try {
    const { context, page } = await browser.person();
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url }]);
    const times: number[] = [];
    for (let run = 0; run <= 5; run += 1) {
      const started = performance.now();
      await page.goto(`${url}/`);
      await page.locator('[data-testid="period-lastMonth"] [data-metric="clicks"]').waitFor();
      await page.locator('[data-testid="chart"] canvas').waitFor();
      await page.locator('table tbody tr').first().waitFor();
      if (run > 0) times.push(performance.now() - started);
    }
    const p50 = percentile(times, 50);
    console.log(`  network dashboard drawn in Chromium: p50 ${p50.toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms (target <= ${DRAW_TARGET_MS} ms: ${p50 <= DRAW_TARGET_MS ? 'met' : 'NOT met'})`);
  } finally {
    await browser.close();
  }
}
