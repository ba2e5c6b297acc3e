import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedCounts } from '../shared/shared-counts.ts';

export interface RateLimitRule {
  name: string;
  points: number;
  durationSeconds: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; used: number };

/**
 * Rate limiters counted in Redis when the platform has one, so several processes share one count;
 * in process memory otherwise. Should Redis fail, counting goes on in memory rather than refusing.
 */
export class RateLimits {
  private readonly shared: SharedCounts | undefined;
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(shared: SharedCounts | undefined) {
    this.shared = shared;
  }

  private limiter(rule: RateLimitRule): RateLimiterAbstract {
    let limiter = this.limiters.get(rule.name);
    if (!limiter) {
      const options = { keyPrefix: `${this.shared?.prefix ?? ''}rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
      limiter = this.shared
        ? new RateLimiterRedis({ ...options, storeClient: this.shared.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      this.limiters.set(rule.name, limiter);
    }
    return limiter;
  }

  /** Whether a key has used up its points, without using one: for limits that count only failures. */
  async check(rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
    const state = await this.limiter(rule).get(key);
    if (!state || state.consumedPoints < rule.points) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)), used: state.consumedPoints };
  }

  async consume(rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
    try {
      await this.limiter(rule).consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), used: rejection.consumedPoints };
      }
      throw rejection;
    }
  }
}
