import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { LOCK_FILE, readLock } from '../../src/store/data-dir-lock.ts';
import { openStore } from '../../src/store/open-store.ts';
import { testStoreLocation, type TestStoreLocation } from '../support/test-store.ts';
import { TASKS_MODULE } from '../../src/transaction-tasks.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

async function cli(location: TestStoreLocation, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...location.env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function startServer(
  location: TestStoreLocation,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; logs: () => string }> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...location.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let logs = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    logs += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https?:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, exited, logs: () => logs });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe('operator command line', () => {
  let location: TestStoreLocation;
  before(async () => {
    location = await testStoreLocation();
  });
  after(() => location.remove());

  test('demo, users and keys from the command line, as JSON for scripts', async () => {
    const demo = await cli(location, 'demo', '--json');
    assert.equal(demo.code, 0, demo.stderr);
    const network = JSON.parse(demo.stdout);
    assert.equal(network.created, true);
    assert.equal(network.offerIds.length, 5);
    assert.equal(network.partnerIds.length, 3);
    assert.deepEqual(
      network.accounts.map((account: { role: string }) => account.role).sort(),
      ['advertiser', 'advertiser', 'agency', 'network_admin', 'partner', 'partner', 'partner'],
    );
    assert.ok(network.accounts.every((account: { apiKey: string }) => account.apiKey.startsWith('pl_')));
    const again = JSON.parse((await cli(location, 'demo', '--json')).stdout);
    assert.equal(again.created, false);
    assert.deepEqual(again.accounts, network.accounts);

    const user = await cli(location, 'user', 'create', '--email', 'ops@newpartner.test', '--name', 'New Partner', '--role', 'partner', '--partner', String(network.partnerIds[0]), '--json');
    assert.equal(user.code, 0, user.stderr);
    const userId = JSON.parse(user.stdout).id;
    const key = JSON.parse((await cli(location, 'key', 'create', '--account', String(userId), '--json')).stdout);
    assert.match(key.key, /^pl_/);
    const listed = JSON.parse((await cli(location, 'key', 'list', '--account', String(userId), '--json')).stdout);
    assert.deepEqual(listed.map((entry: { id: number }) => entry.id), [key.id]);
    assert.ok(!JSON.stringify(listed).includes(key.key));
    const revoked = JSON.parse((await cli(location, 'key', 'revoke', String(key.id), '--json')).stdout);
    assert.notEqual(revoked.revokedAt, null);

    const wrongRole = await cli(location, 'user', 'create', '--email', 'x@y.test', '--name', 'X', '--role', 'partner');
    assert.equal(wrongRole.code, 2);
    assert.match(wrongRole.stderr, /partnerId: is required for the partner role/);
    const noSuchId = await cli(location, 'key', 'create', '--account', '99999999999');
    assert.equal(noSuchId.code, 2);
    assert.match(noSuchId.stderr, /^--account must be a positive whole number/);
    const settings = await cli(location, 'network', 'set', '--time-zone', 'europe/paris', '--cpc-partner-share', '62.5', '--json');
    assert.equal(settings.code, 0, settings.stderr);
    const shown = JSON.parse((await cli(location, 'network', 'show', '--json')).stdout);
    assert.deepEqual([shown.timeZone, shown.currency, shown.cpcPartnerSharePercent, shown.fallbackUrl], ['Europe/Paris', 'USD', 62.5, 'https://partnerline.example/offer-unavailable']);
    const rules = JSON.parse(
      (
        await cli(location, 'network', 'set', '--blocked-ips', '203.0.113.7/24, 2001:DB8::1', '--blocked-referrers', '*.spam.example', '--click-limit-per-ip', '30', '--min-seconds-to-conversion', '10', '--review-bot-conversions', 'off', '--json')
      ).stdout,
    );
    assert.deepEqual(
      [rules.blockedIps, rules.blockedReferrers, rules.clickLimitPerIpPerHour, rules.minSecondsToConversion, rules.reviewBotConversions],
      [['203.0.113.0/24', '2001:db8::1'], ['spam.example'], 30, 10, false],
    );
    assert.match((await cli(location, 'network', 'set', '--review-bot-conversions', 'maybe')).stderr, /^--review-bot-conversions must be on or off/);
    assert.match((await cli(location, 'network', 'set', '--min-seconds-to-conversion', 'soon')).stderr, /^--min-seconds-to-conversion must be a whole number/);
    const badRange = await cli(location, 'network', 'set', '--blocked-ips', '203.0.113.0/24,10');
    assert.match(badRange.stderr, /^blockedIps\[1\]: must be an IP address or a CIDR range/);
    const cleared = JSON.parse((await cli(location, 'network', 'set', '--blocked-ips=', '--blocked-referrers=', '--click-limit-per-ip', '0', '--json')).stdout);
    assert.deepEqual([cleared.blockedIps, cleared.blockedReferrers, cleared.clickLimitPerIpPerHour], [[], [], 0]);
    const badZone = await cli(location, 'network', 'set', '--time-zone', 'Mars/Olympus');
    assert.equal(badZone.code, 2);
    assert.match(badZone.stderr, /^timeZone: must be an IANA time zone/);
    assert.match((await cli(location, 'network', 'set')).stderr, /network set: name a setting to change/);
    const tier = JSON.parse((await cli(location, 'tier', 'create', '--name', 'Gold', '--json')).stdout);
    const joined = await cli(location, 'tier', 'add', String(tier.id), '--partner', String(network.partnerIds[1]));
    assert.equal(joined.stdout.trim(), `Partner ${network.partnerIds[1]} added: tier ${tier.id} Gold, partners ${network.partnerIds[1]}`);
    const inUse = await cli(location, 'tier', 'remove', String(tier.id));
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, /still has partners/);
    await cli(location, 'tier', 'drop', String(tier.id), '--partner', String(network.partnerIds[1]));
    assert.deepEqual(JSON.parse((await cli(location, 'tier', 'list', '--json')).stdout).map((entry: { name: string; partnerIds: number[] }) => [entry.name, entry.partnerIds]), [['Gold', []]]);
    assert.match((await cli(location, 'tier', 'create', '--name', 'gold')).stderr, /already a partner tier named "gold"/);
    assert.equal((await cli(location, 'tier', 'remove', String(tier.id))).code, 0);
    const unknown = await cli(location, 'frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Usage: npm run cli/);
  });

  test('while the server runs, commands go through it; shutdown is graceful', async () => {
    const server = await startServer(location);
    try {
      const demo = await cli(location, 'demo', '--json');
      assert.equal(demo.code, 0, demo.stderr);
      const adminKey = JSON.parse(demo.stdout).accounts.find((account: { role: string }) => account.role === 'network_admin').apiKey;
      const categories = () => fetch(`${server.url}/affiliate/v2/categories`, { headers: { 'x-api-key': adminKey } });
      assert.equal((await categories()).status, 200);

      // A server on PostgreSQL learns of the switch within seconds; readiness reports what it knows.
      const maintenanceSeen = async (on: boolean) => {
        for (let attempt = 0; attempt < 50; attempt += 1) {
          const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { maintenance: boolean };
          if (ready.maintenance === on) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.fail(`maintenance never became ${on}`);
      };
      assert.equal((await cli(location, 'maintenance', 'on')).code, 0);
      await maintenanceSeen(true);
      assert.equal((await categories()).status, 503);
      assert.equal((await cli(location, 'maintenance', 'off')).code, 0);
      await maintenanceSeen(false);
      assert.equal((await categories()).status, 200);

      // The running click path learns of a new fallback from the store within a second or two.
      const fallback = await cli(location, 'network', 'set', '--fallback-url', 'https://network.example/sorry', '--json');
      assert.equal(JSON.parse(fallback.stdout).fallbackUrl, 'https://network.example/sorry');
      const refusedGoesTo = async () =>
        (await fetch(`${server.url}/aff_c?offer_id=999999&aff_id=1`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } })).headers.get('location');
      let sentTo = await refusedGoesTo();
      for (let attempt = 0; attempt < 50 && sentTo !== 'https://network.example/sorry'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        sentTo = await refusedGoesTo();
      }
      assert.equal(sentTo, 'https://network.example/sorry');
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0);
    assert.equal(existsSync(path.join(location.dataDir, LOCK_FILE)), false);
  });

  test('clicks still in memory are written when the server stops', async () => {
    // Batches that would wait a minute: only the shutdown can write these clicks.
    const server = await startServer(location, { CLICK_BATCH_MS: '60000', CLICK_BATCH_ROWS: '100000' });
    const { offerIds, partnerIds } = JSON.parse((await cli(location, 'demo', '--json')).stdout);
    const clicks = 40;
    for (let index = 0; index < clicks; index += 1) {
      const reply = await fetch(`${server.url}/aff_c?offer_id=${offerIds[1]}&aff_id=${partnerIds[0]}&aff_sub=shutdown-${index}`, {
        redirect: 'manual',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
      });
      assert.equal(reply.headers.get('x-partnerline-click'), 'counted');
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const { store, lock } = await openStore({ databaseUrl: location.databaseUrl, dataDir: location.dataDir }, TASKS_MODULE);
    try {
      const [row] = await store.query<{ clicks: number; stats: number }>(
        `SELECT (SELECT count(*) FROM clicks WHERE aff_sub1 LIKE 'shutdown-%')::int AS clicks,
                (SELECT coalesce(sum(gross_clicks), 0) FROM stats_hourly WHERE offer_id = $1)::int AS stats`,
        [offerIds[1]],
      );
      assert.equal(row!.clicks, clicks);
      assert.ok(row!.stats >= clicks);
    } finally {
      await store.close();
      await lock?.release();
    }
  });

  test('at the default log level every API request is logged, but not clicks, impressions and conversion postbacks (the store is their record) nor health probes', async () => {
    const { offerIds, partnerIds } = JSON.parse((await cli(location, 'demo', '--json')).stdout);
    for (const [level, quietLogged] of [['info', false], ['debug', true]] as const) {
      const server = await startServer(location, { LOG_LEVEL: level });
      const click = await fetch(`${server.url}/aff_c?offer_id=${offerIds[1]}&aff_id=${partnerIds[0]}&aff_sub=log-${level}`, {
        redirect: 'manual',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
      });
      assert.equal(click.headers.get('x-partnerline-click'), 'counted');
      const transactionId = new URL(click.headers.get('location')!).searchParams.get('tid');
      assert.equal(await (await fetch(`${server.url}/aff_lsr?transaction_id=${transactionId}`)).text(), 'success=true;');
      assert.equal((await fetch(`${server.url}/aff_i?offer_id=${offerIds[1]}&aff_id=${partnerIds[0]}`)).status, 200);
      assert.equal((await fetch(`${server.url}/affiliate/v2/categories`)).status, 401);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      const logged = server
        .logs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { req?: { url: string } }).req?.url)
        .filter((url) => url !== undefined);
      assert.ok(logged.some((url) => url.startsWith('/affiliate/v2/categories')), `${level}: the API request is logged`);
      assert.equal(logged.some((url) => url.startsWith('/aff_c')), quietLogged, `${level}: clicks logged`);
      assert.equal(logged.some((url) => url.startsWith('/aff_i')), quietLogged, `${level}: impressions logged`);
      assert.equal(logged.some((url) => url.startsWith('/aff_lsr')), quietLogged, `${level}: conversion postbacks logged`);
      assert.equal(logged.some((url) => url.startsWith('/readyz')), quietLogged, `${level}: health probes logged`);
    }
    const { store, lock } = await openStore({ databaseUrl: location.databaseUrl, dataDir: location.dataDir }, TASKS_MODULE);
    try {
      const [row] = await store.query<{ clicks: number; conversions: number }>(
        `SELECT count(*)::int AS clicks, count(v.id)::int AS conversions FROM clicks c LEFT JOIN conversions v ON v.transaction_id = c.transaction_id
         WHERE c.aff_sub1 LIKE 'log-%'`,
      );
      assert.deepEqual(row, { clicks: 2, conversions: 2 });
    } finally {
      await store.close();
      await lock?.release();
    }
  });

  test('a conversion answered success=true survives the server being killed outright', async () => {
    const server = await startServer(location);
    const { offerIds, partnerIds } = JSON.parse((await cli(location, 'demo', '--json')).stdout);
    const transactionIds: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const click = await fetch(`${server.url}/aff_c?offer_id=${offerIds[1]}&aff_id=${partnerIds[0]}&aff_sub=killed-${index}`, {
        redirect: 'manual',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
      });
      transactionIds.push(/pl_s\d+=(\w+)/.exec(click.headers.get('set-cookie') ?? '')![1]!);
    }
    // Sent together, so they are written as group commits, and answered only once those committed.
    const answers = await Promise.all(
      transactionIds.map(async (transactionId) => (await fetch(`${server.url}/aff_lsr?transaction_id=${transactionId}&amount=12.50`)).text()),
    );
    assert.deepEqual(new Set(answers), new Set(['success=true;']));
    server.child.kill('SIGKILL');
    await server.exited;

    const { store, lock } = await openStore({ databaseUrl: location.databaseUrl, dataDir: location.dataDir }, TASKS_MODULE);
    try {
      const [row] = await store.query<{ conversions: number; clicks: number }>(
        `SELECT (SELECT count(*) FROM conversions WHERE transaction_id = ANY($1::text[]) AND sale_amount_micros = 12500000)::int AS conversions,
                (SELECT count(*) FROM clicks WHERE transaction_id = ANY($1::text[]))::int AS clicks`,
        [transactionIds],
      );
      assert.deepEqual(row, { conversions: transactionIds.length, clicks: transactionIds.length });
    } finally {
      await store.close();
      await lock?.release();
    }
  });

  test('a server given a setting it cannot use refuses to start and names the setting', async () => {
    await assert.rejects(startServer(location, { LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    await assert.rejects(startServer(location, { CLICK_BATCH_MS: 'soon' }), /CLICK_BATCH_MS must be a non-negative integer, got "soon"/);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: '99999' }, /PORT must be a port number from 0 to 65535, got "99999"/],
      [{ DATABASE_URL: 'not-a-url' }, /DATABASE_URL must be a URL like postgres:\/\/user:password@host:5432\/database$/m],
      [{ DATABASE_URL: 'mysql://root:secret@db/partnerline' }, /DATABASE_URL must be a URL like postgres:.*, not a mysql URL$/m],
      [{ POSTBACK_ALLOW_PRIVATE: 'ture' }, /POSTBACK_ALLOW_PRIVATE must be on or off \(true\/false, 1\/0, yes\/no\), got "ture"/],
      [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a URL like redis:\/\/host:6379/],
    ];
    for (const [env, message] of cases) {
      const refused = startServer(location, env);
      await assert.rejects(refused, message);
      await assert.rejects(refused, (error: Error) => !error.message.includes('secret'));
    }
  });

  test('the command line explains itself, and never makes a store of its own where the server has none', async () => {
    for (const help of ['--help', '-h', 'help']) {
      const shown = await cli(location, help);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /^Usage: npm run cli -- <command>/);
    }
    // With DATABASE_URL the store is the server's database, wherever the CLI runs.
    if (process.env.DATABASE_URL) return;
    const elsewhere = await testStoreLocation();
    try {
      const refused = await cli({ ...elsewhere, env: { DATA_DIR: elsewhere.dataDir } }, 'user', 'list');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /There is no Partnerline store in .*\. Start the server once \(npm start\), or run the CLI with the server's DATA_DIR or DATABASE_URL/);
      assert.equal(existsSync(path.join(elsewhere.dataDir, 'pglite')), false);
    } finally {
      await elsewhere.remove();
    }
  });

  test('a SIGTERM to npm start stops the server it started, gracefully', { skip: process.env.DATABASE_URL ? 'the embedded store\'s lock tells when the server let go' : false }, async () => {
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...location.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      npm.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      });
      npm.once('exit', () => reject(new Error(output)));
    });
    assert.match(output, /HasOffers clients send NetworkId=partnerline/);
    const lockFile = path.join(location.dataDir, LOCK_FILE);
    npm.kill('SIGTERM');
    await exited;
    // The server the script ran is gone too: it released the store, which opens again here.
    for (let waited = 0; existsSync(lockFile) && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const orphan = await readLock(location.dataDir);
    if (orphan) process.kill(orphan.pid, 'SIGKILL');
    assert.equal(orphan, undefined, 'the server outlived npm start and still held the store');
  });

  test('with a certificate and its key, the server speaks HTTPS, TLS 1.3 only, and the CLI still reaches it', { skip: existsSync('/usr/bin/openssl') ? false : 'no openssl to make a certificate' }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'partnerline-tls-'));
    try {
      const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
      const tls = { TLS_CERT_FILE: cert, TLS_KEY_FILE: key };
      await assert.rejects(startServer(location, { TLS_CERT_FILE: cert }), /TLS_CERT_FILE and TLS_KEY_FILE go together/);
      const server = await startServer(location, tls);
      try {
        assert.match(server.url, /^https:\/\//);
        const ask = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
          new Promise<number>((resolve, reject) => {
            const request = httpsGet(`${server.url}/healthz`, { ca: readFileSync(cert), checkServerIdentity: () => undefined, maxVersion }, (response) => {
              response.resume();
              resolve(response.statusCode!);
            });
            request.on('error', reject);
          });
        assert.equal(await ask('TLSv1.3'), 200);
        await assert.rejects(ask('TLSv1.2'), /protocol version|handshake failure|alert/i);
        if (!process.env.DATABASE_URL) {
          const shown = await cli({ ...location, env: { ...location.env, ...tls } }, 'network', 'show', '--json');
          assert.equal(shown.code, 0, shown.stderr);
          assert.equal(JSON.parse(shown.stdout).name, 'Partnerline Demo Network');
        }
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a second server cannot open the embedded store the first one holds', { skip: process.env.DATABASE_URL ? 'PostgreSQL allows several processes' : false }, async () => {
    const first = await startServer(location);
    try {
      await assert.rejects(startServer(location), /in use by process/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});
