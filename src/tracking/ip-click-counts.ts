import type { SharedCounts } from '../shared/shared-counts.ts';
import { setBounded } from '../shared/bounded-map.ts';
import { ipClickKey } from '../traffic-control/ip-rules.ts';
import type { ClickRecord } from './traffic-writes.ts';

const HOUR_MS = 3_600_000;

/**
 * Counted clicks per address in the current clock hour (UTC), in this process's memory (and, with
 * Redis, what the others counted). Bounded: past the capacity the addresses seen longest ago are
 * forgotten first.
 */
export class IpClickCounts {
  private hour = -1;
  private counts = new Map<string, number>();
  private readonly capacity: number;

  constructor(capacity = 1_000_000) {
    this.capacity = capacity;
  }

  private current(nowMs: number): Map<string, number> {
    const hour = Math.floor(nowMs / HOUR_MS);
    if (hour !== this.hour) {
      this.hour = hour;
      this.counts = new Map();
    }
    return this.counts;
  }

  /** Whether one more counted click from this address would pass the limit this hour. */
  wouldPass(key: string, nowMs: number, limit: number): boolean {
    return (this.current(nowMs).get(key) ?? 0) >= limit;
  }

  add(key: string, nowMs: number): void {
    const counts = this.current(nowMs);
    setBounded(counts, key, (counts.get(key) ?? 0) + 1, this.capacity);
  }

  /** Learns the address's count in the hour of `atMs` as every process made it together; it includes this one's. */
  learn(key: string, atMs: number, total: number): void {
    if (Math.floor(atMs / HOUR_MS) !== this.hour) return;
    if ((this.counts.get(key) ?? 0) < total) setBounded(this.counts, key, total, this.capacity);
  }
}

/**
 * The same counts kept in Redis, so processes sharing it hold one limit: each counted click is
 * added (`INCR`) as its batch is written, not while the visitor waits, and the total that comes
 * back is learned. A process hears of another's clicks from an address with its own next click
 * from there, so together they can pass the limit by about one click a process.
 */
export function sharedIpClickCounts({ redis, prefix }: SharedCounts, counts: IpClickCounts, limited: () => boolean) {
  return async (clicks: ClickRecord[]): Promise<void> => {
    const counted = limited() ? clicks.filter((click) => click.outcome === 'counted') : [];
    if (counted.length === 0) return;
    const pipeline = redis.pipeline();
    const keys = counted.map((click) => ipClickKey(click.ip));
    counted.forEach((click, index) => {
      const key = `${prefix}ip-clicks:${Math.floor(click.createdAt.getTime() / HOUR_MS)}:${keys[index]}`;
      pipeline.incr(key).pexpire(key, 2 * HOUR_MS);
    });
    const replies = (await pipeline.exec()) ?? [];
    counted.forEach((click, index) => {
      const [error, total] = replies[index * 2] ?? [new Error('no reply')];
      if (!error) counts.learn(keys[index]!, click.createdAt.getTime(), Number(total));
    });
  };
}
