import { randomBytes } from 'node:crypto';
import { loadConfig } from './config.ts';
import { demoAccountLines, ensureDemoNetwork, type DemoNetwork } from './demo/demo-network.ts';
import { buildServer } from './http/server.ts';
import { Platform } from './platform.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { TASKS_MODULE } from './transaction-tasks.ts';

/** A fresh store (no advertisers, no partners) gets the demo network; a store that has one shows it. */
async function demoFor(store: Store, wanted: boolean): Promise<DemoNetwork | undefined> {
  const [state] = await store.query<{ fresh: boolean; hasDemo: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM advertisers) AND NOT EXISTS (SELECT 1 FROM partners) AS fresh,
            (SELECT demo_manifest IS NOT NULL FROM network) AS "hasDemo"`,
  );
  return wanted && (state!.fresh || state!.hasDemo) ? ensureDemoNetwork(store) : undefined;
}

function banner(url: string, platform: Platform, demo: DemoNetwork | undefined): string {
  const lines = [
    `Partnerline is listening on ${url} (store: ${platform.store.kind})`,
    `  Portal: ${url}/ ${demo ? "(sign in with a demo account's email and password below)" : '(npm run cli -- user reset-link EMAIL prints a way in)'}`,
    `  SourceKnowledge-style API v2: ${url}/affiliate/v2   docs: ${url}/doc/affiliate`,
    `  Partnerline API v1: ${url}/api/v1   HasOffers API v3: ${url}/Apiv3/json`,
    `  Tracking links: ${url}/aff_c?offer_id=…&aff_id=…   postbacks: ${url}/aff_lsr?transaction_id=…`,
  ];
  if (platform.keptTrafficWritten > 0) {
    lines.push(`  Stored ${platform.keptTrafficWritten} clicks and impressions the store would not take when Partnerline last stopped`);
  }
  lines.push(`  HasOffers clients send NetworkId=${platform.config.hasOffersNetworkId}`);
  if (demo) {
    lines.push(`  Demo network${demo.created ? ' created' : ''}: offers ${demo.offerIds.join(', ')}, partners ${demo.partnerIds.join(', ')}`);
    for (const line of demoAccountLines(demo)) lines.push(`    ${line}`);
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { store, lock } = await openStore(config, TASKS_MODULE);
  const demo = await demoFor(store, config.demoNetwork);
  const platform = await Platform.start(config, store);
  const adminToken = lock ? randomBytes(24).toString('base64url') : undefined;
  const app = await buildServer(platform, { adminToken });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const localHost = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;
  await lock?.write({ pid: process.pid, adminUrl: url, adminToken });
  // The banner holds demo keys, so it goes to the terminal (stderr), not into the JSON log stream.
  process.stderr.write(banner(url, platform, demo));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    try {
      await app.close();
      await platform.close();
      await store.close();
      await lock?.release();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`Partnerline could not start: ${error.message}\n`);
  process.exit(1);
});
