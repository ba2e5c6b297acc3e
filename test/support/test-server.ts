import assert from 'node:assert/strict';
import { OPERATOR } from '../../src/accounts/principal.ts';
import { loadConfig } from '../../src/config.ts';
import { ensureDemoNetwork, type DemoNetwork } from '../../src/demo/demo-network.ts';
import { buildServer } from '../../src/http/server.ts';
import { createOffer } from '../../src/offers/offers.ts';
import { Platform, type PlatformOptions } from '../../src/platform.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { testStoreLocation, type TestStoreLocation } from './test-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A real server on a loopback port over a real store, with the demo network and its keys. */
export interface TestServer {
  url: string;
  location: TestStoreLocation;
  store: Store;
  platform: Platform;
  demo: DemoNetwork;
  keys: { admin: string; acme: string; brightside: string; agency: string; trailblazer: string; couponCrate: string; socialSpark: string };
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

/** Counted figures of the statistics, summed over everything or one offer. */
export async function statsTotals(store: Store, offerId?: number): Promise<Record<string, bigint>> {
  const [row] = await store.query<Record<string, bigint>>(
    `SELECT coalesce(sum(impressions), 0)::int8 AS impressions, coalesce(sum(gross_clicks), 0)::int8 AS gross_clicks,
            coalesce(sum(unique_clicks), 0)::int8 AS unique_clicks, coalesce(sum(click_cost_micros), 0)::int8 AS click_cost_micros,
            coalesce(sum(click_payout_micros), 0)::int8 AS click_payout_micros, coalesce(sum(approved), 0)::int8 AS approved,
            coalesce(sum(pending), 0)::int8 AS pending, coalesce(sum(rejected), 0)::int8 AS rejected,
            coalesce(sum(approved_payout_micros), 0)::int8 AS approved_payout_micros,
            coalesce(sum(approved_revenue_micros), 0)::int8 AS approved_revenue_micros,
            coalesce(sum(approved_sale_micros), 0)::int8 AS approved_sale_micros,
            coalesce(sum(pending_payout_micros), 0)::int8 AS pending_payout_micros
     FROM stats_hourly WHERE $1::int IS NULL OR offer_id = $1`,
    [offerId ?? null],
  );
  return row!;
}

export const USER_AGENTS = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  desktop: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  slackbot: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
};

/** Public addresses the offline GeoIP places in these countries. */
export const IPS = { US: '8.8.8.8', GB: '81.2.69.142' };

/** The v1 API of a test server, called with the network's key unless another is given. */
export const v1Api =
  (server: TestServer) =>
  <T = any>(method: string, path: string, body?: unknown, key = server.keys.admin) =>
    server.request<T>(method, `/api/v1${path}`, { key, body });

/** For tests of an offer's terms: a server whose clicks come through a trusted proxy (see countedClick), its v1 API, and the demo's partners. */
export async function termsTestServer() {
  const server = await startTestServer({ TRUST_PROXY: 'true' });
  const [trailblazer, couponCrate, socialSpark] = server.demo.partnerIds as [number, number, number];
  return { server, api: v1Api(server), trailblazer, couponCrate, socialSpark };
}

/** A counted click of the partner on the offer, from a US phone (the server must trust the proxy's address): its transaction id. */
export async function countedClick(server: TestServer, offerId: number, partnerId: number): Promise<string> {
  const reply = await server.request('GET', `/aff_c?offer_id=${offerId}&aff_id=${partnerId}`, {
    headers: { 'user-agent': USER_AGENTS.iphone, 'x-forwarded-for': IPS.US },
  });
  assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
  return new URL(reply.headers.get('location')!).searchParams.get('tid')!;
}

/** A sale of 50.00 on a new counted click, through the server postback: its conversion's id, its click's, and the amounts and rule it was priced at. */
export async function postbackConversion(server: TestServer, offerId: number, partnerId: number, extra = '') {
  const transactionId = await countedClick(server, offerId, partnerId);
  const reply = await server.request('GET', `/aff_lsr?transaction_id=${transactionId}&amount=50${extra}`);
  const id = reply.headers.get('x-partnerline-conversion-id')!;
  const [row] = await server.store.query<{ payout: bigint; revenue: bigint; rule: string }>(
    'SELECT payout_micros AS payout, revenue_micros AS revenue, payout_rule AS rule FROM conversions WHERE id = $1',
    [id],
  );
  return { id, transactionId, ...row! };
}

/** A fresh CPA offer of Acme's paying 1.00 and earning 2.00 a conversion, open to every partner: its id. */
export async function cpaOffer(server: TestServer, name: string): Promise<number> {
  const offer = await createOffer(server.store, OPERATOR, {
    advertiserId: server.demo.advertiserIds[0]!,
    name,
    destinationUrl: 'https://acme-outdoor.example/cpa?tid={transaction_id}',
    payoutType: 'cpa_flat',
    payoutFlatMicros: 1_000_000n,
    revenueType: 'cpa_flat',
    revenueFlatMicros: 2_000_000n,
  });
  return offer.id;
}

/** `shared`: another server's store, for a second process on one PostgreSQL database; its owner removes it. */
export async function startTestServer(env: Record<string, string> = {}, options: PlatformOptions = {}, shared?: TestStoreLocation): Promise<TestServer> {
  const location = shared ?? (await testStoreLocation());
  const config = loadConfig({ ...location.env, LOG_LEVEL: 'silent', ...env });
  const { store, lock } = await openStore(config, TASKS_MODULE);
  const demo = await ensureDemoNetwork(store);
  const platform = await Platform.start(config, store, options);
  const app = await buildServer(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const keyOf = (email: string) => demo.accounts.find((account) => account.email === email)!.apiKey!;
  return {
    url,
    location,
    store,
    platform,
    demo,
    keys: {
      admin: keyOf('admin@partnerline.example'),
      acme: keyOf('ops@acme-outdoor.example'),
      brightside: keyOf('ops@brightside-books.example'),
      agency: keyOf('team@northwind.example'),
      trailblazer: keyOf('hello@trailblazer-reviews.example'),
      couponCrate: keyOf('deals@couponcrate.example'),
      socialSpark: keyOf('team@socialspark.example'),
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key) headers['x-api-key'] = options.key;
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(url + path, {
        method,
        headers,
        redirect: 'manual',
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      if (text !== '' && response.headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: body as any, text };
    },
    async close() {
      await app.close();
      await platform.close();
      await store.close();
      await lock?.release();
      if (!shared) await location.remove();
    },
  };
}
