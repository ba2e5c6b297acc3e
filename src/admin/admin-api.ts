import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CommandError, runCommand } from '../cli/commands.ts';
import type { Platform } from '../platform.ts';

/**
 * The operator's door into a running server: the CLI sends its command here when the embedded
 * store is held by this process. The token lives only in the data directory's lock file.
 */
export async function adminApi(app: FastifyInstance, options: { platform: Platform; token: string }): Promise<void> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  app.addHook('onRequest', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply.code(401).send({ error: 'Admin token required' });
    }
  });
  app.post<{ Body: { args: string[] } }>(
    '/commands',
    {
      schema: {
        body: { type: 'object', properties: { args: { type: 'array', items: { type: 'string' } } }, required: ['args'] },
      },
    },
    async (request, reply) => {
      try {
        return await runCommand(
          { store: options.platform.store, setMaintenance: (on) => options.platform.setMaintenance(on), hasOffersNetworkId: options.platform.config.hasOffersNetworkId, publicUrl: options.platform.config.publicUrl },
          request.body.args,
        );
      } catch (error) {
        if (error instanceof CommandError) return reply.code(400).send({ error: error.message });
        throw error;
      }
    },
  );
}
