import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { isAlive } from '../shared/process-alive.ts';
import { isWriteMark, newWriteMark, type ClickRecord, type ImpressionRecord } from './traffic-writes.ts';

/**
 * Clicks and impressions the store would not take before the process stopped, as the writer hands
 * them over. An impression of a write that failed in doubt names a witness of that write (one of
 * its clicks, or its mark): if that is in the store, the impression is too. A kept impression also
 * has a mark of its own, stored in the transaction that stores it, so however often its file is
 * taken back (a start killed part-way through storing it), it is stored once. A click is its own
 * witness, by its transaction id.
 */
export interface WaitingTraffic {
  clicks: ClickRecord[];
  impressions: Array<{ impression: ImpressionRecord; witness: string | undefined; mark?: string }>;
}

/** The write marks kept traffic names: its impressions' own, and the witnesses that are marks. */
export function marksNamedIn({ impressions }: WaitingTraffic): string[] {
  return impressions.flatMap(({ witness, mark }) => [witness, mark].filter((named): named is string => named !== undefined && isWriteMark(named)));
}

/** A kept file: complete once it has this name (it is written under another, then renamed). */
const KEPT_FILE = /^(kept-[\w-]+\.ndjson)(?:\.claimed-(\d+))?$/;

/** One line a row. JSON has no bigint or date: money goes as a string and times as ISO text, read back exactly. */
async function writeLine(out: WriteStream, row: object): Promise<void> {
  if (!out.write(`${JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`)) await once(out, 'drain');
}

/**
 * Writes the traffic to a new file in `dir`, on disk before it takes its final name; returns that
 * file. A file this process means to take back itself is born claimed, so no other process takes it.
 * Traffic that holds the rows of a kept file still unstored takes that file's place in one rename,
 * so those rows are never in two files, nor in none.
 */
export async function keepTraffic(dir: string, { clicks, impressions }: WaitingTraffic, { claimed = false, replacing }: { claimed?: boolean; replacing?: string } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = replacing ?? path.join(dir, `kept-${Date.now()}-${process.pid}-${randomUUID().slice(0, 8)}.ndjson${claimed ? `.claimed-${process.pid}` : ''}`);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  for (const click of clicks) await writeLine(out, { click });
  for (const { impression, witness, mark = newWriteMark() } of impressions) await writeLine(out, { impression, witness, mark });
  out.end();
  await finished(out);
  const handle = await open(partial, 'r+');
  await handle.sync();
  await handle.close();
  await rename(partial, file);
  return file;
}

/**
 * Takes the kept files no running process has taken, so that two processes sharing the directory
 * never both write one. A file taken by a process that has since stopped (or by an earlier run
 * under this same id, as in a container) is taken again.
 */
export async function claimKeptTraffic(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const claimed: string[] = [];
  for (const name of names.sort()) {
    const match = KEPT_FILE.exec(name);
    if (!match) continue;
    const holder = match[2] === undefined ? undefined : Number(match[2]);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) continue;
    const claim = path.join(dir, `${match[1]}.claimed-${process.pid}`);
    try {
      await rename(path.join(dir, name), claim);
      claimed.push(claim);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return claimed;
}

/**
 * A row as it was before it became a line: its time and money back in their types. A file kept by a
 * version that did not price impressions has no money on them.
 */
function revived<Row extends ClickRecord | ImpressionRecord>(row: Row): Row {
  const { createdAt, costMicros = 0n, payoutMicros = 0n } = row;
  return { ...row, createdAt: new Date(createdAt), costMicros: BigInt(costMicros), payoutMicros: BigInt(payoutMicros) };
}

export async function readKeptTraffic(file: string): Promise<WaitingTraffic> {
  const traffic: WaitingTraffic = { clicks: [], impressions: [] };
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (text === '') continue;
    const row = JSON.parse(text) as { click?: ClickRecord; impression?: ImpressionRecord; witness?: string; mark?: string };
    if (row.click) traffic.clicks.push(revived(row.click));
    else if (row.impression) traffic.impressions.push({ impression: revived(row.impression), witness: row.witness, mark: row.mark });
  }
  return traffic;
}

export async function forgetKeptTraffic(files: string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}
