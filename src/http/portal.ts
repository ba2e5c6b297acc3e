import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendJsonError } from './json-api.ts';

/** Where `npm install` builds the web portal (see portal/scripts/build.ts). */
export const PORTAL_DIST = new URL('../../portal/dist/', import.meta.url);

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partnerline</title></head>
<body><main><h1>The portal is not built</h1><p>Run <code>npm install</code> (or <code>npm run build</code>) in Partnerline's folder, then start it again. The APIs work meanwhile.</p></main></body></html>`;

/** Paths of the APIs and tracking: an unknown one there is a 404, never a portal page. */
const NOT_PORTAL = /^\/(api|affiliate|Apiv3|v3|admin|doc|t)(\/|$)|^\/aff_/;

/**
 * Serves the portal at / beside the APIs: its files as built, and its index page for every other
 * page a person opens (the app routes in the browser). Unknown API paths still answer JSON.
 */
export async function portalRoutes(app: FastifyInstance): Promise<void> {
  const built = existsSync(new URL('index.html', PORTAL_DIST));
  const index = built ? await readFile(new URL('index.html', PORTAL_DIST), 'utf8') : NOT_BUILT;
  if (built) {
    await app.register(fastifyStatic, {
      root: PORTAL_DIST.pathname,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      // File names under assets/ carry their content's hash.
      cacheControl: false,
      setHeaders: (reply, path) => void reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !/\.\w+$/.test(path) && !NOT_PORTAL.test(path);
    if (!wantsPage) return sendJsonError(reply, 404, `No endpoint ${request.method} ${request.url.split('?')[0]}`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  });
}
