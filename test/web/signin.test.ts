// The sign-in rules the web app applies (web/src/lib/session.svelte.ts): where to go after
// signing in, who may use which page, and the words for a failed sign-in. Pure, run in Node.
import { describe, expect, test } from 'vitest';
import { ApiError } from '../../web/src/api/client.ts';
import {
  canUse,
  roleAllows,
  roleNotice,
  sanitizeNext,
  signInErrorMessage,
  signInHref,
  usableRoutes,
} from '../../web/src/lib/session.svelte.ts';

describe('sanitizeNext', () => {
  test('keeps a path in this app with its query and hash', () => {
    expect(sanitizeNext('/accounts')).toBe('/accounts');
    expect(sanitizeNext('/accounts?segment=SMB&band=red#top')).toBe(
      '/accounts?segment=SMB&band=red#top',
    );
    expect(sanitizeNext('/accounts/acc%2F42')).toBe('/accounts/acc%2F42');
    expect(sanitizeNext('/')).toBe('/');
  });

  test('anything missing, relative or on another origin goes to the Overview', () => {
    for (const next of [
      null,
      undefined,
      '',
      'accounts',
      'https://evil.example/',
      'javascript:alert(1)',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/ /evil.example',
      '/%0a/x\n',
    ]) {
      expect(sanitizeNext(next), String(next)).toBe('/');
    }
  });

  test('never sends a fresh sign-in back to the sign-in page', () => {
    expect(sanitizeNext('/signin')).toBe('/');
    expect(sanitizeNext('/signin?next=/admin')).toBe('/');
    expect(sanitizeNext('/signin/')).toBe('/');
  });

  test('normalises dot segments without leaving the origin', () => {
    expect(sanitizeNext('/a/../../admin')).toBe('/admin');
  });

  test('signInHref carries the page to come back to', () => {
    expect(signInHref('/admin?tab=audit')).toBe('/signin?next=%2Fadmin%3Ftab%3Daudit');
    expect(signInHref('/')).toBe('/signin');
    expect(signInHref('//evil.example')).toBe('/signin');
  });
});

describe('roles', () => {
  test('each role can do what the ones below it can, and no more', () => {
    expect(roleAllows('viewer', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'analyst')).toBe(false);
    expect(roleAllows('analyst', 'viewer')).toBe(true);
    expect(roleAllows('analyst', 'admin')).toBe(false);
    expect(roleAllows('admin', 'analyst')).toBe(true);
    expect(roleAllows('admin', 'admin')).toBe(true);
  });

  test('a page without a role is for anyone signed in; nobody signed out may use any', () => {
    const viewer = { username: 'vic', role: 'viewer' as const };
    expect(canUse(viewer, undefined)).toBe(true);
    expect(canUse(viewer, 'analyst')).toBe(false);
    expect(canUse(null, undefined)).toBe(false);
    expect(canUse(null, 'viewer')).toBe(false);
  });

  test('the navigation keeps the pages the role may use, in order', () => {
    const routes = [
      { path: '/' },
      { path: '/lab', role: 'analyst' as const },
      { path: '/alerts' },
      { path: '/admin', role: 'admin' as const },
      { path: '/data' },
    ];
    const paths = (role: 'viewer' | 'analyst' | 'admin') =>
      usableRoutes(routes, { username: 'u', role }).map((route) => route.path);
    expect(paths('viewer')).toEqual(['/', '/alerts', '/data']);
    expect(paths('analyst')).toEqual(['/', '/lab', '/alerts', '/data']);
    expect(paths('admin')).toEqual(['/', '/lab', '/alerts', '/admin', '/data']);
    expect(usableRoutes(routes, null)).toEqual([]);
  });

  test('a page above the role says which role it needs', () => {
    expect(roleNotice('analyst')).toBe(
      'You need the analyst role to use this page. Ask an admin to change your role.',
    );
  });
});

describe('signInErrorMessage', () => {
  test('wrong credentials read the same for an unknown user and a wrong password', () => {
    const error = new ApiError(
      401,
      'invalid_credentials',
      'wrong username or password',
      'POST /api/auth/login',
    );
    expect(signInErrorMessage(error)).toBe('Wrong username or password. Check both and try again.');
  });

  test('a rate limit says to wait, with the server’s own time', () => {
    const error = new ApiError(
      429,
      'rate_limited',
      'too many failed sign-ins for this username: try again in 15 minute(s)',
      'POST /api/auth/login',
    );
    expect(signInErrorMessage(error)).toBe(
      'Too many sign-in attempts. Wait before trying again (the server says: too many failed sign-ins for this username: try again in 15 minute(s)).',
    );
  });

  test('other failures use the shared wording', () => {
    const error = new ApiError(500, 'internal_error', 'boom', 'POST /api/auth/login');
    expect(signInErrorMessage(error)).toBe(
      'The server failed (POST /api/auth/login, HTTP 500): Boom.',
    );
  });
});
