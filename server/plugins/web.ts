import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

export interface WebPluginOptions {
  webDir: string;
}

/**
 * Serves the built single-page app. Unknown /api paths get a JSON 404; any other GET that asks
 * for HTML gets index.html so client-side routes survive a reload.
 */
export default fp<WebPluginOptions>(
  async (app, { webDir }) => {
    const hasWeb = existsSync(path.join(webDir, 'index.html'));
    if (hasWeb) {
      await app.register(fastifyStatic, { root: webDir, wildcard: false, index: false });
    } else {
      app.log.warn({ webDir }, 'no built web app found; run `npm run build` to serve the UI');
    }
    app.setNotFoundHandler((request, reply) => {
      const isApi = request.url === '/api' || request.url.startsWith('/api/');
      if (!isApi && hasWeb && request.method === 'GET') {
        return reply.type('text/html').sendFile('index.html');
      }
      throw new AppError(
        404,
        'not_found',
        `no route for ${request.method} ${request.url.split('?')[0]}`,
      );
    });
  },
  { name: 'web' },
);
