import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  authenticate,
  createApiToken,
  createSession,
  listApiTokens,
  revokeApiToken,
  revokeSession,
  usernameKey,
} from '../../auth/store.ts';
import { ROLES } from '../../auth/users.ts';
import { AppError } from '../../errors.ts';
import { SESSION_COOKIE } from '../../plugins/auth.ts';

/** Sign-in attempts from one address, failed or not. */
const LOGIN_LIMIT_PER_IP = { max: 10, timeWindow: 60_000 };
/** Failed sign-ins for one username (in any case), from anywhere. */
const LOGIN_LIMIT_PER_USER = { max: 5, timeWindow: 15 * 60_000 };

const loginBody = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(2048) })
  .strict();

const meUser = z.object({ username: z.string(), role: z.enum(ROLES) });
const meReply = z.object({ user: meUser.nullable(), csrfToken: z.string().nullable() });
const loginReply = z.object({ user: meUser, csrfToken: z.string() });

const apiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const createdToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  token: z.string(),
});

/**
 * Signing in and out, who am I, and the caller's own API tokens. The session token lives only in
 * an HttpOnly cookie; the CSRF token that cookie-authenticated changes must echo is in the reply.
 */
const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const failedForUser = app.createRateLimit({
    ...LOGIN_LIMIT_PER_USER,
    keyGenerator: (request) =>
      `user:${usernameKey((request.body as z.infer<typeof loginBody>).username)}`,
  });

  app.post(
    '/api/auth/login',
    {
      bodyLimit: 4096,
      config: { role: 'public', csrf: false, rateLimit: LOGIN_LIMIT_PER_IP },
      schema: { body: loginBody, response: { 200: loginReply } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      // Peeked, not counted: only a failure counts against the username.
      const status = await failedForUser(request, { increment: false });
      if (!status.isAllowed && status.remaining === 0) {
        throw new AppError(
          429,
          'rate_limited',
          `too many failed sign-ins for this username: try again in ${Math.ceil(status.ttlInSeconds / 60)} minute(s)`,
        );
      }
      const { config, clock } = app.auth;
      const signedIn = await app.duckdb.withConnection(async (connection) => {
        const now = clock();
        const user = await authenticate(connection, app.state.schema, username, password, {
          ip: request.ip,
          now,
        });
        if (!user) return null;
        const token = await createSession(connection, app.state.schema, user.id, {
          ttlHours: config.sessionTtlHours,
          idleMinutes: config.sessionIdleMinutes,
          now,
        });
        return { user, token };
      });
      if (!signedIn) {
        await failedForUser(request);
        // One reply for an unknown user, a wrong password and a disabled user alike.
        throw new AppError(401, 'invalid_credentials', 'wrong username or password');
      }
      reply.setCookie(SESSION_COOKIE, signedIn.token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: config.cookieSecure || request.protocol === 'https',
      });
      return {
        user: { username: signedIn.user.username, role: signedIn.user.role },
        csrfToken: app.auth.csrfTokenFor({
          method: 'session',
          user: signedIn.user,
          sessionToken: signedIn.token,
        })!,
      };
    },
  );

  app.post('/api/auth/logout', { config: { role: 'viewer' } }, async (request, reply) => {
    const identity = request.identity;
    if (identity?.method === 'session') {
      await app.duckdb.withConnection((connection) =>
        revokeSession(connection, app.state.schema, identity.sessionToken, {
          ip: request.ip,
          now: app.auth.clock(),
        }),
      );
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get(
    '/api/auth/me',
    { config: { role: 'public' }, schema: { response: { 200: meReply } } },
    async (request) => ({
      user: request.user ? { username: request.user.username, role: request.user.role } : null,
      csrfToken: app.auth.csrfTokenFor(request.identity),
    }),
  );

  app.get(
    '/api/auth/tokens',
    {
      config: { role: 'viewer' },
      schema: { response: { 200: z.object({ tokens: z.array(apiToken) }) } },
    },
    async (request) => {
      const tokens = await app.duckdb.withConnection((connection) =>
        listApiTokens(connection, app.state.schema, request.user!.id),
      );
      return {
        tokens: tokens.map(({ id, name, prefix, createdAt, lastUsedAt, revokedAt }) => ({
          id,
          name,
          prefix,
          createdAt,
          lastUsedAt,
          revokedAt,
        })),
      };
    },
  );

  app.post(
    '/api/auth/tokens',
    {
      bodyLimit: 4096,
      config: { role: 'viewer' },
      schema: {
        body: z.object({ name: z.string().min(1).max(200) }).strict(),
        response: { 201: createdToken },
      },
    },
    async (request, reply) => {
      const user = request.user!;
      const created = await app.duckdb.withConnection((connection) =>
        createApiToken(connection, app.state.schema, user.id, request.body.name, {
          actor: user.username,
          ip: request.ip,
          now: app.auth.clock(),
        }),
      );
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/auth/tokens/:id',
    {
      config: { role: 'viewer' },
      schema: { params: z.object({ id: z.string().min(1).max(100) }) },
    },
    async (request, reply) => {
      const user = request.user!;
      const revoked = await app.duckdb.withConnection((connection) =>
        revokeApiToken(connection, app.state.schema, request.params.id, {
          actor: user.username,
          ip: request.ip,
          now: app.auth.clock(),
          // An admin may revoke anyone's token; everyone else only their own.
          ...(user.role === 'admin' ? {} : { userId: user.id }),
        }),
      );
      if (!revoked) {
        throw new AppError(404, 'unknown_token', `you have no live API token ${request.params.id}`);
      }
      return reply.code(204).send();
    },
  );
};

export default authRoutes;
