import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AUTH_ACTIONS,
  createUser,
  disableUser,
  listAuthAudit,
  listUsers,
  resetPassword,
  roleSchema,
  setRole,
  type ActionMeta,
  type User,
} from '../../auth/store.ts';

const userView = z.object({
  username: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastLoginAt: z.string().nullable(),
});

/** A user as the admin API shows one: no internal id, never a hash. */
function view(user: User): z.infer<typeof userView> {
  const { username, role, disabled, createdAt, updatedAt, lastLoginAt } = user;
  return { username, role, disabled, createdAt, updatedAt, lastLoginAt };
}

const usernameParams = z.object({ username: z.string().min(1).max(200) });
const password = z.string().min(1).max(2048);

const auditQuery = z
  .object({
    action: z.enum(AUTH_ACTIONS).optional(),
    actor: z.string().min(1).max(200).optional(),
    since: z
      .string()
      .max(40)
      .refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 date or time')
      .transform((value) => new Date(value))
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.enum(AUTH_ACTIONS),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

/** User management and the sign-in audit log, for admins. Store errors carry their status. */
const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const admin = { role: 'admin' } as const;
  const meta = (request: { user: User | null; ip: string }): ActionMeta => ({
    actor: request.user!.username,
    ip: request.ip,
    now: app.auth.clock(),
  });
  const withConnection = app.duckdb.withConnection;
  const schema = app.state.schema;

  app.get(
    '/api/admin/users',
    { config: admin, schema: { response: { 200: z.object({ users: z.array(userView) }) } } },
    async () => ({ users: (await withConnection((c) => listUsers(c, schema))).map(view) }),
  );

  app.post(
    '/api/admin/users',
    {
      bodyLimit: 4096,
      config: admin,
      schema: {
        body: z
          .object({ username: z.string().min(1).max(200), role: roleSchema, password })
          .strict(),
        response: { 201: z.object({ user: userView }) },
      },
    },
    async (request, reply) => {
      const user = await withConnection((c) => createUser(c, schema, request.body, meta(request)));
      return reply.code(201).send({ user: view(user) });
    },
  );

  app.patch(
    '/api/admin/users/:username',
    {
      bodyLimit: 4096,
      config: admin,
      schema: {
        params: usernameParams,
        body: z.object({ role: roleSchema }).strict(),
        response: { 200: z.object({ user: userView, previousRole: roleSchema }) },
      },
    },
    async (request) => {
      const { user, previous } = await withConnection((c) =>
        setRole(c, schema, request.params.username, request.body.role, meta(request)),
      );
      return { user: view(user), previousRole: previous };
    },
  );

  app.post(
    '/api/admin/users/:username/reset-password',
    {
      bodyLimit: 4096,
      config: admin,
      schema: {
        params: usernameParams,
        body: z.object({ password }).strict(),
        response: { 200: z.object({ user: userView, sessionsRevoked: z.number().int() }) },
      },
    },
    async (request) => {
      const result = await withConnection((c) =>
        resetPassword(c, schema, request.params.username, request.body.password, meta(request)),
      );
      return { user: view(result.user), sessionsRevoked: result.sessionsRevoked };
    },
  );

  app.post(
    '/api/admin/users/:username/disable',
    {
      config: admin,
      schema: {
        params: usernameParams,
        response: {
          200: z.object({
            user: userView,
            alreadyDisabled: z.boolean(),
            sessionsRevoked: z.number().int(),
            tokensRevoked: z.number().int(),
          }),
        },
      },
    },
    async (request) => {
      const result = await withConnection((c) =>
        disableUser(c, schema, request.params.username, meta(request)),
      );
      return { ...result, user: view(result.user) };
    },
  );

  app.get(
    '/api/admin/audit',
    {
      config: admin,
      schema: {
        querystring: auditQuery,
        response: { 200: z.object({ entries: z.array(auditEntry) }) },
      },
    },
    async (request) => ({
      entries: await withConnection((c) => listAuthAudit(c, schema, request.query)),
    }),
  );
};

export default adminRoutes;
