// Every route declares the role it needs, and the server enforces it: the whole status-code
// matrix for anonymous, viewer, analyst and admin callers over every registered route.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAllows, type Role } from '../../server/auth/store.ts';
import { buildTestApp, signedIn, tempDir } from '../helpers/app.ts';

/** The role of every API route; a new route must be added here, deliberately. */
const API_ROLES: Record<string, string> = {
  'GET /healthz': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'viewer',
  'GET /api/auth/me': 'public',
  'GET /api/auth/tokens': 'viewer',
  'POST /api/auth/tokens': 'viewer',
  'DELETE /api/auth/tokens/:id': 'viewer',
  'GET /api/admin/users': 'admin',
  'POST /api/admin/users': 'admin',
  'PATCH /api/admin/users/:username': 'admin',
  'POST /api/admin/users/:username/reset-password': 'admin',
  'POST /api/admin/users/:username/disable': 'admin',
  'GET /api/admin/audit': 'admin',
  'GET /api/data/status': 'viewer',
  'GET /api/portfolio': 'viewer',
  'GET /api/overview': 'viewer',
  'GET /api/cohorts': 'viewer',
  'GET /api/trends': 'viewer',
  'GET /api/accounts': 'viewer',
  'GET /api/accounts/:id': 'viewer',
  'GET /api/models/production': 'viewer',
};

/** A concrete URL for a route pattern: parameters get a value no record has. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'no-such-thing');

describe('route roles', () => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  const callers = new Map<Role, { authorization: string }>();

  beforeAll(async () => {
    const data = await tempDir();
    cleanup = data.cleanup;
    app = await buildTestApp(data.dir, { SCORE_ON_START: 'false' }, {}, { anonymous: true });
    for (const role of ROLES) callers.set(role, await signedIn(app, role));
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('keeps a registry of every route with its role, as declared', () => {
    const declared = Object.fromEntries(
      app.auth.routes
        .filter(
          (route) =>
            route.method !== 'HEAD' && (route.url.startsWith('/api') || route.url === '/healthz'),
        )
        .map((route) => [`${route.method} ${route.url}`, route.role]),
    );
    expect(declared).toEqual(API_ROLES);
    // Everything else is the web app's files, which must load before signing in.
    for (const route of app.auth.routes) {
      if (!route.url.startsWith('/api') && route.url !== '/healthz')
        expect(route.role).toBe('public');
    }
  });

  it('answers 401 anonymous, 403 below the role, and neither at or above it, on every route', async () => {
    expect(app.auth.routes.length).toBeGreaterThanOrEqual(Object.keys(API_ROLES).length * 2);
    const problems: string[] = [];
    for (const route of app.auth.routes) {
      const url = concrete(route.url);
      const anonymous = await app.inject({ method: route.method as 'GET', url });
      if (route.role === 'public') {
        if ([401, 403].includes(anonymous.statusCode)) {
          problems.push(`${route.method} ${route.url} anonymous: ${anonymous.statusCode}`);
        }
      } else if (anonymous.statusCode !== 401) {
        problems.push(
          `${route.method} ${route.url} anonymous: ${anonymous.statusCode}, expected 401`,
        );
      }
      for (const role of ROLES) {
        const reply = await app.inject({
          method: route.method as 'GET',
          url,
          headers: callers.get(role)!,
        });
        const allowed = route.role === 'public' || roleAllows(role, route.role);
        const ok = allowed ? ![401, 403].includes(reply.statusCode) : reply.statusCode === 403;
        if (!ok) {
          problems.push(
            `${route.method} ${route.url} as ${role}: ${reply.statusCode} ${reply.body.slice(0, 120)}`,
          );
        }
        if (!allowed && route.method !== 'HEAD') expect(reply.json().error).toBe('forbidden');
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps unknown /api paths a JSON 404, signed in or not', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error).toBe('not_found');
  });
});

describe('a route without a role', () => {
  it('fails at registration, naming its method and URL', async () => {
    const data = await tempDir();
    const app = await buildTestApp(data.dir, { SCORE_ON_START: 'false' }, {}, { anonymous: true });
    try {
      expect(() => app.get('/api/forgotten', async () => 'open')).toThrow(
        /route GET \/api\/forgotten declares no role/,
      );
      expect(() =>
        app.get('/api/misspelt', { config: { role: 'viewers' as Role } }, async () => 'open'),
      ).toThrow(/route GET \/api\/misspelt declares an unknown role "viewers"/);
      void app.register(async (scope) => {
        scope.post('/api/plugin-route', async () => 'open');
      });
      await expect(app.ready()).rejects.toThrow(/route POST \/api\/plugin-route declares no role/);
    } finally {
      await app.close().catch(() => undefined);
      await data.cleanup();
    }
  });
});
