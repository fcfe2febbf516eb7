/**
 * Who is signed in: the user and the CSRF token their browser session must echo, as reactive
 * state. App.svelte creates one Session, shares it by context and loads it from GET /api/auth/me
 * at start; the pure rules beside it (roles, the sign-in page's `next`) are unit-tested in Node.
 */
import { createContext } from 'svelte';
import type { Role } from '../../../server/auth/users.ts';
import { ApiError, errorMessage, requestJson, setCsrfToken } from '../api/client.ts';
import { normalizePath, resolveHref } from '../router/paths.ts';

export type { Role };

/** Least to most privileged: each role can do what the ones before it can. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const satisfies readonly Role[];

// Fails to compile if the server gains a role this list lacks.
const _everyRole: Record<Exclude<Role, (typeof ROLES)[number]>, never> = {};

export interface SessionUser {
  username: string;
  role: Role;
}

/** Whether `role` may do what `needed` may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Whether `user` may open a page that needs `role` (none: anyone signed in). */
export function canUse(user: SessionUser | null, role: Role | undefined): boolean {
  if (user === null) return false;
  return role === undefined || roleAllows(user.role, role);
}

/** The entries of `routes` that `user` may use, in order. */
export function usableRoutes<R extends { role?: Role }>(
  routes: readonly R[],
  user: SessionUser | null,
): R[] {
  return routes.filter((route) => canUse(user, route.role));
}

export const SIGN_IN_PATH = '/signin';

/**
 * Where to go after signing in: `next` when it is a path in this app (`/accounts?segment=SMB`),
 * else `/`. Absolute URLs, protocol-relative `//host` and backslash tricks (`/\host`, which
 * browsers read as `//host`) would send a fresh sign-in to another site, so they become `/`.
 */
export function sanitizeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  if (next.startsWith('//') || next.includes('\\')) return '/';
  // Control characters and whitespace are stripped by URL parsers: refuse rather than guess.
  if (/[\s\p{Cc}]/u.test(next)) return '/';
  const base = 'http://vitals.invalid';
  let url: ReturnType<typeof resolveHref>;
  try {
    url = resolveHref(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base || normalizePath(url.pathname) === SIGN_IN_PATH) return '/';
  return url.pathname + url.search + url.hash;
}

/** The sign-in page's address that comes back to `path` afterwards. */
export function signInHref(path: string): string {
  const next = sanitizeNext(path);
  return next === '/' ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`;
}

/** A failed sign-in in words: wrong credentials and rate limits get their own. */
export function signInErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) {
    return 'Wrong username or password. Check both and try again.';
  }
  if (error instanceof ApiError && error.status === 429) {
    const reason = error.message.trim().replace(/\.$/, '');
    return `Too many sign-in attempts. Wait before trying again (the server says: ${reason}).`;
  }
  return errorMessage(error);
}

/** The notice a page shows to a user whose role is too low for it. */
export function roleNotice(needed: Role): string {
  return `You need the ${needed} role to use this page. Ask an admin to change your role.`;
}

/** What the server answers about the caller. */
export interface MeReply {
  user: SessionUser | null;
  csrfToken?: string | null;
}

export interface LoginReply {
  user: SessionUser;
  csrfToken: string;
}

/** The sign-in API, as the session uses it; tests pass a fake. */
export interface SessionApi {
  me(): Promise<MeReply>;
  login(username: string, password: string): Promise<LoginReply>;
  logout(): Promise<void>;
}

export const httpSessionApi: SessionApi = {
  me: () => requestJson<MeReply>('/api/auth/me'),
  login: (username, password) =>
    requestJson<LoginReply>('/api/auth/login', {
      method: 'POST',
      body: { username, password },
    }),
  logout: () => requestJson<void>('/api/auth/logout', { method: 'POST' }),
};

export type SessionState =
  | { status: 'loading'; user: null; error: undefined }
  | { status: 'ready'; user: SessionUser | null; error: undefined }
  | { status: 'failed'; user: null; error: unknown };

export class Session {
  #state = $state.raw<SessionState>({ status: 'loading', user: null, error: undefined });
  readonly #api: SessionApi;
  readonly #setCsrfToken: (token: string | null) => void;

  constructor(
    api: SessionApi = httpSessionApi,
    csrfSink: (token: string | null) => void = setCsrfToken,
  ) {
    this.#api = api;
    this.#setCsrfToken = csrfSink;
  }

  get status(): SessionState['status'] {
    return this.#state.status;
  }

  /** The signed-in user, or null (also while loading and after a failed load). */
  get user(): SessionUser | null {
    return this.#state.user;
  }

  /** Why the session could not be loaded (server down); undefined otherwise. */
  get error(): unknown {
    return this.#state.error;
  }

  /** Whether the signed-in user has `role` or a higher one; false when signed out. */
  can(role: Role): boolean {
    return canUse(this.user, role);
  }

  /** Ask the server who is signed in (start-up, or "Try again" after a failure). */
  async load(): Promise<void> {
    this.#state = { status: 'loading', user: null, error: undefined };
    try {
      const me = await this.#api.me();
      this.#become(me.user, me.csrfToken ?? null);
    } catch (error) {
      this.#setCsrfToken(null);
      this.#state = { status: 'failed', user: null, error };
    }
  }

  /** Signs in; a failure throws the ApiError (401 wrong credentials, 429 rate limited). */
  async signIn(username: string, password: string): Promise<SessionUser> {
    const reply = await this.#api.login(username, password);
    this.#become(reply.user, reply.csrfToken);
    return reply.user;
  }

  /**
   * Signs out. The local session ends even when the server cannot be told (its cookie then
   * lapses on its own); the error is still thrown so the page can say so.
   */
  async signOut(): Promise<void> {
    try {
      await this.#api.logout();
    } finally {
      this.expire();
    }
  }

  /** The server no longer knows this session (a 401 elsewhere): forget the user. */
  expire(): void {
    this.#become(null, null);
  }

  #become(user: SessionUser | null, csrfToken: string | null): void {
    this.#setCsrfToken(user === null ? null : csrfToken);
    this.#state = { status: 'ready', user, error: undefined };
  }
}

/** The app's session, for components that show or check the user. */
export const [getSession, setSession] = createContext<Session>();
