import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../data/duckdb.ts';
import { openStateDatabase, type OpenState } from '../../lab/registry/index.ts';
import * as passwords from '../../server/auth/passwords.ts';
import {
  audit,
  authenticate,
  bootstrapAdmin,
  createApiToken,
  createSession,
  createUser,
  disableUser,
  ensureAuth,
  findUser,
  listApiTokens,
  listAuthAudit,
  listUsers,
  resetPassword,
  resolveApiToken,
  resolveSession,
  revokeApiToken,
  revokeSession,
  roleAllows,
  setRole,
  type User,
} from '../../server/auth/store.ts';
import { ConfigError } from '../../server/config.ts';
import { tempDir } from '../helpers/app.ts';

// The real functions, wrapped so that the tests can see which check a sign-in paid for.
vi.mock(import('../../server/auth/passwords.ts'), async (importOriginal) => {
  const actual = await importOriginal();
  return {
    ...actual,
    dummyVerify: vi.fn(actual.dummyVerify),
    verifyPassword: vi.fn(actual.verifyPassword),
  };
});

const PASSWORD = 'correct horse battery staple';
const OTHER_PASSWORD = 'tr0ub4dor & three more words';
const T0 = new Date('2026-03-02T09:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const CLI = { actor: 'cli' };

let dir: string;
let cleanup: () => Promise<void>;
let opened: OpenState[] = [];
let count = 0;

/** A new, empty state database with the sign-in tables. */
async function freshState(): Promise<OpenState> {
  const state = await openStateDatabase(path.join(dir, `state-${++count}`));
  opened.push(state);
  await ensureAuth(state.connection, state.schema);
  return state;
}

/** Every row of every table in the state database, as one string. */
async function everything(state: OpenState): Promise<string> {
  const tables = await queryRows<{ table_name: string }>(
    state.connection,
    `SELECT table_name FROM duckdb_tables() WHERE database_name = $db ORDER BY table_name`,
    { db: state.schema },
  );
  expect(tables.map((t) => t.table_name)).toEqual(
    expect.arrayContaining(['api_tokens', 'auth_audit', 'sessions', 'users']),
  );
  const dumps: unknown[] = [];
  for (const { table_name } of tables) {
    dumps.push(await queryRows(state.connection, `SELECT * FROM ${state.schema}.${table_name}`));
  }
  return JSON.stringify(dumps, (_, value) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The same token with its last character changed. */
const tamper = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('vitals-auth-store-'));
});
afterEach(() => {
  for (const state of opened) state.close();
  opened = [];
  vi.mocked(passwords.dummyVerify).mockClear();
  vi.mocked(passwords.verifyPassword).mockClear();
});
afterAll(() => cleanup());

describe('users', () => {
  it('creates the tables once, however often it is asked', async () => {
    const state = await freshState();
    await ensureAuth(state.connection, state.schema);
    await ensureAuth(state.connection, state.schema);
    const [row] = await queryRows<{ n: number }>(
      state.connection,
      `SELECT count(*)::INTEGER AS n FROM duckdb_tables()
       WHERE database_name = $db AND table_name IN ('users', 'sessions', 'api_tokens', 'auth_audit')`,
      { db: state.schema },
    );
    expect(row!.n).toBe(4);
  });

  it('goes through a life: created, signs in, changes role, gets a new password, is disabled', async () => {
    const { connection: c, schema } = await freshState();
    const admin = await createUser(
      c,
      schema,
      { username: 'root', role: 'admin', password: PASSWORD },
      CLI,
    );
    const alice = await createUser(
      c,
      schema,
      { username: 'alice', role: 'analyst', password: PASSWORD },
      { actor: 'root', ip: '203.0.113.7', now: T0 },
    );
    expect(alice).toEqual({
      id: expect.any(String),
      username: 'alice',
      role: 'analyst',
      disabled: false,
      createdAt: '2026-03-02T09:00:00Z',
      updatedAt: '2026-03-02T09:00:00Z',
      lastLoginAt: null,
    });
    const listed = await listUsers(c, schema);
    expect(listed.map((u) => [u.username, u.role])).toEqual([
      ['alice', 'analyst'],
      ['root', 'admin'],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/scrypt|hash/i);

    const signedIn = await authenticate(c, schema, 'alice', PASSWORD, {
      ip: '198.51.100.1',
      now: minutes(5),
    });
    expect(signedIn).toMatchObject({ id: alice.id, lastLoginAt: '2026-03-02T09:05:00Z' });
    expect(await authenticate(c, schema, 'alice', OTHER_PASSWORD)).toBeNull();

    const promoted = await setRole(c, schema, 'alice', 'admin', { actor: 'root', now: minutes(6) });
    expect(promoted).toMatchObject({ previous: 'analyst', user: { role: 'admin' } });
    expect(promoted.user.updatedAt).toBe('2026-03-02T09:06:00Z');
    const same = await setRole(c, schema, 'alice', 'admin', { actor: 'root' });
    expect(same.previous).toBe('admin');

    const session = await createSession(c, schema, alice.id, { now: minutes(7) });
    const reset = await resetPassword(c, schema, 'alice', OTHER_PASSWORD, {
      actor: 'root',
      now: minutes(8),
    });
    expect(reset.sessionsRevoked).toBe(1);
    expect(await resolveSession(c, schema, session, minutes(9))).toBeNull();
    expect(await authenticate(c, schema, 'alice', PASSWORD)).toBeNull();
    expect(await authenticate(c, schema, 'alice', OTHER_PASSWORD)).not.toBeNull();

    const disabled = await disableUser(c, schema, 'alice', { actor: 'root', now: minutes(10) });
    expect(disabled).toMatchObject({ alreadyDisabled: false, user: { disabled: true } });
    expect(await authenticate(c, schema, 'alice', OTHER_PASSWORD)).toBeNull();
    expect((await disableUser(c, schema, 'alice', { actor: 'root' })).alreadyDisabled).toBe(true);
    expect(admin.role).toBe('admin');

    const actions = (await listAuthAudit(c, schema, { limit: 100 })).reverse();
    expect(actions.map((a) => [a.action, a.actor, a.target])).toEqual([
      ['user_created', 'cli', 'root'],
      ['user_created', 'root', 'alice'],
      ['sign_in', 'alice', 'alice'],
      ['sign_in_failed', 'alice', 'alice'],
      ['role_changed', 'root', 'alice'],
      ['password_reset', 'root', 'alice'],
      ['sign_in_failed', 'alice', 'alice'],
      ['sign_in', 'alice', 'alice'],
      ['user_disabled', 'root', 'alice'],
      ['sign_in_failed', 'alice', 'alice'],
    ]);
    expect(actions[1]).toMatchObject({ ip: '203.0.113.7', at: '2026-03-02T09:00:00Z' });
    expect(actions[2]).toMatchObject({ ip: '198.51.100.1', detail: null });
    expect(actions[3]!.detail).toEqual({ reason: 'wrong_password' });
    expect(actions[4]!.detail).toEqual({ from: 'analyst', to: 'admin' });
    expect(actions[5]!.detail).toEqual({ sessionsRevoked: 1 });
    expect(actions[8]!.detail).toEqual({ sessionsRevoked: 0, tokensRevoked: 0 });
    expect(actions[9]!.detail).toEqual({ reason: 'disabled' });
  });

  it('treats usernames without regard to case, keeping them as written', async () => {
    const { connection: c, schema } = await freshState();
    const alice = await createUser(
      c,
      schema,
      { username: 'Alice', role: 'viewer', password: PASSWORD },
      CLI,
    );
    await expect(
      createUser(c, schema, { username: 'aLICE', role: 'viewer', password: PASSWORD }, CLI),
    ).rejects.toMatchObject({
      status: 409,
      code: 'user_exists',
      message: 'a user named "Alice" already exists',
    });
    expect((await findUser(c, schema, 'ALICE'))?.id).toBe(alice.id);
    expect((await authenticate(c, schema, 'alice', PASSWORD))?.username).toBe('Alice');
    expect((await setRole(c, schema, 'ALICE', 'analyst', CLI)).user.role).toBe('analyst');
    expect(await listUsers(c, schema)).toHaveLength(1);
  });

  it('refuses a bad role, a bad name and a weak password, naming the problem', async () => {
    const { connection: c, schema } = await freshState();
    const add = (username: string, role: string, password: string) =>
      createUser(c, schema, { username, role: role as 'viewer', password }, CLI);
    await expect(add('bob', 'root', PASSWORD)).rejects.toMatchObject({
      status: 400,
      code: 'invalid_role',
      message: 'unknown role "root": expected one of viewer, analyst, admin',
    });
    await expect(add('bob', 'viewer', 'short')).rejects.toMatchObject({
      status: 400,
      code: 'weak_password',
      message: 'the password must be at least 12 characters long (it has 5)',
    });
    await expect(add('bob.the.builder', 'viewer', 'BOB.THE.BUILDER')).rejects.toMatchObject({
      code: 'weak_password',
      message: 'the password must not be the username',
    });
    await expect(add('bob smith', 'viewer', PASSWORD)).rejects.toMatchObject({
      status: 400,
      code: 'invalid_username',
    });
    await expect(add('', 'viewer', PASSWORD)).rejects.toMatchObject({ code: 'invalid_username' });
    expect(await listUsers(c, schema)).toEqual([]);
    await expect(setRole(c, schema, 'nobody', 'viewer', CLI)).rejects.toMatchObject({
      status: 404,
      code: 'unknown_user',
      message: 'unknown user "nobody"',
    });
    await expect(resetPassword(c, schema, 'nobody', PASSWORD, CLI)).rejects.toMatchObject({
      code: 'unknown_user',
    });
    await expect(disableUser(c, schema, 'nobody', CLI)).rejects.toMatchObject({
      code: 'unknown_user',
    });
    expect(await listAuthAudit(c, schema)).toEqual([]);
  });

  it('never leaves no enabled admin', async () => {
    const { connection: c, schema } = await freshState();
    await createUser(c, schema, { username: 'root', role: 'admin', password: PASSWORD }, CLI);
    await expect(setRole(c, schema, 'root', 'analyst', CLI)).rejects.toMatchObject({
      status: 409,
      code: 'last_admin',
      message: 'cannot demote root: it is the only enabled admin (make another user admin first)',
    });
    await expect(disableUser(c, schema, 'root', CLI)).rejects.toMatchObject({
      code: 'last_admin',
    });
    await createUser(c, schema, { username: 'ops', role: 'admin', password: PASSWORD }, CLI);
    expect((await disableUser(c, schema, 'root', CLI)).user.disabled).toBe(true);
    await expect(setRole(c, schema, 'ops', 'viewer', CLI)).rejects.toMatchObject({
      code: 'last_admin',
    });
  });

  it('orders roles viewer < analyst < admin', () => {
    expect(roleAllows('admin', 'analyst')).toBe(true);
    expect(roleAllows('analyst', 'analyst')).toBe(true);
    expect(roleAllows('analyst', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'analyst')).toBe(false);
  });
});

describe('authenticate', () => {
  it('pays for one password check whether the user is unknown, wrong or disabled', async () => {
    const { connection: c, schema } = await freshState();
    await createUser(c, schema, { username: 'alice', role: 'viewer', password: PASSWORD }, CLI);
    await createUser(c, schema, { username: 'root', role: 'admin', password: PASSWORD }, CLI);
    const checks = () => [
      vi.mocked(passwords.verifyPassword).mock.calls.length,
      vi.mocked(passwords.dummyVerify).mock.calls.length,
    ];
    vi.mocked(passwords.verifyPassword).mockClear();

    expect(await authenticate(c, schema, 'mallory', PASSWORD, { ip: '192.0.2.9' })).toBeNull();
    expect(checks()).toEqual([0, 1]);
    expect(await authenticate(c, schema, 'alice', OTHER_PASSWORD)).toBeNull();
    expect(checks()).toEqual([1, 1]);
    await disableUser(c, schema, 'alice', CLI);
    expect(await authenticate(c, schema, 'alice', PASSWORD)).toBeNull();
    expect(checks()).toEqual([2, 1]);
    expect(await authenticate(c, schema, 'not a name!', PASSWORD)).toBeNull();
    expect(checks()).toEqual([2, 2]);

    const failed = await listAuthAudit(c, schema, { action: 'sign_in_failed' });
    expect(failed.map((a) => [a.actor, a.target, a.detail])).toEqual([
      ['?', null, { reason: 'unknown_user' }],
      ['alice', 'alice', { reason: 'disabled' }],
      ['alice', 'alice', { reason: 'wrong_password' }],
      ['mallory', null, { reason: 'unknown_user' }],
    ]);
    expect(failed[3]!.ip).toBe('192.0.2.9');
  });

  it('re-hashes a password stored with older parameters when it signs in', async () => {
    const { connection: c, schema } = await freshState();
    await createUser(c, schema, { username: 'alice', role: 'viewer', password: PASSWORD }, CLI);
    const older = await passwords.hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
    await c.run(`UPDATE ${schema}.users SET password_hash = $hash`, { hash: older });
    expect(await authenticate(c, schema, 'alice', PASSWORD)).not.toBeNull();
    const [row] = await queryRows<{ password_hash: string }>(
      c,
      `SELECT password_hash FROM ${schema}.users`,
    );
    expect(row!.password_hash).not.toBe(older);
    expect(passwords.needsRehash(row!.password_hash)).toBe(false);
    expect((await listAuthAudit(c, schema, { action: 'sign_in' }))[0]!.detail).toEqual({
      rehashed: true,
    });
    expect(await authenticate(c, schema, 'alice', PASSWORD)).not.toBeNull();
  });

  it('lets the same user sign in on two connections at once', async () => {
    const state = await freshState();
    const { connection: c, schema } = state;
    await createUser(c, schema, { username: 'alice', role: 'viewer', password: PASSWORD }, CLI);
    const other = await state.db.connect();
    try {
      const both = await Promise.all([
        authenticate(c, schema, 'alice', PASSWORD),
        authenticate(other, schema, 'alice', PASSWORD),
      ]);
      expect(both.map((user) => user?.username)).toEqual(['alice', 'alice']);
      expect(await listAuthAudit(c, schema, { action: 'sign_in' })).toHaveLength(2);
    } finally {
      other.closeSync();
    }
  });
});

describe('sessions', () => {
  let alice: User;
  async function withAlice() {
    const state = await freshState();
    alice = await createUser(
      state.connection,
      state.schema,
      { username: 'alice', role: 'analyst', password: PASSWORD },
      CLI,
    );
    return state;
  }

  it('resolves a live session to its user and stores only the token hash', async () => {
    const state = await withAlice();
    const { connection: c, schema } = state;
    const token = await createSession(c, schema, alice.id, { now: T0 });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await resolveSession(c, schema, token, minutes(1))).toMatchObject({
      id: alice.id,
      role: 'analyst',
    });
    const [row] = await queryRows<{ id: string }>(c, `SELECT id FROM ${schema}.sessions`);
    expect(row!.id).toBe(sha256(token));
    const stored = await everything(state);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(PASSWORD);
    expect(await resolveSession(c, schema, tamper(token), minutes(1))).toBeNull();
    expect(await resolveSession(c, schema, '', minutes(1))).toBeNull();
  });

  it('ends after the idle timeout, and use keeps it alive', async () => {
    const { connection: c, schema } = await withAlice();
    const token = await createSession(c, schema, alice.id, { now: T0 });
    const lastSeen = async () =>
      (
        await queryRows<{ at: Date }>(c, `SELECT last_seen_at AS at FROM ${schema}.sessions`)
      )[0]!.at.toISOString();

    expect(await resolveSession(c, schema, token, minutes(0.5))).not.toBeNull();
    expect(await lastSeen()).toBe(T0.toISOString());
    expect(await resolveSession(c, schema, token, minutes(59))).not.toBeNull();
    expect(await lastSeen()).toBe(minutes(59).toISOString());
    expect(await resolveSession(c, schema, token, minutes(118))).not.toBeNull();
    expect(await resolveSession(c, schema, token, minutes(178))).toBeNull();

    const short = await createSession(c, schema, alice.id, { now: T0, idleMinutes: 5 });
    expect(await resolveSession(c, schema, short, minutes(4.9))).not.toBeNull();
    expect(await resolveSession(c, schema, short, minutes(9.5))).not.toBeNull();
    expect(await resolveSession(c, schema, short, minutes(15))).toBeNull();
  });

  it('ends at its absolute expiry however busy it is', async () => {
    const { connection: c, schema } = await withAlice();
    const token = await createSession(c, schema, alice.id, { now: T0 });
    for (let minute = 30; minute < 12 * 60; minute += 30) {
      expect(await resolveSession(c, schema, token, minutes(minute)), `${minute}`).not.toBeNull();
    }
    expect(await resolveSession(c, schema, token, minutes(12 * 60 - 1))).not.toBeNull();
    expect(await resolveSession(c, schema, token, minutes(12 * 60))).toBeNull();

    const hour = await createSession(c, schema, alice.id, {
      now: T0,
      ttlHours: 1,
      idleMinutes: 600,
    });
    expect(await resolveSession(c, schema, hour, minutes(59))).not.toBeNull();
    expect(await resolveSession(c, schema, hour, minutes(60))).toBeNull();
  });

  it('is revoked by signing out, once, with an audit row', async () => {
    const { connection: c, schema } = await withAlice();
    const token = await createSession(c, schema, alice.id, { now: T0 });
    const kept = await createSession(c, schema, alice.id, { now: T0 });
    expect(await revokeSession(c, schema, token, { ip: '198.51.100.1', now: minutes(1) })).toBe(
      true,
    );
    expect(await resolveSession(c, schema, token, minutes(2))).toBeNull();
    expect(await resolveSession(c, schema, kept, minutes(2))).not.toBeNull();
    expect(await revokeSession(c, schema, token)).toBe(false);
    expect(await revokeSession(c, schema, 'not-a-token')).toBe(false);
    const signOuts = await listAuthAudit(c, schema, { action: 'sign_out' });
    expect(signOuts).toEqual([
      {
        seq: expect.any(Number),
        at: '2026-03-02T09:01:00Z',
        actor: 'alice',
        action: 'sign_out',
        target: 'alice',
        ip: '198.51.100.1',
        detail: null,
      },
    ]);
  });

  it('carries role changes at once and refuses disabled users', async () => {
    const { connection: c, schema } = await withAlice();
    await createUser(c, schema, { username: 'root', role: 'admin', password: PASSWORD }, CLI);
    const token = await createSession(c, schema, alice.id, { now: T0 });
    await setRole(c, schema, 'alice', 'viewer', CLI);
    expect((await resolveSession(c, schema, token, minutes(1)))?.role).toBe('viewer');
    await disableUser(c, schema, 'alice', CLI);
    expect(await resolveSession(c, schema, token, minutes(2))).toBeNull();
    await expect(createSession(c, schema, alice.id)).rejects.toMatchObject({
      status: 403,
      code: 'user_disabled',
    });
    await expect(createSession(c, schema, 'no-such-id')).rejects.toMatchObject({
      code: 'unknown_user',
    });
  });

  it('still resolves when another request is touching the same session', async () => {
    const state = await withAlice();
    const { connection: c, schema } = state;
    const token = await createSession(c, schema, alice.id, { now: T0 });
    const other = await state.db.connect();
    try {
      // An uncommitted touch on another connection makes this one's touch lose the write conflict.
      await other.run('BEGIN TRANSACTION');
      await other.run(`UPDATE ${schema}.sessions SET last_seen_at = $at::TIMESTAMP`, {
        at: minutes(10).toISOString(),
      });
      expect((await resolveSession(c, schema, token, minutes(10)))?.id).toBe(alice.id);
      await other.run('COMMIT');
      const both = await Promise.all([
        resolveSession(c, schema, token, minutes(20)),
        resolveSession(other, schema, token, minutes(20)),
      ]);
      expect(both.map((user) => user?.id)).toEqual([alice.id, alice.id]);
    } finally {
      other.closeSync();
    }
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, listed by prefix and revocable', async () => {
    const state = await freshState();
    const { connection: c, schema } = state;
    const alice = await createUser(
      c,
      schema,
      { username: 'alice', role: 'analyst', password: PASSWORD },
      CLI,
    );
    const bob = await createUser(
      c,
      schema,
      { username: 'bob', role: 'viewer', password: PASSWORD },
      CLI,
    );
    const created = await createApiToken(c, schema, alice.id, ' notebook sync ', {
      actor: 'alice',
      now: T0,
    });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'notebook sync',
      prefix: created.token.slice(0, 8),
      token: expect.stringMatching(/^vit_[A-Za-z0-9_-]{43}$/),
    });
    const stored = await everything(state);
    expect(stored).not.toContain(created.token);
    expect(stored).not.toContain(created.token.slice(4));
    expect(stored).toContain(sha256(created.token));

    expect((await resolveApiToken(c, schema, created.token, minutes(1)))?.id).toBe(alice.id);
    expect(await resolveApiToken(c, schema, created.token.slice(4), minutes(1))).toBeNull();
    expect(await resolveApiToken(c, schema, tamper(created.token))).toBeNull();
    const listed = await listApiTokens(c, schema, alice.id);
    expect(listed).toEqual([
      {
        id: created.id,
        userId: alice.id,
        name: 'notebook sync',
        prefix: created.prefix,
        createdAt: '2026-03-02T09:00:00Z',
        lastUsedAt: '2026-03-02T09:01:00Z',
        revokedAt: null,
      },
    ]);
    expect(await listApiTokens(c, schema, bob.id)).toEqual([]);

    expect(await revokeApiToken(c, schema, created.id, { actor: 'bob', userId: bob.id })).toBe(
      false,
    );
    expect(await resolveApiToken(c, schema, created.token, minutes(2))).not.toBeNull();
    expect(
      await revokeApiToken(c, schema, created.id, {
        actor: 'alice',
        userId: alice.id,
        now: minutes(3),
      }),
    ).toBe(true);
    expect(await resolveApiToken(c, schema, created.token, minutes(4))).toBeNull();
    expect(await revokeApiToken(c, schema, created.id, { actor: 'alice' })).toBe(false);
    expect((await listApiTokens(c, schema, alice.id))[0]!.revokedAt).toBe('2026-03-02T09:03:00Z');

    const audited = await listAuthAudit(c, schema, { actor: 'ALICE' });
    expect(audited.map((a) => [a.action, a.target, a.detail])).toEqual([
      [
        'token_revoked',
        'alice',
        { tokenId: created.id, name: 'notebook sync', prefix: created.prefix },
      ],
      [
        'token_created',
        'alice',
        { tokenId: created.id, name: 'notebook sync', prefix: created.prefix },
      ],
    ]);
    await expect(
      createApiToken(c, schema, alice.id, '  ', { actor: 'alice' }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_token_name' });
  });

  it('are revoked, with the sessions, when their user is disabled', async () => {
    const state = await freshState();
    const { connection: c, schema } = state;
    const alice = await createUser(
      c,
      schema,
      { username: 'alice', role: 'analyst', password: PASSWORD },
      CLI,
    );
    const sessions = [
      await createSession(c, schema, alice.id, { now: T0 }),
      await createSession(c, schema, alice.id, { now: T0 }),
    ];
    const token = await createApiToken(c, schema, alice.id, 'ci', { actor: 'alice' });
    const result = await disableUser(c, schema, 'alice', { actor: 'root', now: minutes(1) });
    expect(result).toMatchObject({ sessionsRevoked: 2, tokensRevoked: 1 });
    for (const session of sessions) {
      expect(await resolveSession(c, schema, session, minutes(2))).toBeNull();
    }
    expect(await resolveApiToken(c, schema, token.token)).toBeNull();
    const [counts] = await queryRows<{ sessions: number; tokens: number }>(
      c,
      `SELECT (SELECT count(*) FROM ${schema}.sessions WHERE revoked_at IS NOT NULL)::INTEGER AS sessions,
         (SELECT count(*) FROM ${schema}.api_tokens WHERE revoked_at IS NOT NULL)::INTEGER AS tokens`,
    );
    expect(counts).toEqual({ sessions: 2, tokens: 1 });
    await expect(
      createApiToken(c, schema, alice.id, 'again', { actor: 'alice' }),
    ).rejects.toMatchObject({ status: 403, code: 'user_disabled' });
    expect((await listAuthAudit(c, schema, { action: 'user_disabled' }))[0]!.detail).toEqual({
      sessionsRevoked: 2,
      tokensRevoked: 1,
    });
  });
});

describe('bootstrapAdmin', () => {
  it('creates the admin named in the environment, once', async () => {
    const { connection: c, schema } = await freshState();
    const env = { VITALS_ADMIN_USER: 'Ops', VITALS_ADMIN_PASSWORD: PASSWORD };
    const first = await bootstrapAdmin(c, schema, env, T0);
    expect(first).toMatchObject({
      created: true,
      generatedPassword: null,
      user: { username: 'Ops', role: 'admin', disabled: false },
    });
    expect(await authenticate(c, schema, 'ops', PASSWORD)).not.toBeNull();
    expect(await bootstrapAdmin(c, schema, env)).toEqual({ created: false });
    expect(await listUsers(c, schema)).toHaveLength(1);
    const created = await listAuthAudit(c, schema, { action: 'user_created' });
    expect(created).toEqual([
      {
        seq: expect.any(Number),
        at: '2026-03-02T09:00:00Z',
        actor: 'bootstrap',
        action: 'user_created',
        target: 'Ops',
        ip: null,
        detail: { role: 'admin', passwordGenerated: false },
      },
    ]);
    expect(JSON.stringify(created)).not.toContain(PASSWORD);
  });

  it('generates a strong password when none is set, and returns it only the first time', async () => {
    const state = await freshState();
    const { connection: c, schema } = state;
    const first = await bootstrapAdmin(c, schema, {});
    if (!first.created) throw new Error('expected an admin to be created');
    expect(first.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(passwords.passwordProblem(first.generatedPassword!)).toBeNull();
    expect(await authenticate(c, schema, 'admin', first.generatedPassword!)).not.toBeNull();
    expect(await everything(state)).not.toContain(first.generatedPassword!);
    expect(await bootstrapAdmin(c, schema, {})).toEqual({ created: false });
    expect((await listAuthAudit(c, schema, { action: 'user_created' }))[0]!.detail).toEqual({
      role: 'admin',
      passwordGenerated: true,
    });
  });

  it('refuses a weak or malformed admin from the environment, naming the variables', async () => {
    const { connection: c, schema } = await freshState();
    const attempt = bootstrapAdmin(c, schema, {
      VITALS_ADMIN_USER: 'the admin',
      VITALS_ADMIN_PASSWORD: 'short',
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({
      problems: [
        expect.stringMatching(/^VITALS_ADMIN_USER: invalid username "the admin"/),
        'VITALS_ADMIN_PASSWORD: the password must be at least 12 characters long (it has 5)',
      ],
    });
    expect(await listUsers(c, schema)).toEqual([]);
    // Once a user exists, the variables are no longer read.
    await createUser(c, schema, { username: 'root', role: 'admin', password: PASSWORD }, CLI);
    expect(await bootstrapAdmin(c, schema, { VITALS_ADMIN_PASSWORD: 'short' })).toEqual({
      created: false,
    });
  });
});

describe('the sign-in audit log', () => {
  it('filters by action, actor and time, newest first, and limits', async () => {
    const { connection: c, schema } = await freshState();
    await audit(c, schema, { actor: 'alice', action: 'sign_in', target: 'alice' }, minutes(0));
    await audit(c, schema, { actor: 'Bob', action: 'sign_in', target: 'Bob' }, minutes(1));
    await audit(
      c,
      schema,
      { actor: 'alice', action: 'token_created', target: 'alice', detail: { name: 'ci' } },
      minutes(2),
    );
    await audit(c, schema, { actor: 'alice', action: 'sign_out', target: 'alice' }, minutes(3));
    const actions = (entries: { action: string; actor: string }[]) =>
      entries.map((e) => `${e.actor}:${e.action}`);

    expect(actions(await listAuthAudit(c, schema))).toEqual([
      'alice:sign_out',
      'alice:token_created',
      'Bob:sign_in',
      'alice:sign_in',
    ]);
    expect(actions(await listAuthAudit(c, schema, { action: 'sign_in' }))).toEqual([
      'Bob:sign_in',
      'alice:sign_in',
    ]);
    expect(actions(await listAuthAudit(c, schema, { actor: 'bob' }))).toEqual(['Bob:sign_in']);
    expect(actions(await listAuthAudit(c, schema, { since: minutes(2) }))).toEqual([
      'alice:sign_out',
      'alice:token_created',
    ]);
    expect(
      actions(await listAuthAudit(c, schema, { actor: 'alice', since: minutes(1), limit: 1 })),
    ).toEqual(['alice:sign_out']);
    expect((await listAuthAudit(c, schema, { action: 'token_created' }))[0]!.detail).toEqual({
      name: 'ci',
    });
  });
});
