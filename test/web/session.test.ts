// The session store (web/src/lib/session.svelte.ts): loading who is signed in, signing in and
// out, role checks, and keeping the API client's CSRF token in step. Runs in Node with a fake
// sign-in API.
//
// Vitest here runs without the Svelte compiler, so `$state.raw` is stood in by a plain value:
// these tests cover the store's logic; Svelte's reactivity is Svelte's (and the browser tests').
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiError, NetworkError } from '../../web/src/api/client.ts';
import {
  Session,
  type LoginReply,
  type MeReply,
  type SessionApi,
} from '../../web/src/lib/session.svelte.ts';

beforeEach(() => {
  vi.stubGlobal(
    '$state',
    Object.assign(<T>(value: T) => value, { raw: <T>(value: T) => value }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADA: LoginReply = { user: { username: 'ada', role: 'analyst' }, csrfToken: 'csrf-1' };

function fakeApi(overrides: Partial<SessionApi> = {}) {
  return {
    me: vi.fn<() => Promise<MeReply>>(async () => ({ user: null, csrfToken: null })),
    login: vi.fn<SessionApi['login']>(async () => ADA),
    logout: vi.fn<() => Promise<void>>(async () => undefined),
    ...overrides,
  };
}

function setup(overrides: Partial<SessionApi> = {}) {
  const api = fakeApi(overrides);
  const tokens: (string | null)[] = [];
  const session = new Session(api, (token) => tokens.push(token));
  return { api, session, tokens };
}

describe('Session', () => {
  test('starts loading, with nobody signed in and no role', () => {
    const { session } = setup();
    expect(session.status).toBe('loading');
    expect(session.user).toBeNull();
    expect(session.can('viewer')).toBe(false);
  });

  test('load takes the user and CSRF token from /api/auth/me', async () => {
    const { session, tokens } = setup({
      me: async () => ({ user: { username: 'root', role: 'admin' }, csrfToken: 'csrf-me' }),
    });
    await session.load();
    expect(session.status).toBe('ready');
    expect(session.user).toEqual({ username: 'root', role: 'admin' });
    expect(session.can('admin')).toBe(true);
    expect(tokens).toEqual(['csrf-me']);
  });

  test('load without a sign-in is ready with no user and no token', async () => {
    const { session, tokens } = setup();
    await session.load();
    expect(session.status).toBe('ready');
    expect(session.user).toBeNull();
    expect(tokens).toEqual([null]);
  });

  test('a server that cannot be reached fails the load, and load can try again', async () => {
    const me = vi
      .fn<() => Promise<MeReply>>()
      .mockRejectedValueOnce(new NetworkError('GET /api/auth/me'))
      .mockResolvedValueOnce({ user: ADA.user, csrfToken: 'again' });
    const { session, tokens } = setup({ me });
    await session.load();
    expect(session.status).toBe('failed');
    expect(session.error).toBeInstanceOf(NetworkError);
    expect(session.user).toBeNull();
    await session.load();
    expect(session.status).toBe('ready');
    expect(session.user).toEqual(ADA.user);
    expect(tokens).toEqual([null, 'again']);
  });

  test('signIn sends the credentials and keeps the user and token', async () => {
    const { api, session, tokens } = setup();
    await session.load();
    await expect(session.signIn('ada', 's3cret')).resolves.toEqual(ADA.user);
    expect(api.login).toHaveBeenCalledWith('ada', 's3cret');
    expect(session.user).toEqual(ADA.user);
    expect(session.can('viewer')).toBe(true);
    expect(session.can('analyst')).toBe(true);
    expect(session.can('admin')).toBe(false);
    expect(tokens.at(-1)).toBe('csrf-1');
  });

  test('a failed signIn throws the ApiError and leaves nobody signed in', async () => {
    const wrong = new ApiError(401, 'invalid_credentials', 'wrong', 'POST /api/auth/login');
    const { session } = setup({ login: async () => Promise.reject(wrong) });
    await session.load();
    await expect(session.signIn('ada', 'nope')).rejects.toBe(wrong);
    expect(session.status).toBe('ready');
    expect(session.user).toBeNull();
  });

  test('signOut tells the server and forgets the user and token', async () => {
    const { api, session, tokens } = setup();
    await session.signIn('ada', 's3cret');
    await session.signOut();
    expect(api.logout).toHaveBeenCalledOnce();
    expect(session.user).toBeNull();
    expect(tokens.at(-1)).toBeNull();
  });

  test('signOut ends the local session even when the server cannot be told', async () => {
    const down = new NetworkError('POST /api/auth/logout');
    const { session, tokens } = setup({ logout: async () => Promise.reject(down) });
    await session.signIn('ada', 's3cret');
    await expect(session.signOut()).rejects.toBe(down);
    expect(session.user).toBeNull();
    expect(tokens.at(-1)).toBeNull();
  });

  test('expire (a 401 elsewhere) forgets the user', async () => {
    const { session, tokens } = setup();
    await session.signIn('ada', 's3cret');
    session.expire();
    expect(session.status).toBe('ready');
    expect(session.user).toBeNull();
    expect(session.can('viewer')).toBe(false);
    expect(tokens.at(-1)).toBeNull();
  });
});
