import { loadConfig } from '../config.ts';
import { setMaintenance } from '../network/network.ts';
import { readLock } from '../store/data-dir-lock.ts';
import { openStore } from '../store/open-store.ts';
import { CommandError, runCommand, type CommandOutput } from './commands.ts';

/**
 * Runs an operator command. The embedded store allows one process, so while a server holds it the
 * command goes through that server's admin API; otherwise the CLI opens the store itself.
 */
async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const asJson = args.includes('--json');
  let output: CommandOutput;
  const holder = config.databaseUrl ? undefined : await readLock(config.dataDir);
  if (holder) {
    if (!holder.adminUrl || !holder.adminToken) {
      throw new CommandError(`The data directory ${config.dataDir} is held by process ${holder.pid}, which is not a running server. Wait for it to finish.`);
    }
    const response = await fetch(`${holder.adminUrl}/admin/v1/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${holder.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    const body = (await response.json()) as CommandOutput & { error?: string };
    if (!response.ok) throw new CommandError(body.error ?? `The server answered ${response.status}`);
    output = body;
  } else {
    const { store, lock } = await openStore(config);
    try {
      output = await runCommand({ store, setMaintenance: (on) => setMaintenance(store, on).then(() => {}) }, args);
    } finally {
      await store.close();
      await lock?.release();
    }
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
