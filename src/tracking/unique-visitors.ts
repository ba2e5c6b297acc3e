import type { SharedCounts } from '../shared/shared-counts.ts';
import { setBounded } from '../shared/bounded-map.ts';
import type { ClickRecord } from './traffic-writes.ts';

/** A visitor's repeat clicks on one offer through one partner within this window are not unique. */
export const UNIQUE_WINDOW_MS = 24 * 3_600_000;

/**
 * Remembers which visitor clicked which offer for which partner within the window, so a repeat
 * counts as a gross click but not a unique one. Bounded: the oldest entries go first.
 */
export class UniqueVisitors {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  private readonly capacity: number;

  constructor(windowMs = UNIQUE_WINDOW_MS, capacity = 1_000_000) {
    this.windowMs = windowMs;
    this.capacity = capacity;
  }

  /** True the first time in the window; records the visit either way. */
  firstVisit(visitor: string, offerId: number, partnerId: number, nowMs: number): boolean {
    const key = `${offerId}|${partnerId}|${visitor}`;
    const last = this.seen.get(key);
    const unique = last === undefined || nowMs - last >= this.windowMs;
    if (unique) setBounded(this.seen, key, nowMs, this.capacity);
    return unique;
  }
}

/**
 * The same window kept in Redis, so every process sharing it agrees. It is asked when a batch is
 * written, not while the visitor waits: a key set only if absent (`SET NX PX`) marks the first
 * visit. Where Redis gives no answer, the process's own decision stands.
 */
export function sharedFirstVisits({ redis, prefix }: SharedCounts, windowMs = UNIQUE_WINDOW_MS) {
  return async (clicks: ClickRecord[]): Promise<void> => {
    const pipeline = redis.pipeline();
    for (const click of clicks) pipeline.set(`${prefix}visit:${click.offerId}|${click.partnerId}|${click.visitorId}`, '1', 'PX', windowMs, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, reply], index) => {
      if (!error) clicks[index]!.isUnique = reply === 'OK';
    });
  };
}
