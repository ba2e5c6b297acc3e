import autocannon, { type Options } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  statusCounts: Record<string, number>;
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
      const statusCounts: Record<string, number> = {};
      for (const [code, entry] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = (entry as { count: number }).count;
      resolve({
        requests: result.requests.total,
        rps: result.requests.total / ((lastAnswer - started) / 1000),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        statusCounts,
      });
    });
    instance.on('response', () => {
      lastAnswer = performance.now();
    });
  });
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
