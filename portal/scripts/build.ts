/**
 * Builds the portal: writes the API's types from the OpenAPI document the routes generate (so the
 * portal never restates them), then bundles the app with Vite into portal/dist.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import openapiTS, { astToString } from 'openapi-typescript';
import { build } from 'vite';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { Platform } from '../../src/platform.ts';
import { openStore } from '../../src/store/open-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

const portal = path.resolve(import.meta.dirname, '..');

async function openApiDocument(): Promise<unknown> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'partnerline-openapi-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, DEMO_NETWORK: 'off', LOG_LEVEL: 'silent' });
    const { store, lock } = await openStore(config, TASKS_MODULE);
    const platform = await Platform.start(config, store);
    const app = await buildServer(platform, { logger: false });
    await app.ready();
    const document = app.swagger();
    await app.close();
    await platform.close();
    await store.close();
    await lock?.release();
    return document;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const document = await openApiDocument();
// The API's answers always carry every property their schema lists (null where empty).
const types = astToString(await openapiTS(document as Parameters<typeof openapiTS>[0], { propertiesRequiredByDefault: true }));
await writeFile(path.join(portal, 'src/api/schema.ts'), `// Generated from Partnerline's OpenAPI document by portal/scripts/build.ts; do not edit.\n${types}`);
if (!process.argv.includes('--types-only')) {
  await build({ configFile: path.join(portal, 'vite.config.ts'), logLevel: 'warn' });
  // The server sends these compressed copies to browsers that take them (preCompressed).
  const assets = path.join(portal, 'dist/assets');
  for (const name of await readdir(assets)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const content = await readFile(path.join(assets, name));
    await writeFile(path.join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
    await writeFile(path.join(assets, `${name}.br`), brotliCompressSync(content));
  }
}
