// Sign-in over HTTP: the session cookie, rate limits, sessions ending, API tokens, CSRF, the
// trusted proxy header, the admin API and the first admin's generated password.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { buildTestApp, signedIn, TEST_ADMIN, TEST_PASSWORD, tempDir } from '../helpers/app.ts';

const START = new Date('2025-01-01T09:00:00Z');

/** An app over an empty data folder (sign-in needs no data), with a clock the test can move. */
async function authApp(env: Record<string, string> = {}) {
  const data = await tempDir();
  let now = START;
  const app = await buildTestApp(
    data.dir,
    { SCORE_ON_START: 'false', ...env },
    { clock: () => now },
    { anonymous: true },
  );
  app.addHook('onClose', data.cleanup);
  return {
    app,
    advanceMinutes(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}

let address = 0;
/** A fresh client address, so that each test has rate-limit buckets of its own. */
const newAddress = () => `10.0.0.${++address}`;

function login(
  app: FastifyInstance,
  username: string,
  password: string,
  remoteAddress = newAddress(),
) {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress,
  });
}

/** The session cookie and CSRF token of a successful sign-in. */
function session(reply: LightMyRequestResponse): { cookie: string; csrf: string } {
  expect(reply.statusCode, reply.body).toBe(200);
  const cookie = reply.cookies.find((c) => c.name === 'vitals_session');
  expect(cookie).toBeDefined();
  return {
    cookie: `vitals_session=${cookie!.value}`,
    csrf: reply.json<{ csrfToken: string }>().csrfToken,
  };
}

async function me(app: FastifyInstance, headers: Record<string, string>) {
  return (await app.inject({ method: 'GET', url: '/api/auth/me', headers })).json<{
    user: { username: string; role: string } | null;
    csrfToken: string | null;
  }>();
}

describe('sign-in over HTTP', () => {
  let app: FastifyInstance;
  let clock: { advanceMinutes(minutes: number): void };
  let admin: { authorization: string };

  beforeAll(async () => {
    const built = await authApp({ SESSION_TTL_HOURS: '2', SESSION_IDLE_MINUTES: '60' });
    app = built.app;
    clock = built;
    admin = await signedIn(app, 'admin');
  });
  afterAll(async () => {
    await app.close();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and answers who signed in', async () => {
    const reply = await login(app, TEST_ADMIN.username, TEST_ADMIN.password);
    const cookie = reply.cookies.find((c) => c.name === 'vitals_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(reply.headers['set-cookie']).toMatch(/HttpOnly/);
    const body = reply.json();
    expect(body.user).toEqual({ username: 'admin', role: 'admin' });
    const { cookie: header, csrf } = session(reply);
    expect(await me(app, { cookie: header })).toEqual({
      user: { username: 'admin', role: 'admin' },
      csrfToken: csrf,
    });
    expect(await me(app, {})).toEqual({ user: null, csrfToken: null });
  });

  it('gives the same reply for an unknown user and a wrong password, and audits both', async () => {
    const unknown = await login(app, 'nobody-here', 'some password 123', '10.9.9.9');
    const wrong = await login(app, TEST_ADMIN.username, 'not the password', '10.9.9.9');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.json()).toEqual({
      error: 'invalid_credentials',
      message: 'wrong username or password',
      details: null,
    });
    expect(unknown.cookies).toEqual([]);
    const audit = await app.inject({
      method: 'GET',
      url: '/api/admin/audit?action=sign_in_failed&limit=2',
      headers: admin,
    });
    expect(
      audit.json().entries.map((e: { ip: string; detail: unknown }) => [e.ip, e.detail]),
    ).toEqual([
      ['10.9.9.9', { reason: 'wrong_password' }],
      ['10.9.9.9', { reason: 'unknown_user' }],
    ]);
  });

  it('limits sign-in attempts per address to 10 a minute', async () => {
    const from = newAddress();
    for (let i = 0; i < 10; i++) {
      expect((await login(app, `someone-${i}`, 'guess guess guess', from)).statusCode).toBe(401);
    }
    const limited = await login(app, TEST_ADMIN.username, TEST_ADMIN.password, from);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await login(app, TEST_ADMIN.username, TEST_ADMIN.password)).statusCode).toBe(200);
  });

  it('limits failed sign-ins per username (in any case) to 5, from any address', async () => {
    const victim = (await me(app, await signedIn(app, 'viewer'))).user!.username;
    for (let i = 0; i < 5; i++) {
      const name = i % 2 === 0 ? victim : victim.toUpperCase();
      expect((await login(app, name, 'wrong password here')).statusCode).toBe(401);
    }
    const limited = await login(app, victim, TEST_PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    // Successes do not count, and other users are not affected.
    for (let i = 0; i < 6; i++) {
      expect((await login(app, TEST_ADMIN.username, TEST_ADMIN.password)).statusCode).toBe(200);
    }
  });

  it('signs out: the session is revoked, the cookie cleared, and it is audited', async () => {
    const { cookie, csrf } = session(await login(app, TEST_ADMIN.username, TEST_ADMIN.password));
    const headers = { cookie, 'x-vitals-csrf': csrf };
    expect((await app.inject({ method: 'GET', url: '/api/data/status', headers })).statusCode).toBe(
      200,
    );
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'vitals_session')!;
    expect(cleared.value).toBe('');
    expect(await me(app, { cookie })).toEqual({ user: null, csrfToken: null });
    const after = await app.inject({ method: 'GET', url: '/api/data/status', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('unauthenticated');
    const audit = await app.inject({
      method: 'GET',
      url: '/api/admin/audit?action=sign_out&limit=1',
      headers: admin,
    });
    expect(audit.json().entries[0]).toMatchObject({ actor: 'admin', action: 'sign_out' });
  });

  it('refuses a session idle too long, and one past its lifetime', async () => {
    const idle = session(await login(app, TEST_ADMIN.username, TEST_ADMIN.password));
    clock.advanceMinutes(61);
    expect((await me(app, { cookie: idle.cookie })).user).toBeNull();

    const busy = session(await login(app, TEST_ADMIN.username, TEST_ADMIN.password));
    for (let step = 0; step < 2; step++) {
      clock.advanceMinutes(55);
      expect((await me(app, { cookie: busy.cookie })).user?.username).toBe('admin');
    }
    // Used within the idle limit all along, but now 2 h 45 min old (SESSION_TTL_HOURS=2).
    clock.advanceMinutes(55);
    expect((await me(app, { cookie: busy.cookie })).user).toBeNull();
    const refused = await app.inject({
      method: 'GET',
      url: '/api/data/status',
      headers: { cookie: busy.cookie },
    });
    expect(refused.statusCode).toBe(401);
  });

  it('creates, lists and revokes API tokens; a revoked token no longer signs in', async () => {
    const viewer = await signedIn(app, 'viewer');
    const created = await app.inject({
      method: 'POST',
      url: '/api/auth/tokens',
      headers: viewer,
      payload: { name: 'ci job' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token, prefix } = created.json<{ id: string; token: string; prefix: string }>();
    expect(token.startsWith(prefix)).toBe(true);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await me(app, bearer)).user?.role).toBe('viewer');
    expect((await me(app, bearer)).csrfToken).toBeNull();
    const listed = await app.inject({ method: 'GET', url: '/api/auth/tokens', headers: bearer });
    expect(
      listed
        .json()
        .tokens.map((t: { name: string }) => t.name)
        .sort(),
    ).toEqual(['ci job', 'test']);
    expect(JSON.stringify(listed.json())).not.toContain(token);

    // Someone else's token is not theirs to revoke, except for an admin.
    const other = await signedIn(app, 'analyst');
    const notMine = await app.inject({
      method: 'DELETE',
      url: `/api/auth/tokens/${id}`,
      headers: other,
    });
    expect(notMine.statusCode).toBe(404);
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/auth/tokens/${id}`,
      headers: admin,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await me(app, bearer)).user).toBeNull();
    expect(
      (await app.inject({ method: 'GET', url: '/api/data/status', headers: bearer })).statusCode,
    ).toBe(401);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/data/status',
          headers: { authorization: 'Bearer vit_nonsense' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('requires the CSRF header on cookie-authenticated changes, not on Bearer ones', async () => {
    const { cookie, csrf } = session(await login(app, TEST_ADMIN.username, TEST_ADMIN.password));
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/api/auth/tokens', headers, payload: { name: 'x' } });
    const missing = await post({ cookie });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe('csrf');
    expect((await post({ cookie, 'x-vitals-csrf': 'forged' })).statusCode).toBe(403);
    // Another session's token does not fit this one.
    const other = session(await login(app, TEST_ADMIN.username, TEST_ADMIN.password));
    expect((await post({ cookie, 'x-vitals-csrf': other.csrf })).statusCode).toBe(403);
    expect((await post({ cookie, 'x-vitals-csrf': csrf })).statusCode).toBe(201);
    expect((await post(admin)).statusCode).toBe(201);
    // Reading needs no CSRF token.
    expect(
      (await app.inject({ method: 'GET', url: '/api/auth/tokens', headers: { cookie } }))
        .statusCode,
    ).toBe(200);
  });

  it('manages users as an admin, with the store errors as their statuses', async () => {
    const adminName = (await me(app, admin)).user!.username;
    const post = (url: string, payload?: object) =>
      app.inject({ method: 'POST', url, headers: admin, ...(payload ? { payload } : {}) });
    const created = await post('/api/admin/users', {
      username: 'Dana',
      role: 'viewer',
      password: 'dana password 1',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({
      username: 'Dana',
      role: 'viewer',
      disabled: false,
    });
    expect(JSON.stringify(created.json())).not.toMatch(/scrypt|password/);
    const taken = await post('/api/admin/users', {
      username: 'dana',
      role: 'viewer',
      password: 'another password',
    });
    expect([taken.statusCode, taken.json().error]).toEqual([409, 'user_exists']);
    const weak = await post('/api/admin/users', {
      username: 'eve',
      role: 'viewer',
      password: 'short',
    });
    expect([weak.statusCode, weak.json().error]).toEqual([400, 'weak_password']);

    const promoted = await app.inject({
      method: 'PATCH',
      url: '/api/admin/users/dana',
      headers: admin,
      payload: { role: 'analyst' },
    });
    expect(promoted.json()).toMatchObject({ user: { role: 'analyst' }, previousRole: 'viewer' });
    const dana = session(await login(app, 'dana', 'dana password 1'));
    const reset = await post('/api/admin/users/dana/reset-password', {
      password: 'dana password 2',
    });
    expect(reset.json().sessionsRevoked).toBe(1);
    expect((await me(app, { cookie: dana.cookie })).user).toBeNull();
    expect((await login(app, 'dana', 'dana password 2')).statusCode).toBe(200);
    const disabled = await post('/api/admin/users/dana/disable');
    expect(disabled.json()).toMatchObject({ user: { disabled: true }, alreadyDisabled: false });
    expect((await login(app, 'dana', 'dana password 2')).statusCode).toBe(401);
    const missing = await post('/api/admin/users/ghost/disable');
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'unknown_user']);

    const users = await app.inject({ method: 'GET', url: '/api/admin/users', headers: admin });
    expect(users.json().users.map((u: { username: string }) => u.username)).toContain('Dana');
    const audit = await app.inject({
      method: 'GET',
      url: `/api/admin/audit?actor=${adminName}&since=2020-01-01&limit=3`,
      headers: admin,
    });
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual([
      'user_disabled',
      'password_reset',
      'role_changed',
    ]);
  });
});

describe('the trusted proxy header', () => {
  it('signs in the user it names, when configured, and needs CSRF for changes', async () => {
    const { app } = await authApp({ TRUSTED_PROXY_AUTH_HEADER: 'X-Remote-User' });
    try {
      const viewer = await signedIn(app, 'viewer');
      const username = (await me(app, viewer)).user!.username;
      const proxied = { 'x-remote-user': username };
      const who = await me(app, proxied);
      expect(who.user).toEqual({ username, role: 'viewer' });
      expect(who.csrfToken).toEqual(expect.any(String));
      expect(
        (await app.inject({ method: 'GET', url: '/api/data/status', headers: proxied })).statusCode,
      ).toBe(200);
      const post = (headers: Record<string, string>) =>
        app.inject({ method: 'POST', url: '/api/auth/tokens', headers, payload: { name: 'p' } });
      expect((await post(proxied)).statusCode).toBe(403);
      expect((await post({ ...proxied, 'x-vitals-csrf': who.csrfToken! })).statusCode).toBe(201);
      // An unknown or disabled user is nobody.
      expect((await me(app, { 'x-remote-user': 'stranger' })).user).toBeNull();
      const admin = await signedIn(app, 'admin');
      await app.inject({
        method: 'POST',
        url: `/api/admin/users/${username}/disable`,
        headers: admin,
      });
      expect((await me(app, proxied)).user).toBeNull();
      expect(
        (await app.inject({ method: 'GET', url: '/api/data/status', headers: proxied })).statusCode,
      ).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('is ignored when TRUSTED_PROXY_AUTH_HEADER is not set', async () => {
    const { app } = await authApp();
    try {
      expect((await me(app, { 'x-remote-user': TEST_ADMIN.username })).user).toBeNull();
      const reply = await app.inject({
        method: 'GET',
        url: '/api/data/status',
        headers: { 'x-remote-user': TEST_ADMIN.username },
      });
      expect(reply.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('client addresses behind a reverse proxy', () => {
  /** Ten wrong sign-ins through the proxy at 10.9.0.1 for `client`, then one for `other`. */
  async function attempts(app: FastifyInstance, client: string, other: string) {
    let attempt = 0;
    // A new username each time: only the per-address limit is at work.
    const through = (forwardedFor: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `nobody-${++attempt}`, password: 'guess guess guess' },
        remoteAddress: '10.9.0.1',
        headers: { 'x-forwarded-for': forwardedFor },
      });
    for (let i = 0; i < 10; i++) expect((await through(client)).statusCode).toBe(401);
    return { same: (await through(client)).statusCode, other: (await through(other)).statusCode };
  }

  it('limits each forwarded client on its own when TRUST_PROXY names the proxy', async () => {
    const { app } = await authApp({ TRUST_PROXY: '10.9.0.0/24' });
    try {
      expect(await attempts(app, '192.0.2.10', '192.0.2.11')).toEqual({ same: 429, other: 401 });
    } finally {
      await app.close();
    }
  });

  it('ignores X-Forwarded-For by default, so a client cannot pose as another', async () => {
    const { app } = await authApp();
    try {
      expect(await attempts(app, '192.0.2.10', '192.0.2.11')).toEqual({ same: 429, other: 429 });
    } finally {
      await app.close();
    }
  });
});

describe('the session cookie over HTTPS', () => {
  it('is Secure with COOKIE_SECURE=true', async () => {
    const { app } = await authApp({ COOKIE_SECURE: 'true' });
    try {
      const reply = await login(app, TEST_ADMIN.username, TEST_ADMIN.password);
      expect(reply.cookies.find((c) => c.name === 'vitals_session')?.secure).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('the first admin', () => {
  /** Collects the JSON log lines the app writes. */
  function logCapture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    return { lines, stream };
  }

  it('is created with a generated password, logged once as a warning, and not again', async () => {
    const data = await tempDir();
    const state = await tempDir();
    const config = parseConfig({
      DATA_DIR: data.dir,
      STATE_DIR: state.dir,
      LOG_LEVEL: 'info',
      SCORE_ON_START: 'false',
    });
    try {
      const first = logCapture();
      const app = await buildApp(config, { logStream: first.stream });
      const shown = first.lines.filter((line) => /generated password/.test(String(line.msg)));
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatchObject({ level: 40, username: 'admin' });
      const password = /generated password (\S+) /.exec(String(shown[0]!.msg))![1]!;
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      // It is the only line that holds the password.
      expect(first.lines.filter((line) => JSON.stringify(line).includes(password))).toHaveLength(1);
      const reply = await login(app, 'admin', password);
      expect(reply.statusCode).toBe(200);
      expect(first.lines.filter((line) => JSON.stringify(line).includes(password))).toHaveLength(1);
      await app.close();

      const second = logCapture();
      const again = await buildApp(config, { logStream: second.stream });
      await again.close();
      expect(second.lines.some((line) => /generated password/.test(String(line.msg)))).toBe(false);
      expect(second.lines.length).toBeGreaterThan(0);
    } finally {
      await data.cleanup();
      await state.cleanup();
    }
  });
});
