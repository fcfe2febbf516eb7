import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { SCOPE_ROUTE_ROLE } from '../auth/route-roles.ts';
import { AppError } from '../errors.ts';

export interface WebPluginOptions {
  webDir: string;
}

/**
 * Serves the built single-page app. Unknown /api paths get a JSON 404; any other GET that asks
 * for HTML gets index.html so client-side routes survive a reload. All of it is public: the app
 * must load before anyone has signed in, to show the sign-in page; the data comes from the API,
 * which checks roles.
 */
export default fp<WebPluginOptions>(
  async (app, { webDir }) => {
    const indexFile = path.join(webDir, 'index.html');
    const hasWeb = existsSync(indexFile);
    if (hasWeb) {
      // @fastify/static registers a route per file and cannot give them a config of ours, so
      // its scope declares the role for them.
      await app.register(async (scope) => {
        scope.decorate(SCOPE_ROUTE_ROLE, 'public');
        await scope.register(fastifyStatic, { root: webDir, wildcard: false, index: false });
      });
    } else {
      app.log.warn({ webDir }, 'no built web app found; run `npm run build` to serve the UI');
    }
    app.setNotFoundHandler((request, reply) => {
      const isApi = request.url === '/api' || request.url.startsWith('/api/');
      if (!isApi && hasWeb && request.method === 'GET') {
        // Read on each request: the file may be rebuilt while the server runs. (The static
        // plugin's sendFile is decorated inside its own scope, not here.)
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(createReadStream(indexFile));
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
