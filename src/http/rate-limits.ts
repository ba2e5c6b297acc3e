import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

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
  private readonly redis: Redis | undefined;
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(redis: Redis | undefined) {
    this.redis = redis;
  }

  private limiter(rule: RateLimitRule): RateLimiterAbstract {
    let limiter = this.limiters.get(rule.name);
    if (!limiter) {
      const options = { keyPrefix: `partnerline:rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
      limiter = this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      this.limiters.set(rule.name, limiter);
    }
    return limiter;
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
