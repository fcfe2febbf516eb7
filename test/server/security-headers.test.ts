// Security headers: every response (the single-page app, the API, a 404 and an error) carries
// helmet's headers and exactly the Content-Security-Policy the app is built to run under;
// Strict-Transport-Security only when the app is declared to be behind HTTPS.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, tempDir } from '../helpers/app.ts';
import { GOOD_TODAY, goodDataset } from '../helpers/parquet.ts';

const clock = () => new Date(`${GOOD_TODAY}T12:00:00Z`);

const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
];

function directives(reply: LightMyRequestResponse): string[] {
  const header = reply.headers['content-security-policy'];
  expect(typeof header, 'content-security-policy').toBe('string');
  return (header as string)
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean);
}

function expectSecurityHeaders(reply: LightMyRequestResponse): void {
  expect(directives(reply)).toEqual(EXPECTED_CSP);
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['x-frame-options']).toBe('DENY');
  expect(reply.headers['referrer-policy']).toBe('no-referrer');
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(reply.headers['x-xss-protection']).toBe('0');
  expect(reply.headers['x-powered-by']).toBeUndefined();
}

describe('security headers over plain http (the default)', () => {
  let app: FastifyInstance;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const data = await tempDir();
    const web = await tempDir('vitals-web-');
    cleanups.push(data.cleanup, web.cleanup);
    await goodDataset(data.dir);
    await writeFile(
      path.join(web.dir, 'index.html'),
      '<!doctype html><title>Vitals</title><div id="app"></div>',
    );
    await writeFile(path.join(web.dir, 'app.js'), 'export {};\n');
    app = await buildTestApp(data.dir, { WEB_DIR: web.dir }, { clock });
  });
  afterAll(async () => {
    await app?.close();
    for (const cleanup of cleanups) await cleanup();
  });

  it('are on the single-page app, for its own path and a client-side route', async () => {
    for (const url of ['/', '/cohorts', '/accounts/some-account']) {
      const reply = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(reply.statusCode, url).toBe(200);
      expect(reply.headers['content-type'], url).toContain('text/html');
      expectSecurityHeaders(reply);
    }
  });

  it('are on static files', async () => {
    const reply = await app.inject({ method: 'GET', url: '/app.js' });
    expect(reply.statusCode).toBe(200);
    expectSecurityHeaders(reply);
  });

  it('are on API answers, signed in and not', async () => {
    const signedIn = await app.inject({ method: 'GET', url: '/api/data/status' });
    expect(signedIn.statusCode).toBe(200);
    expectSecurityHeaders(signedIn);
    const anonymous = await app.inject({
      method: 'GET',
      url: '/api/data/status',
      headers: { cookie: 'nothing=here' },
    });
    expect(anonymous.statusCode).toBe(401);
    expectSecurityHeaders(anonymous);
  });

  it('are on 404s, of the API and of methods the app does not serve', async () => {
    const api = await app.inject({ method: 'GET', url: '/api/nothing/here' });
    expect(api.statusCode).toBe(404);
    expectSecurityHeaders(api);
    const post = await app.inject({ method: 'POST', url: '/no-such-page' });
    expect(post.statusCode).toBe(404);
    expectSecurityHeaders(post);
  });

  it('are on /healthz', async () => {
    const reply = await app.inject({ method: 'GET', url: '/healthz' });
    expectSecurityHeaders(reply);
  });

  it('leave out upgrade-insecure-requests and Strict-Transport-Security', async () => {
    const reply = await app.inject({ method: 'GET', url: '/' });
    expect(reply.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(reply.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('security headers behind HTTPS (COOKIE_SECURE=true)', () => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const data = await tempDir();
    cleanup = data.cleanup;
    await goodDataset(data.dir);
    app = await buildTestApp(data.dir, { COOKIE_SECURE: 'true' }, { clock });
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('add Strict-Transport-Security and keep the same policy', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/data/status' });
    expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(directives(reply)).toEqual(EXPECTED_CSP);
  });
});
