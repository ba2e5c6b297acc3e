import type { Store } from '../store/store.ts';
import { callPostback } from './postback-call.ts';

export interface DeliveryOptions {
  allowPrivateDestinations: boolean;
  timeoutMs: number;
  /** A delivery is parked after this many failed attempts. */
  maxAttempts: number;
  /** An endpoint is parked after this many failures in a row, and its owner told. */
  parkEndpointAfter: number;
  /** First retry delay; each further one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  pollMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  allowPrivateDestinations: false,
  timeoutMs: 5_000,
  maxAttempts: 8,
  parkEndpointAfter: 20,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
  pollMs: 250,
};

/** Exponential backoff: base, 2×base, 4×base… capped. */
export function retryDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

const MAX_IN_FLIGHT = 50;
/** After a claim the store refused: it is likely still down, and each try is logged. */
const CLAIM_RETRY_MS = 5_000;
const LEASE = "interval '5 minutes'";

interface Claimed {
  id: bigint;
  conversionId: bigint;
  postbackId: number;
  partnerId: number;
  url: string;
  attempts: number;
  secret: string | null;
}

/**
 * Delivers queued postbacks: claims due ones (safely across processes), calls, logs, retries,
 * parks. A conversion's news reaches each endpoint in the order it happened: a delivery waits
 * while an earlier one to the same endpoint is undelivered (failing, waiting to retry, or parked). Up to `MAX_IN_FLIGHT` calls run at once and a freed place is filled at once, so one
 * slow or silent endpoint holds up only its own deliveries, not everyone's.
 */
export class DeliveryWorker {
  private readonly store: Store;
  /** Also what a test call of a postback goes by. */
  readonly options: DeliveryOptions;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private claiming: Promise<void> | undefined;
  /** Conversions with a delivery being called: the next one of each waits, so a conversion's news goes out in order. */
  private readonly busy = new Map<bigint, Promise<void>>();
  private stopped = false;
  /** A claim or an attempt's log the store refused; the deliveries concerned are claimed again when their lease ends. */
  onError: (error: unknown) => void = () => {};

  constructor(store: Store, options: DeliveryOptions) {
    this.store = store;
    this.options = options;
  }

  start(): void {
    this.schedule(this.options.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.claiming;
    await Promise.all(this.busy.values());
  }

  /** Looks for due deliveries after the delay, or sooner if a look is already due sooner. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const dueAt = Date.now() + delayMs;
    if (this.timer && dueAt >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A look already under way schedules the next when it ends; this one comes right after it.
      if (this.claiming) return void this.claiming.then(() => this.schedule(0));
      this.claiming = this.fill()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.claiming = undefined;
        });
    }, delayMs);
  }

  /** Claims as many due deliveries as there are free places and starts them; looks again at once when it filled every place. */
  private async fill(): Promise<void> {
    const free = MAX_IN_FLIGHT - this.busy.size;
    let next = CLAIM_RETRY_MS;
    try {
      const claimed = await this.claim(free);
      this.begin(claimed);
      next = claimed.length > 0 && claimed.length === free ? 0 : this.options.pollMs;
    } finally {
      this.schedule(next);
    }
  }

  private async claim(limit: number): Promise<Claimed[]> {
    if (limit <= 0) return [];
    return this.store.query<Claimed>(
      `WITH due AS (
         SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
           AND conversion_id <> ALL($2::int8[])
           AND NOT EXISTS (SELECT 1 FROM outbox earlier WHERE earlier.conversion_id = outbox.conversion_id
             AND earlier.postback_id = outbox.postback_id AND earlier.id < outbox.id AND earlier.status <> 'delivered')
         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE outbox o SET status = 'sending', next_attempt_at = now() + ${LEASE}
       FROM due, partner_postbacks p WHERE o.id = due.id AND p.id = o.postback_id
       RETURNING o.id, o.conversion_id AS "conversionId", o.postback_id AS "postbackId", p.partner_id AS "partnerId", o.url, o.attempts, p.secret`,
      [limit, [...this.busy.keys()].map(String)],
    );
  }

  /** Starts the claimed deliveries: different conversions at once, one conversion's in the order they were queued. */
  private begin(claimed: Claimed[]): void {
    const byConversion = new Map<bigint, Claimed[]>();
    for (const delivery of [...claimed].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      byConversion.set(delivery.conversionId, [...(byConversion.get(delivery.conversionId) ?? []), delivery]);
    }
    for (const [conversionId, deliveries] of byConversion) {
      const run = (async () => {
        for (const delivery of deliveries) await this.deliver(delivery);
      })()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.busy.delete(conversionId);
          this.schedule(0);
        });
      this.busy.set(conversionId, run);
    }
  }

  private async deliver(delivery: Claimed): Promise<void> {
    const { statusCode, excerpt, error, permanent, latencyMs } = await callPostback(delivery.url, delivery.secret, this.options);
    await this.store.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO delivery_attempts (outbox_id, status_code, latency_ms, response_excerpt, error) VALUES ($1, $2, $3, $4, $5)`,
        [String(delivery.id), statusCode, latencyMs, excerpt, error],
      );
      if (!error) {
        await tx.query(`UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE id = $1`, [
          String(delivery.id),
        ]);
        await tx.query('UPDATE partner_postbacks SET consecutive_failures = 0 WHERE id = $1', [delivery.postbackId]);
        return;
      }
      const attempts = delivery.attempts + 1;
      const park = permanent || attempts >= this.options.maxAttempts;
      await tx.query(
        `UPDATE outbox SET status = $2, attempts = $3, last_error = $4,
           next_attempt_at = now() + make_interval(secs => $5::float8 / 1000) WHERE id = $1`,
        [String(delivery.id), park ? 'parked' : 'pending', attempts, error, retryDelayMs(attempts, this.options.baseDelayMs, this.options.maxDelayMs)],
      );
      const [endpoint] = await tx.query<{ failures: number; status: string }>(
        `UPDATE partner_postbacks SET consecutive_failures = consecutive_failures + 1 WHERE id = $1
         RETURNING consecutive_failures AS failures, status`,
        [delivery.postbackId],
      );
      if (endpoint!.status === 'active' && endpoint!.failures >= this.options.parkEndpointAfter) {
        await tx.query(`UPDATE partner_postbacks SET status = 'parked', updated_at = now() WHERE id = $1`, [delivery.postbackId]);
        await tx.query(`UPDATE outbox SET status = 'parked' WHERE postback_id = $1 AND status = 'pending'`, [delivery.postbackId]);
        await tx.query(`INSERT INTO notifications (partner_id, kind, message) VALUES ($1, 'postback_parked', $2)`, [
          delivery.partnerId,
          `Postback ${delivery.postbackId} failed ${endpoint!.failures} times in a row (last: ${error}) and is parked. Fix the endpoint, then replay a delivery to resume.`,
        ]);
      }
    });
  }
}
