import { loadConfig } from '../../src/config.ts';
import { ensureDemoNetwork, type DemoNetwork } from '../../src/demo/demo-network.ts';
import { buildServer } from '../../src/http/server.ts';
import { Platform, type PlatformOptions } from '../../src/platform.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { testStoreLocation } from './test-store.ts';

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
  store: Store;
  platform: Platform;
  demo: DemoNetwork;
  keys: { admin: string; acme: string; brightside: string; agency: string; trailblazer: string; couponCrate: string; socialSpark: string };
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}, options: PlatformOptions = {}): Promise<TestServer> {
  const location = await testStoreLocation();
  const config = { ...loadConfig({ ...location.env, ...env }), logLevel: 'silent' };
  const { store, lock } = await openStore(config);
  const platform = await Platform.start(config, store, options);
  const demo = await ensureDemoNetwork(store);
  const app = await buildServer(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const keyOf = (email: string) => demo.accounts.find((account) => account.email === email)!.apiKey!;
  return {
    url,
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
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      if (response.headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: body as any, text };
    },
    async close() {
      await app.close();
      await platform.close();
      await store.close();
      await lock?.release();
      await location.remove();
    },
  };
}
