import type { FastifyInstance } from 'fastify';
import { useJsonApiConventions } from '../http/json-api.ts';
import type { RateLimitRule } from '../http/rate-limits.ts';
import type { Platform } from '../platform.ts';
import { SK_FIELD_NAMES } from './sk-input.ts';
import { registerSkRoutes } from './sk-routes.ts';

/** The seed's limits: 200 requests a minute per key, and the same request at most 10 times a minute. */
export const SK_RATE_LIMITS: { perKey: RateLimitRule; identical: RateLimitRule } = {
  perKey: { name: 'sk-key', points: 200, durationSeconds: 60 },
  identical: { name: 'sk-same', points: 10, durationSeconds: 60 },
};

export interface SkPluginOptions {
  platform: Platform;
  /** Mounted a second time under the agency prefix; documented once. */
  hideFromDocs: boolean;
}

export async function sourceKnowledgeApi(app: FastifyInstance, options: SkPluginOptions): Promise<void> {
  useJsonApiConventions(app, { platform: options.platform, limits: SK_RATE_LIMITS, fieldNames: SK_FIELD_NAMES });
  registerSkRoutes(app, options.platform, options.hideFromDocs);
}
