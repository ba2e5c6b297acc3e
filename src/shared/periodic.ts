import { oneAtATime } from './one-at-a-time.ts';

/**
 * Work that runs every `everyMs` once started, never two runs at once (a run may outlast the
 * period), and that `stop` waits for, so a run under way never meets a closed store. The work
 * reports its own failures: a run must not reject.
 */
export class Periodic {
  /** Runs the work now, or right after the run under way. */
  readonly run: () => Promise<void>;
  private readonly everyMs: number;
  private timer: NodeJS.Timeout | undefined;
  private latest: Promise<void> = Promise.resolve();

  constructor(work: () => Promise<void>, everyMs: number) {
    this.run = oneAtATime(work);
    this.everyMs = everyMs;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.latest = this.run();
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.latest;
  }
}
