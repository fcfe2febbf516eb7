/**
 * The typed HTTP client for the Vitals API and the one place that turns any failure into words a
 * person can act on. Types come from the server's zod schemas (`import type`), never copies.
 */

/** The error body every API route sends with a 4xx or 5xx status. */
export interface ApiErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/** The server answered, but not with what was asked for (4xx/5xx, or not JSON). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status, e.g. 404. */
    readonly status: number,
    /** The reason phrase or the server's machine-readable code, e.g. `Not Found`. */
    readonly code: string,
    message: string,
    /** The request, as `GET /api/data/status`. */
    readonly request: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

/** The server could not be reached at all (down, restarting, offline, blocked). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not reach the Vitals server for ${request}.`, options);
  }
}

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: QueryParams;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/** The header a browser sign-in must echo on every state change (the server's CSRF check). */
export const CSRF_HEADER = 'X-Vitals-CSRF';

/**
 * The signed-in session's CSRF token. Module-level because every request needs it and only the
 * session store (web/src/lib/session.svelte.ts) sets it, on sign-in, sign-out and start-up.
 */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type UnauthorizedListener = (error: ApiError) => void;

const unauthorizedListeners = new Set<UnauthorizedListener>();

/**
 * Calls `listener` whenever a request other than the sign-in API's own answers 401: the session
 * ended (expired, revoked, server reset) and the app should ask to sign in again. Returns the
 * function that stops listening.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/**
 * Sign-in, sign-out and "who am I" answer 401 as part of their job (wrong password, already
 * signed out), not as a lost session. The token routes under /api/auth are ordinary pages' calls.
 */
const AUTH_API = /^\/api\/auth\/(login|logout|me)$/;

/**
 * Fetch `path` and parse its JSON reply as `T`; failures throw `ApiError` or `NetworkError`.
 * A 204 No Content reply resolves to undefined (sign-out, revoking a token).
 */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const url = withQuery(path, options.query);
  const request = `${method} ${path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers[CSRF_HEADER] = csrfToken;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new NetworkError(request, { cause: error });
  }

  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) {
    const body = isErrorBody(json) ? json : null;
    const error = new ApiError(
      response.status,
      body?.error ?? response.statusText,
      body?.message ?? (response.statusText || `HTTP ${response.status}`),
      request,
      body?.details,
    );
    if (error.status === 401 && !AUTH_API.test(path)) {
      for (const listener of [...unauthorizedListeners]) listener(error);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  if (json === undefined) {
    throw new ApiError(
      response.status,
      'not_json',
      'The server replied with something other than JSON.',
      request,
    );
  }
  return json as T;
}

export function getJson<T>(
  path: string,
  options: Omit<RequestOptions, 'method' | 'body'> = {},
): Promise<T> {
  return requestJson<T>(path, { ...options, method: 'GET' });
}

function withQuery(path: string, query: QueryParams | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiErrorBody).message === 'string' &&
    typeof (value as ApiErrorBody).error === 'string'
  );
}

/** True for the error a fetch throws when its AbortSignal fires (a page left, a newer request). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException
    ? error.name === 'AbortError'
    : error instanceof Error && error.name === 'AbortError';
}

const MAX_DETAILS = 3;

/**
 * Any error as one readable sentence or two: what failed, and the server's own explanation.
 * Use it wherever an error reaches the screen, so every page words failures the same way.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof NetworkError) {
    return `${error.message} The server may be stopped or restarting, or the network is down.`;
  }
  if (error instanceof ApiError) {
    const status = error.status >= 500 ? 'The server failed' : 'The server refused the request';
    const detail = detailLines(error.details).slice(0, MAX_DETAILS);
    const reason = [error.message, ...detail].map(sentence).join(' ');
    return `${status} (${error.request}, HTTP ${error.status}): ${reason}`;
  }
  if (isAbort(error)) return 'The request was cancelled.';
  if (error instanceof Error) return sentence(error.message || error.name);
  if (typeof error === 'string' && error.trim() !== '') return sentence(error);
  return 'Something went wrong, and the error carried no message.';
}

/** What a person can do about `error`, to show beside `errorMessage`. */
export function errorHint(error: unknown): string {
  if (error instanceof NetworkError) {
    return 'Check that the Vitals server is running, then try again.';
  }
  if (error instanceof ApiError && error.status >= 500) {
    return 'Try again; if it keeps failing, the server log has the details.';
  }
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return 'Sign in with an account that may see this page, or ask an admin for access.';
  }
  return 'Try again; if it keeps failing, reload the page.';
}

/** Readable lines from an error's `details`: strings, zod-like issues, or key/value pairs. */
function detailLines(details: unknown): string[] {
  if (details === undefined || details === null) return [];
  if (typeof details === 'string') return [details];
  if (Array.isArray(details)) return details.flatMap(detailLines);
  if (typeof details === 'object') {
    const record = details as Record<string, unknown>;
    if (typeof record.message === 'string') {
      const path = Array.isArray(record.path) ? record.path.join('.') : record.path;
      return [
        typeof path === 'string' && path !== '' ? `${path}: ${record.message}` : record.message,
      ];
    }
    return Object.entries(record).map(([key, value]) => `${key}: ${formatDetail(value)}`);
  }
  return [String(details)];
}

function formatDetail(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `text` as a sentence: capitalised, ending in a full stop unless it has its own. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
