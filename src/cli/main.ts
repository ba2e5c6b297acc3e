import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { setMaintenance } from '../network/network.ts';
import { readLock } from '../store/data-dir-lock.ts';
import { openStore } from '../store/open-store.ts';
import { CommandError, runCommand, USAGE, type CommandOutput } from './commands.ts';
import { TASKS_MODULE } from '../transaction-tasks.ts';

/**
 * Runs an operator command. The embedded store allows one process, so while a server holds it the
 * command goes through that server's admin API; otherwise the CLI opens the store itself.
 */
/**
 * Sends a command to the running server's admin API. Over HTTPS the server's own certificate is the
 * one trusted, whatever name it carries: the address is the one the server wrote in its lock.
 */
function askServer(adminUrl: string, token: string, args: string[], cert: Buffer | undefined): Promise<{ status: number; body: CommandOutput & { error?: string } }> {
  const url = new URL('/admin/v1/commands', adminUrl);
  if (url.protocol === 'https:' && !cert) {
    return Promise.reject(new CommandError('The server speaks HTTPS: run the CLI with its TLS_CERT_FILE and TLS_KEY_FILE'));
  }
  const payload = JSON.stringify({ args });
  const options = {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    ...(cert ? { ca: cert, checkServerIdentity: () => undefined } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args.some((arg) => arg === '--help' || arg === '-h' || arg === 'help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  const asJson = args.includes('--json');
  let output: CommandOutput;
  const holder = config.databaseUrl ? undefined : await readLock(config.dataDir);
  if (holder) {
    if (!holder.adminUrl || !holder.adminToken) {
      throw new CommandError(`The data directory ${config.dataDir} is held by process ${holder.pid}, which is not a running server. Wait for it to finish.`);
    }
    const { status, body } = await askServer(holder.adminUrl, holder.adminToken, args, config.tls?.cert);
    if (status !== 200) throw new CommandError(body.error ?? `The server answered ${status}`);
    output = body;
  } else {
    // A store made here would hold other keys than the server's: only `demo` makes one, and says where.
    const fresh = !config.databaseUrl && !existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION'));
    if (fresh && args[0] !== 'demo') {
      throw new CommandError(
        `There is no Partnerline store in ${config.dataDir}. Start the server once (npm start), or run the CLI with the server's DATA_DIR or DATABASE_URL.`,
      );
    }
    const { store, lock } = await openStore(config, TASKS_MODULE);
    try {
      output = await runCommand({ store, setMaintenance: (on) => setMaintenance(store, on).then(() => {}), hasOffersNetworkId: config.hasOffersNetworkId, publicUrl: config.publicUrl }, args);
    } finally {
      await store.close();
      await lock?.release();
    }
    if (fresh) output.text = `Made a new store in ${config.dataDir}.\n${output.text}`;
  }
  process.stdout.write((asJson ? JSON.stringify(output.json, null, 2) : output.text) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error instanceof CommandError ? error.message : (error.stack ?? error.message)}\n`);
    process.exit(error instanceof CommandError ? 2 : 1);
  },
);
