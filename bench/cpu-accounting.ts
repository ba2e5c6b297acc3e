import { readdir, readFile } from 'node:fs/promises';
import type { LoadResult } from './load.ts';

/** CPU time per request of one run, in microseconds, by where it was spent. */
export interface CpuPerRequest {
  /** The server's main thread: HTTP and the click path. */
  httpThread: number;
  /** The embedded store's thread (PGlite); a PostgreSQL server's own processes are not counted. */
  databaseThread: number;
  /** The server's other threads: V8's garbage collection helpers, libuv's pool. */
  otherThreads: number;
  /** This process: the load generator. */
  generator: number;
}

/** Linux's clock tick for /proc times: USER_HZ, fixed at 100 for userspace on every architecture. */
const MICROS_PER_TICK = 10_000;
/** Node names its worker threads' OS threads so; the server's only worker is the embedded store. */
const WORKER_THREAD = 'WorkerThread';

type ThreadTimes = Record<keyof Omit<CpuPerRequest, 'generator'>, number>;

/** The server's CPU so far by thread kind (utime + stime of each thread), or undefined without /proc. */
async function serverTimes(pid: number): Promise<ThreadTimes | undefined> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => undefined);
  if (!threads) return undefined;
  const times: ThreadTimes = { httpThread: 0, databaseThread: 0, otherThreads: 0 };
  for (const tid of threads) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // The name is in parentheses and may hold spaces; the fields after it are space-separated.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const micros = (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
    times[tid === String(pid) ? 'httpThread' : name === WORKER_THREAD ? 'databaseThread' : 'otherThreads'] += micros;
  }
  return times;
}

/**
 * Runs a load against the server process `pid` and says where the CPU went, per request: the
 * server's threads, and the load generator in this process. With both cores busy, two seconds of
 * CPU divided by their sum is about the rate: they show what a faster click path must take away.
 */
export async function accountCpu(pid: number, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const serverBefore = await serverTimes(pid);
  const generatorBefore = process.cpuUsage();
  const result = await run();
  const generator = process.cpuUsage(generatorBefore);
  const serverAfter = await serverTimes(pid);
  if (!serverBefore || !serverAfter || result.requests === 0) return result;
  const perRequest = (micros: number) => micros / result.requests;
  return {
    ...result,
    cpu: {
      httpThread: perRequest(serverAfter.httpThread - serverBefore.httpThread),
      databaseThread: perRequest(serverAfter.databaseThread - serverBefore.databaseThread),
      otherThreads: perRequest(serverAfter.otherThreads - serverBefore.otherThreads),
      generator: perRequest(generator.user + generator.system),
    },
  };
}

/** The line a run prints; a server without a database thread (the ceiling, PostgreSQL's) shows none. */
export function formatCpu({ httpThread, databaseThread, otherThreads, generator }: CpuPerRequest): string {
  const micros = (value: number) => `${value.toFixed(0)} µs`;
  const database = databaseThread > 0 ? `, database thread ${micros(databaseThread)}` : '';
  return `CPU per request: server's HTTP thread ${micros(httpThread)}${database}, its other threads ${micros(otherThreads)}; load generator ${micros(generator)}`;
}
