import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthConfig } from '../config.ts';
import { CSRF_HEADER, csrfMatches, csrfToken, ensureCsrfSecret } from '../auth/csrf.ts';
import {
  declaredRole,
  SCOPE_ROUTE_ROLE,
  type RouteRole,
  type RouteRoleEntry,
} from '../auth/route-roles.ts';
import {
  bootstrapAdmin,
  ensureAuth,
  findUser,
  resolveApiToken,
  resolveSession,
  roleAllows,
  type User,
} from '../auth/store.ts';
import { AppError } from '../errors.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'vitals_session';

/** How the caller of a request was identified. */
export type Identity =
  | { method: 'token'; user: User }
  | { method: 'session'; user: User; sessionToken: string }
  | { method: 'proxy'; user: User };

export interface AuthState {
  readonly config: AuthConfig;
  readonly clock: () => Date;
  /** Every route registered so far with the role it requires. */
  readonly routes: readonly RouteRoleEntry[];
  /** The CSRF token the caller must send with state changes, or null when none is needed. */
  csrfTokenFor(identity: Identity | null): string | null;
  /** Whether `given` is the CSRF token of a cookie or proxy sign-in. */
  csrfValid(identity: Identity, given: unknown): boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route must say (checked when it is registered). */
    role?: RouteRole;
    /** False exempts a state-changing route from the CSRF check (only sign-in needs this). */
    csrf?: boolean;
  }
  interface FastifyInstance {
    auth: AuthState;
  }
  interface FastifyRequest {
    /** The signed-in user, or null for an anonymous request. */
    user: User | null;
    identity: Identity | null;
  }
}

export interface AuthPluginOptions {
  config: AuthConfig;
  clock: () => Date;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Who makes a request: a Bearer API token, else the session cookie, else (only when configured)
 * the user a trusted reverse proxy names in its header. Another Authorization scheme (such as
 * the Basic credentials a proxy passes through) is not ours and is ignored. A request without
 * any of them does not touch the database.
 */
async function identify(
  app: FastifyInstance,
  request: FastifyRequest,
  config: AuthConfig,
  now: Date,
): Promise<Identity | null> {
  const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const sessionToken = request.cookies[SESSION_COOKIE];
  const proxyHeader = config.trustedProxyAuthHeader;
  const proxyUser = proxyHeader === null ? undefined : request.headers[proxyHeader];
  if (!bearer && !sessionToken && (typeof proxyUser !== 'string' || proxyUser === '')) return null;
  const schema = app.state.schema;
  return app.duckdb.withConnection(async (connection) => {
    if (bearer) {
      // A Bearer token that fails does not fall back to the cookie: the caller meant the token.
      const user = await resolveApiToken(connection, schema, bearer, now);
      return user ? { method: 'token', user } : null;
    }
    if (sessionToken) {
      const user = await resolveSession(connection, schema, sessionToken, now);
      if (user) return { method: 'session', user, sessionToken };
    }
    if (typeof proxyUser === 'string' && proxyUser !== '') {
      const user = await findUser(connection, schema, proxyUser);
      if (user && !user.disabled) return { method: 'proxy', user };
    }
    return null;
  });
}

/** Answers 401, 403 or 403 `csrf` when the caller may not make this request. */
function authorize(request: FastifyRequest, auth: AuthState): void {
  const { role, csrf } = request.routeOptions.config;
  const user = request.user;
  if (role !== 'public') {
    if (user === null) {
      throw new AppError(401, 'unauthenticated', 'sign in first: this needs a signed-in user');
    }
    if (!roleAllows(user.role, role!)) {
      throw new AppError(
        403,
        'forbidden',
        `this needs the ${role} role; ${user.username} is ${user.role}`,
      );
    }
  }
  const identity = request.identity;
  if (
    identity !== null &&
    identity.method !== 'token' &&
    !SAFE_METHODS.has(request.method) &&
    csrf !== false &&
    !auth.csrfValid(identity, request.headers[CSRF_HEADER])
  ) {
    throw new AppError(
      403,
      'csrf',
      'a change made with a browser sign-in needs the X-Vitals-CSRF header; its value comes from GET /api/auth/me',
    );
  }
}

/**
 * Sign-in over HTTP: creates the sign-in tables and the first admin, identifies the caller of
 * every request, and enforces the role each route declares (a route without one fails at
 * registration) and the CSRF header on cookie-authenticated state changes.
 */
async function authPlugin(app: FastifyInstance, { config, clock }: AuthPluginOptions) {
  const schema = app.state.schema;
  const { secret, bootstrap } = await app.duckdb.withConnection(async (connection) => {
    await ensureAuth(connection, schema);
    return {
      secret: await ensureCsrfSecret(connection, schema),
      bootstrap: await bootstrapAdmin(
        connection,
        schema,
        { VITALS_ADMIN_USER: config.adminUser, VITALS_ADMIN_PASSWORD: config.adminPassword },
        clock(),
      ),
    };
  });
  if (bootstrap.created && bootstrap.generatedPassword !== null) {
    // The only log line that ever holds a secret: the generated password exists nowhere else,
    // so this is how the operator learns it. It is not kept; change it after signing in.
    app.log.warn(
      { username: bootstrap.user.username },
      `created the first admin "${bootstrap.user.username}" with the generated password ${bootstrap.generatedPassword} (shown only this once; sign in and change it, or set VITALS_ADMIN_PASSWORD before the first start)`,
    );
  }

  const routes: RouteRoleEntry[] = [];
  const auth: AuthState = {
    // The admin's password is needed only for the bootstrap above; it is not kept around.
    config: { ...config, adminPassword: undefined },
    clock,
    routes,
    csrfTokenFor(identity) {
      if (identity?.method === 'session') {
        return csrfToken(secret, { session: identity.sessionToken });
      }
      if (identity?.method === 'proxy') {
        return csrfToken(secret, { proxyUser: identity.user.username });
      }
      return null;
    },
    csrfValid(identity, given) {
      if (identity.method === 'session') {
        return csrfMatches(secret, { session: identity.sessionToken }, given);
      }
      return csrfMatches(secret, { proxyUser: identity.user.username }, given);
    },
  };
  app.decorate('auth', auth);
  app.decorateRequest('user', null);
  app.decorateRequest('identity', null);

  app.addHook('onRoute', function (route) {
    const scopeRole: unknown = (this as unknown as Record<symbol, unknown>)[SCOPE_ROUTE_ROLE];
    const role = declaredRole(route, scopeRole);
    route.config = { ...route.config, role };
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, role });
  });

  await app.register(fastifyCookie);
  // Limits are set per route (sign-in); nothing else is limited.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', `too many requests: try again in ${context.after}`),
  });

  app.addHook('onRequest', async (request) => {
    const identity = await identify(app, request, config, clock());
    request.identity = identity;
    request.user = identity?.user ?? null;
    // Unknown URLs reach the not-found handler, which reveals nothing and serves the SPA.
    if (!request.is404) authorize(request, auth);
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['duckdb', 'state'] });
