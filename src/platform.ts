import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { RateLimits } from './http/rate-limits.ts';
import { getNetwork, setMaintenance } from './network/network.ts';
import type { Store } from './store/store.ts';

/** How often a process re-reads switches another process may have flipped in the shared store. */
const SETTINGS_REFRESH_MS = 2_000;

/** The running platform: its store and the process-wide services every face shares. */
export class Platform {
  readonly config: Config;
  readonly store: Store;
  readonly rateLimits: RateLimits;
  private readonly redis: Redis | undefined;
  private maintenanceOn = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  private constructor(config: Config, store: Store, redis: Redis | undefined) {
    this.config = config;
    this.store = store;
    this.redis = redis;
    this.rateLimits = new RateLimits(redis);
  }

  static async start(config: Config, store: Store): Promise<Platform> {
    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
    if (redis) {
      redis.on('error', () => {});
      await redis.connect();
    }
    const platform = new Platform(config, store, redis);
    await platform.refreshSettings();
    platform.refreshTimer = setInterval(() => void platform.refreshSettings().catch(() => {}), SETTINGS_REFRESH_MS);
    platform.refreshTimer.unref();
    return platform;
  }

  get maintenance(): boolean {
    return this.maintenanceOn;
  }

  async setMaintenance(on: boolean): Promise<void> {
    await setMaintenance(this.store, on);
    this.maintenanceOn = on;
  }

  private async refreshSettings(): Promise<void> {
    this.maintenanceOn = (await getNetwork(this.store)).maintenance;
  }

  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.redis?.disconnect();
  }
}
