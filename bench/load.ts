import autocannon, { type Options, type Result } from 'autocannon';
import { build as histogram } from 'hdr-histogram-js';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CpuPerRequest } from './cpu-accounting.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  statusCounts: Record<string, number>;
  /** Where the run's CPU went (see accountCpu), where the host tells. */
  cpu?: CpuPerRequest;
}

/** Runs autocannon in this process (the server under test runs in another) and sums up. */
export function load(options: Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Timed here, up to the last answer: autocannon reports whole seconds, and notices that a
    // fixed amount is done only at its next one-second tick, an idle wait that is not throughput.
    const started = performance.now();
    let lastAnswer = started;
    const instance = autocannon({ connections: 50, duration: 10, ...options }, (error, result) => {
      if (error) return reject(error);
      resolve({
        requests: result.requests.total,
        rps: result.requests.total / ((lastAnswer - started) / 1000),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        statusCounts: addStatusCounts({}, result),
      });
    });
    instance.on('response', () => {
      lastAnswer = performance.now();
    });
  });
}

function addStatusCounts(counts: Record<string, number>, result: Result): Record<string, number> {
  for (const [code, entry] of Object.entries(result.statusCodeStats ?? {})) counts[code] = (counts[code] ?? 0) + (entry as { count: number }).count;
  return counts;
}

export interface SteadyLoadOptions extends Options {
  /** Requests a second, spread over the second. */
  rate: number;
  seconds: number;
  /** Single-connection streams, their starts staggered across the first second. */
  streams: number;
}

/**
 * Load at a steady rate below saturation, for latency. autocannon paces a rate per second: every
 * connection sends its share at the start of each second, so a run asking half the peak rate runs
 * at the peak for half of each second. Here the streams' seconds start at staggered times, which
 * spreads the requests over the second. autocannon's own correction for coordinated omission is
 * off, because it takes 1/rate seconds as milliseconds: every millisecond of a slow answer became a
 * missed request. Each answer is recorded with its own stream's interval instead.
 */
export async function steadyLoad({ rate, seconds, streams, ...options }: SteadyLoadOptions): Promise<LoadResult> {
  const latencyMicros = histogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const stream = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (index * 1000) / streams));
    const share = Math.floor(rate / streams) + (index < rate % streams ? 1 : 0);
    if (share === 0) return;
    const intervalMicros = 1_000_000 / share;
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        { ...options, connections: 1, overallRate: share, amount: share * seconds, ignoreCoordinatedOmission: true },
        (error, result) => {
          if (error) return reject(error);
          addStatusCounts(statusCounts, result);
          errors += result.errors + result.timeouts;
          resolve();
        },
      );
      instance.on('response', (_client: unknown, _status: number, _bytes: number, milliseconds: number) =>
        latencyMicros.recordValueWithExpectedInterval(Math.max(1, Math.round(milliseconds * 1000)), intervalMicros),
      );
    });
  };
  await Promise.all(Array.from({ length: streams }, (_, index) => stream(index)));
  const requests = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  const milliseconds = (percentile: number) => Math.round(latencyMicros.getValueAtPercentile(percentile) / 100) / 10;
  return { requests, rps: requests / ((performance.now() - started) / 1000), p50: milliseconds(50), p99: milliseconds(99), errors, statusCounts };
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/** Starts a server process and waits for its "listening on URL" line. */
export function startProcess(script: string, env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.:]+)/i.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          url: match[1]!,
          child,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}

export function format(result: LoadResult): string {
  return `${Math.round(result.rps).toLocaleString('en-US')} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`;
}
