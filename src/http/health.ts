import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform.ts';

/** Liveness says the process answers; readiness says it can serve: store reachable, not shutting down. */
export async function healthRoutes(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (shuttingDown) return reply.code(503).send({ status: 'shutting down' });
    try {
      await platform.store.query('SELECT 1');
    } catch {
      return reply.code(503).send({ status: 'store unavailable' });
    }
    return { status: 'ready', store: platform.store.kind, maintenance: platform.maintenance };
  });
}
