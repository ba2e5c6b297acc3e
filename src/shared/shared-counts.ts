import type { Redis } from 'ioredis';

/** A Redis that processes sharing one store count in, and the prefix of that store's keys there. */
export interface SharedCounts {
  redis: Redis;
  /** `partnerline:<store id>:`: stores sharing a Redis never read each other's keys. */
  prefix: string;
}

export const sharedCountsPrefix = (storeId: string) => `partnerline:${storeId}:`;
