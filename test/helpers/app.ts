import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type AppDeps } from '../../server/app.ts';
import { createApiToken, createUser, findUser, type Role } from '../../server/auth/store.ts';
import { parseConfig } from '../../server/config.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'vitals-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The first admin of every test app (VITALS_ADMIN_USER / VITALS_ADMIN_PASSWORD). */
export const TEST_ADMIN = { username: 'admin', password: 'vitals-test-admin-password' } as const;

/** The password of every user `signedIn` creates. */
export const TEST_PASSWORD = 'vitals-test-user-password';

export interface TestAppOptions {
  /** Leave `inject` as it is: every request is anonymous unless it brings its own credentials. */
  anonymous?: boolean;
}

/** Issues an API token for an existing user and returns its Authorization header. */
async function bearerFor(
  app: FastifyInstance,
  username: string,
): Promise<{ authorization: string }> {
  const token = await app.duckdb.withConnection(async (connection) => {
    const user = await findUser(connection, app.state.schema, username);
    if (!user) throw new Error(`no user ${username}`);
    const created = await createApiToken(connection, app.state.schema, user.id, 'test', {
      actor: 'test',
    });
    return created.token;
  });
  return { authorization: `Bearer ${token}` };
}

/** Whether a request brings credentials of its own (an Authorization or Cookie header, cookies). */
function hasOwnCredentials(options: InjectOptions): boolean {
  const names = Object.keys(options.headers ?? {}).map((name) => name.toLowerCase());
  return names.includes('authorization') || names.includes('cookie') || !!options.cookies;
}

/**
 * Builds the real app over `dataDir` with a fresh state folder; close it when done.
 *
 * The app's first admin is TEST_ADMIN, and `app.inject({...})` is wrapped so that each request
 * carries `Authorization: Bearer <an API token of that admin>`, which keeps tests that are not
 * about sign-in short. A request that sets its own `authorization` or `cookie` header (or
 * `cookies`) is sent as it is; pass `{ anonymous: true }` to leave `inject` unwrapped. The
 * chained form `app.inject()` is never wrapped.
 */
export async function buildTestApp(
  dataDir: string,
  env: Record<string, string> = {},
  deps: AppDeps = {},
  options: TestAppOptions = {},
): Promise<FastifyInstance> {
  const state = await tempDir('vitals-state-');
  const config = parseConfig({
    DATA_DIR: dataDir,
    STATE_DIR: state.dir,
    LOG_LEVEL: 'silent',
    VITALS_ADMIN_USER: TEST_ADMIN.username,
    VITALS_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...env,
  });
  const app = await buildApp(config, deps);
  app.addHook('onClose', state.cleanup);
  if (options.anonymous) return app;
  const admin = await bearerFor(app, config.auth.adminUser ?? TEST_ADMIN.username);
  const inject = app.inject.bind(app);
  const asAdmin = (request: InjectOptions | string): InjectOptions => {
    const given = typeof request === 'string' ? { url: request } : request;
    return hasOwnCredentials(given) ? given : { ...given, headers: { ...given.headers, ...admin } };
  };
  app.inject = ((request?: InjectOptions | string, callback?: never) => {
    if (request === undefined) return inject();
    return callback ? inject(asAdmin(request), callback) : inject(asAdmin(request));
  }) as typeof app.inject;
  return app;
}

let users = 0;

/**
 * Creates a user with `role` (password TEST_PASSWORD) and returns the headers that sign a
 * request in as them, with a Bearer API token.
 */
export async function signedIn(
  app: FastifyInstance,
  role: Role,
): Promise<{ authorization: string }> {
  const username = `${role}-${++users}`;
  await app.duckdb.withConnection((connection) =>
    createUser(
      connection,
      app.state.schema,
      { username, role, password: TEST_PASSWORD },
      { actor: 'test' },
    ),
  );
  return bearerFor(app, username);
}

/**
 * The real app over fresh demo data, scored as on a first start. `close` stops it and removes
 * the data and state folders.
 */
export async function scoredDemoApp(
  demo: Parameters<typeof demoFolder>[0],
  deps: AppDeps = {},
): Promise<{ app: FastifyInstance; dataDir: string; close: () => Promise<void> }> {
  const folder = await demoFolder(demo);
  const app = await buildTestApp(folder.dir, {}, deps);
  app.addHook('onClose', folder.cleanup);
  await app.ready();
  await app.scoring.idle();
  return { app, dataDir: folder.dir, close: () => app.close() };
}

/** GET `url` from the app, expect `status` (the body, shortened, explains a failure) and parse it. */
export async function getJson(app: FastifyInstance, url: string, status = 200) {
  const reply = await app.inject({ method: 'GET', url });
  expect(reply.statusCode, `${url}: ${reply.body.slice(0, 500)}`).toBe(status);
  return reply.json();
}
