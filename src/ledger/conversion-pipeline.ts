import type { Store } from '../store/store.ts';
import { recordConversion, type ClickSessions, type ConversionOutcome, type ConversionRequest } from './conversions.ts';

interface Waiting {
  request: ConversionRequest;
  resolve(outcome: ConversionOutcome): void;
  reject(error: unknown): void;
}

const MAX_BATCHES_IN_FLIGHT = 2;

export interface PipelineOptions {
  maxBatch: number;
  maxDelayMs: number;
}

/**
 * Group commit for conversion postbacks: requests that arrive together are decided and written in
 * one transaction, and each is answered once that transaction has committed. Should a batch fail
 * as a whole, its requests are tried one by one, so one bad request cannot sink the others.
 */
export class ConversionPipeline {
  private readonly store: Store;
  private readonly sessions: ClickSessions;
  private readonly options: PipelineOptions;
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(store: Store, sessions: ClickSessions, options: PipelineOptions = { maxBatch: 200, maxDelayMs: 2 }) {
    this.store = store;
    this.sessions = sessions;
    this.options = options;
  }

  submit(request: ConversionRequest): Promise<ConversionOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.start();
      else this.timer ??= setTimeout(() => this.start(), this.options.maxDelayMs);
    });
  }

  /** Two batches at a time: one is written while the next is decided and the last answered. */
  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running.size >= MAX_BATCHES_IN_FLIGHT || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    const run: Promise<void> = this.run(batch).finally(() => {
      this.running.delete(run);
      if (this.queue.length >= this.options.maxBatch || (this.queue.length > 0 && this.running.size === 0)) this.start();
      // The store is still busy with the other batch: let the next one gather the requests this
      // batch's answers bring back, rather than send a few now and pay a batch's fixed cost for them.
      else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.start(), this.options.maxDelayMs);
    });
    this.running.add(run);
  }

  private async run(batch: Waiting[]): Promise<void> {
    const requests = batch.map((waiting) => waiting.request);
    try {
      await Promise.all(requests.map((request) => (request.transactionId ? this.sessions.ensureWritten(request.transactionId) : undefined)));
      const outcomes = (await this.store.runTask('recordConversions', requests)) as ConversionOutcome[];
      batch.forEach((waiting, index) => waiting.resolve(outcomes[index]!));
    } catch {
      for (const waiting of batch) {
        await recordConversion(this.store, this.sessions, waiting.request).then(waiting.resolve, waiting.reject);
      }
    }
  }

  /** Answers everything still waiting. */
  async close(): Promise<void> {
    while (this.queue.length > 0 || this.running.size > 0) {
      this.start();
      await Promise.all(this.running);
    }
  }
}
