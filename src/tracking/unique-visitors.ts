/**
 * Remembers which visitor clicked which offer for which partner within the window, so a repeat
 * counts as a gross click but not a unique one. Bounded: the oldest entries go first.
 */
export class UniqueVisitors {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  private readonly capacity: number;

  constructor(windowMs = 24 * 3_600_000, capacity = 1_000_000) {
    this.windowMs = windowMs;
    this.capacity = capacity;
  }

  /** True the first time in the window; records the visit either way. */
  firstVisit(visitor: string, offerId: number, partnerId: number, nowMs: number): boolean {
    const key = `${offerId}|${partnerId}|${visitor}`;
    const last = this.seen.get(key);
    const unique = last === undefined || nowMs - last >= this.windowMs;
    if (unique) {
      this.seen.delete(key);
      this.seen.set(key, nowMs);
      if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    }
    return unique;
  }
}
