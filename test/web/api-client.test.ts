// The web app's API client (web/src/api/client.ts): requests, and the words every failure
// turns into. Runs in Node with a stubbed fetch.
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  ApiError,
  errorHint,
  errorMessage,
  getJson,
  NetworkError,
  onUnauthorized,
  requestJson,
  setCsrfToken,
} from '../../web/src/api/client.ts';

function reply(status: number, body: string, statusText = ''): Response {
  return new Response(body, {
    status,
    statusText,
    headers: { 'content-type': 'application/json' },
  });
}

function stubFetch(impl: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const fetch = vi.fn(impl);
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('requestJson', () => {
  test('GETs JSON with the query string and returns the parsed body', async () => {
    const fetch = stubFetch(() => reply(200, '{"ok":true,"rows":3}'));
    await expect(
      getJson('/api/accounts', { query: { segment: 'Mid-Market', page: 2, band: null } }),
    ).resolves.toEqual({ ok: true, rows: 3 });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/accounts?segment=Mid-Market&page=2');
    expect(init.method).toBe('GET');
    expect(init.body).toBeNull();
  });

  test('sends a JSON body', async () => {
    const fetch = stubFetch(() => reply(200, '{}'));
    await requestJson('/api/models', { method: 'POST', body: { name: 'balanced' } });
    const [, init] = fetch.mock.calls[0]!;
    expect(init.body).toBe('{"name":"balanced"}');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json' });
  });

  test('turns an error reply into an ApiError with the server code, message and details', async () => {
    stubFetch(() =>
      reply(
        400,
        '{"error":"invalid_request","message":"invalid request: /limit must be <= 1000","details":[{"path":"/limit","message":"must be <= 1000"}]}',
        'Bad Request',
      ),
    );
    const error = await failure(getJson('/api/accounts'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: 'invalid request: /limit must be <= 1000',
      request: 'GET /api/accounts',
      details: [{ path: '/limit', message: 'must be <= 1000' }],
    });
  });

  test('a reply that is not JSON is an ApiError too, for errors and for successes', async () => {
    stubFetch(
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(await failure(getJson('/api/x'))).toMatchObject({ status: 502, code: 'Bad Gateway' });
    stubFetch(() => new Response('<!doctype html>', { status: 200 }));
    expect(await failure(getJson('/api/x'))).toMatchObject({ status: 200, code: 'not_json' });
  });

  test('a fetch that cannot connect is a NetworkError that keeps its cause', async () => {
    const cause = new TypeError('Failed to fetch');
    stubFetch(() => Promise.reject(cause));
    const error = await failure(getJson('/api/data/status'));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).cause).toBe(cause);
  });

  test('an aborted request rejects with the abort itself, not a NetworkError', async () => {
    stubFetch((_url, init) => {
      init.signal?.throwIfAborted();
      return reply(200, '{}');
    });
    const controller = new AbortController();
    controller.abort();
    const error = await failure(getJson('/api/x', { signal: controller.signal }));
    expect(error).not.toBeInstanceOf(NetworkError);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('sign-in', () => {
  test('state changes carry the CSRF token; reads do not', async () => {
    const fetch = stubFetch(() => reply(200, '{}'));
    setCsrfToken('tok-123');
    await requestJson('/api/admin/users', { method: 'POST', body: { username: 'x' } });
    await requestJson('/api/admin/users/x', { method: 'PATCH', body: { role: 'admin' } });
    await getJson('/api/admin/users');
    const headers = fetch.mock.calls.map(([, init]) => init.headers as Record<string, string>);
    expect(headers[0]).toMatchObject({ 'X-Vitals-CSRF': 'tok-123' });
    expect(headers[1]).toMatchObject({ 'X-Vitals-CSRF': 'tok-123' });
    expect(headers[2]).not.toHaveProperty('X-Vitals-CSRF');
  });

  test('without a session there is no CSRF header at all', async () => {
    const fetch = stubFetch(() => reply(200, '{}'));
    await requestJson('/api/auth/login', { method: 'POST', body: {} });
    expect(fetch.mock.calls[0]![1].headers).not.toHaveProperty('X-Vitals-CSRF');
  });

  test('a 401 from an API route tells the listener, which can stop listening', async () => {
    stubFetch(() =>
      reply(401, '{"error":"unauthenticated","message":"sign in first"}', 'Unauthorized'),
    );
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    const error = await failure(getJson('/api/overview'));
    expect(error).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(listener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledWith(error);
    stop();
    await failure(getJson('/api/overview'));
    expect(listener).toHaveBeenCalledOnce();
  });

  test('a 401 from sign-in itself (wrong password) is not a lost session', async () => {
    stubFetch(() =>
      reply(401, '{"error":"invalid_credentials","message":"wrong username or password"}'),
    );
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    try {
      await failure(requestJson('/api/auth/login', { method: 'POST', body: {} }));
      await failure(requestJson('/api/auth/logout', { method: 'POST' }));
      expect(listener).not.toHaveBeenCalled();
      // Token routes are ordinary calls: a 401 there means the session is gone.
      await failure(getJson('/api/auth/tokens'));
      expect(listener).toHaveBeenCalledOnce();
    } finally {
      stop();
    }
  });

  test('403 forbidden and csrf do not end the session', async () => {
    stubFetch(() => reply(403, '{"error":"forbidden","message":"this needs the admin role"}'));
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    await failure(getJson('/api/admin/users'));
    stop();
    expect(listener).not.toHaveBeenCalled();
  });

  test('a 204 No Content reply resolves to undefined', async () => {
    stubFetch(() => new Response(null, { status: 204 }));
    await expect(
      requestJson('/api/auth/tokens/abc', { method: 'DELETE' }),
    ).resolves.toBeUndefined();
  });
});

describe('errorMessage and errorHint', () => {
  test('network failures say the server could not be reached and to check it runs', () => {
    const error = new NetworkError('GET /api/data/status');
    expect(errorMessage(error)).toBe(
      'Could not reach the Vitals server for GET /api/data/status. The server may be stopped or restarting, or the network is down.',
    );
    expect(errorHint(error)).toBe('Check that the Vitals server is running, then try again.');
  });

  test('4xx replies give the request, status, server message and details', () => {
    const error = new ApiError(400, 'invalid_request', 'invalid request', 'GET /api/accounts', [
      { path: '/limit', message: 'must be <= 1000' },
      'second',
      { segment: 'unknown' },
    ]);
    expect(errorMessage(error)).toBe(
      'The server refused the request (GET /api/accounts, HTTP 400): Invalid request. /limit: must be <= 1000. Second. Segment: unknown.',
    );
  });

  test('5xx replies say the server failed and point at the log', () => {
    const error = new ApiError(
      500,
      'internal_error',
      'Vitals hit an internal error; the server log has the details.',
      'GET /api/data/status',
      null,
    );
    expect(errorMessage(error)).toBe(
      'The server failed (GET /api/data/status, HTTP 500): Vitals hit an internal error; the server log has the details.',
    );
    expect(errorHint(error)).toMatch(/server log/);
  });

  test('permission errors say how to get access', () => {
    expect(errorHint(new ApiError(403, 'forbidden', 'analysts only', 'GET /api/lab'))).toMatch(
      /ask an admin/,
    );
  });

  test('anything else still reads as a sentence', () => {
    expect(errorMessage(new Error('boom'))).toBe('Boom.');
    expect(errorMessage('plain text!')).toBe('Plain text!');
    expect(errorMessage(new DOMException('stop', 'AbortError'))).toBe('The request was cancelled.');
    expect(errorMessage(undefined)).toBe('Something went wrong, and the error carried no message.');
    expect(errorMessage({})).toBe('Something went wrong, and the error carried no message.');
  });
});
