import type { Store } from '../store/store.ts';
import { applyStatsDeltas, type StatsDelta, type StatsMetric } from '../stats/stats-deltas.ts';
import type { ClickOutcome } from './click-rules.ts';

export interface ClickRecord {
  transactionId: string;
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  outcome: ClickOutcome;
  isUnique: boolean;
  source: string | null;
  affSubs: Array<string | null>;
  affClickId: string | null;
  params: Record<string, string> | null;
  subId: string | null;
  ip: string;
  userAgent: string;
  country: string;
  device: string;
  browser: string;
  os: string;
  referrer: string | null;
  landingUrl: string | null;
  costMicros: bigint;
  payoutMicros: bigint;
}

export interface ImpressionRecord {
  createdAt: Date;
  offerId: number;
  partnerId: number;
  source: string | null;
  affSub1: string | null;
  fileId: number | null;
  ip: string;
  country: string;
  device: string;
}

export interface ClickWriterOptions {
  /** Rows that trigger a write at once. */
  maxBatch: number;
  /** How long a row may wait for company before it is written. */
  maxDelayMs: number;
}

const RETRY_DELAY_MS = 200;

const CLICK_COLUMNS = [
  'transaction_id', 'created_at', 'offer_id', 'partner_id', 'outcome', 'is_unique', 'source',
  'aff_sub1', 'aff_sub2', 'aff_sub3', 'aff_sub4', 'aff_sub5', 'aff_click_id', 'params', 'sub_id', 'ip', 'user_agent',
  'country', 'device', 'browser', 'os', 'referrer', 'landing_url', 'cost_micros', 'payout_micros',
] as const;

const IMPRESSION_COLUMNS = ['created_at', 'offer_id', 'partner_id', 'source', 'aff_sub1', 'file_id', 'ip', 'country', 'device'] as const;

/** A click or impression as the statistics see it; only counted traffic gets here, and it names both offer and partner. */
interface TrafficEvent {
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  country: string;
  device: string;
  source: string | null;
}

function statsDelta(event: TrafficEvent, sub1: string | null, metrics: Partial<Record<StatsMetric, bigint>>): StatsDelta {
  const { createdAt, offerId, partnerId, country, device, source } = event;
  return { at: createdAt, offerId: offerId!, partnerId: partnerId!, goalId: 0, country, device, source: source ?? '', sub1: sub1 ?? '', metrics };
}

/**
 * Group commit for clicks and impressions: rows wait in memory for a few milliseconds, then one
 * transaction writes them all with their statistics. A click not yet written can still be found,
 * and `ensureWritten` waits for it, so a conversion right behind its click is never lost.
 */
export class ClickWriter {
  private readonly store: Store;
  private readonly options: ClickWriterOptions;
  private clicks: ClickRecord[] = [];
  private impressions: ImpressionRecord[] = [];
  private readonly unwritten = new Map<string, ClickRecord>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failures = 0;
  onError: (error: unknown) => void = () => {};

  constructor(store: Store, options: ClickWriterOptions) {
    this.store = store;
    this.options = options;
  }

  get backlog(): number {
    return this.clicks.length + this.impressions.length;
  }

  addClick(click: ClickRecord): void {
    this.clicks.push(click);
    this.unwritten.set(click.transactionId, click);
    this.schedule();
  }

  addImpression(impression: ImpressionRecord): void {
    this.impressions.push(impression);
    this.schedule();
  }

  find(transactionId: string): ClickRecord | undefined {
    return this.unwritten.get(transactionId);
  }

  /** Resolves once the click is in the store (or at once if it never waited here). */
  async ensureWritten(transactionId: string): Promise<void> {
    while (this.unwritten.has(transactionId)) await this.flush();
  }

  private schedule(): void {
    if (this.backlog === this.options.maxBatch) {
      void this.flush().catch(() => {});
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => {}), this.options.maxDelayMs);
    }
  }

  /** Writes everything waiting. Writes queue behind each other; the next batch gathers meanwhile. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.writeBacklog());
    this.chain = run.catch(() => {});
    return run;
  }

  private async writeBacklog(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.backlog === 0) return;
    const clicks = this.clicks;
    const impressions = this.impressions;
    this.clicks = [];
    this.impressions = [];
    try {
      await this.write(clicks, impressions);
      this.failures = 0;
      for (const click of clicks) this.unwritten.delete(click.transactionId);
    } catch (error) {
      // Nothing is dropped: the rows go back to the front of the queue and are tried again.
      this.failures += 1;
      this.clicks = clicks.concat(this.clicks);
      this.impressions = impressions.concat(this.impressions);
      this.onError(error);
      throw error;
    } finally {
      if (this.backlog > 0 && !this.timer) {
        const delay = this.failures > 0 ? RETRY_DELAY_MS : this.backlog >= this.options.maxBatch ? 0 : this.options.maxDelayMs;
        this.timer = setTimeout(() => void this.flush().catch(() => {}), delay);
      }
    }
  }

  private async write(clicks: ClickRecord[], impressions: ImpressionRecord[]): Promise<void> {
    const deltas: StatsDelta[] = [
      ...clicks
        .filter((click) => click.outcome === 'counted')
        .map((click) =>
          statsDelta(click, click.affSubs[0] ?? null, {
            gross_clicks: 1n,
            unique_clicks: click.isUnique ? 1n : 0n,
            click_cost_micros: click.costMicros,
            click_payout_micros: click.payoutMicros,
          }),
        ),
      ...impressions.map((impression) => statsDelta(impression, impression.affSub1, { impressions: 1n })),
    ];
    await this.store.transaction(async (tx) => {
      await tx.bulkInsert(
        'clicks',
        CLICK_COLUMNS,
        clicks.map((click) => [
          click.transactionId,
          click.createdAt,
          click.offerId,
          click.partnerId,
          click.outcome,
          click.isUnique,
          click.source,
          ...[0, 1, 2, 3, 4].map((index) => click.affSubs[index] ?? null),
          click.affClickId,
          click.params,
          click.subId,
          click.ip,
          click.userAgent,
          click.country,
          click.device,
          click.browser,
          click.os,
          click.referrer,
          click.landingUrl,
          click.costMicros,
          click.payoutMicros,
        ]),
      );
      await tx.bulkInsert(
        'impressions',
        IMPRESSION_COLUMNS,
        impressions.map((impression) => [
          impression.createdAt,
          impression.offerId,
          impression.partnerId,
          impression.source,
          impression.affSub1,
          impression.fileId,
          impression.ip,
          impression.country,
          impression.device,
        ]),
      );
      await applyStatsDeltas(tx, deltas);
    });
  }
}
