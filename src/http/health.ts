import type { FastifyInstance } from 'fastify';
import { syncState } from '../hasoffers-bridge/sync-out.ts';
import type { Platform } from '../platform.ts';
import { quietLogLevel } from './request-log.ts';

/** Liveness says the process answers; readiness says it can serve: store reachable, not shutting down. */
export async function healthRoutes(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  const probe = { logLevel: quietLogLevel(platform.config.logLevel) };
  app.get('/healthz', probe, async () => ({ status: 'ok' }));
  app.get('/readyz', probe, async (_request, reply) => {
    // Clicks and impressions answered but not yet stored: a number that keeps rising means the store is not keeping up.
    const trafficWaiting = platform.tracker.writer.notYetStored;
    if (shuttingDown) return reply.code(503).send({ status: 'shutting down', trafficWaiting });
    try {
      await platform.store.query('SELECT 1');
    } catch {
      return reply.code(503).send({ status: 'store unavailable', trafficWaiting });
    }
    // How far the HasOffers sync runs behind the ledger: a sync that cannot keep up shows here, without making the process unready.
    const { queued, parked, behindSeconds } = await syncState(platform.store);
    return { status: 'ready', store: platform.store.kind, maintenance: platform.maintenance, trafficWaiting, hasOffersSync: { queued, parked, behindSeconds } };
  });
}
