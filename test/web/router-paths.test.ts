// The router's pure logic (web/src/router/paths.ts). Runs in Node; the reactive Router class
// around it is exercised in real Chromium by shell.test.ts.
import { describe, expect, test } from 'vitest';
import {
  applyQuery,
  currentness,
  hrefWithQuery,
  interceptedHref,
  matchRoute,
  normalizePath,
  type AnchorInfo,
  type ClickInfo,
} from '../../web/src/router/paths.ts';

describe('normalizePath', () => {
  test.each([
    ['/', '/'],
    ['', '/'],
    ['/data', '/data'],
    ['/data/', '/data'],
    ['//data//tables/', '/data/tables'],
    ['data', '/data'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });
});

describe('matchRoute', () => {
  const routes = [
    { path: '/', name: 'overview' },
    { path: '/accounts', name: 'accounts' },
    { path: '/accounts/:id', name: 'account' },
    { path: '/lab/:notebook/cells/:cell', name: 'cell' },
  ];

  test('matches the root and literal paths exactly, ignoring a trailing slash', () => {
    expect(matchRoute(routes, '/')?.route.name).toBe('overview');
    expect(matchRoute(routes, '/accounts')?.route.name).toBe('accounts');
    expect(matchRoute(routes, '/accounts/')?.route.name).toBe('accounts');
  });

  test('decodes parameters', () => {
    expect(matchRoute(routes, '/accounts/acme%20corp%2Fuk')).toEqual({
      route: routes[2],
      params: { id: 'acme corp/uk' },
    });
    expect(matchRoute(routes, '/lab/churn/cells/3')?.params).toEqual({
      notebook: 'churn',
      cell: '3',
    });
  });

  test('returns null for unknown paths, extra segments and malformed escapes', () => {
    expect(matchRoute(routes, '/nope')).toBeNull();
    expect(matchRoute(routes, '/accounts/1/extra')).toBeNull();
    expect(matchRoute(routes, '/accounts/%E0%A4%A')).toBeNull();
    expect(matchRoute(routes, '/Accounts')).toBeNull();
  });
});

describe('query helpers', () => {
  test('applyQuery sets, repeats and deletes keys without touching the others', () => {
    const next = applyQuery('?segment=SMB&band=red&page=2', {
      band: ['red', 'yellow'],
      page: null,
      sort: 'arr',
      desc: true,
      limit: 50,
      empty: '',
    });
    expect(next.toString()).toBe('segment=SMB&band=red&band=yellow&sort=arr&desc=true&limit=50');
  });

  test('hrefWithQuery leaves out an empty query', () => {
    expect(hrefWithQuery('/trends')).toBe('/trends');
    expect(hrefWithQuery('/trends', { metric: undefined })).toBe('/trends');
    expect(hrefWithQuery('/trends', { metric: 'logins', from: '2025-01-01' })).toBe(
      '/trends?metric=logins&from=2025-01-01',
    );
  });
});

describe('interceptedHref', () => {
  const here = 'http://vitals.test/data?x=1';
  const click: ClickInfo = {
    button: 0,
    metaKey: false,
    ctrlKey: false,
    shiftKey: false,
    altKey: false,
    defaultPrevented: false,
  };
  const anchor = (href: string, extra: Partial<AnchorInfo> = {}): AnchorInfo => ({
    href: new URL(href, here).href,
    target: '',
    download: false,
    rel: '',
    ...extra,
  });

  test('takes plain clicks on in-app links, keeping query and hash', () => {
    expect(interceptedHref(click, anchor('/cohorts'), here)).toBe('/cohorts');
    expect(interceptedHref(click, anchor('/trends?metric=a#chart'), here)).toBe(
      '/trends?metric=a#chart',
    );
    expect(interceptedHref(click, anchor('/data'), here)).toBe('/data');
    expect(interceptedHref(click, anchor('/data', { target: '_self' }), here)).toBe('/data');
  });

  test('leaves new-tab clicks, other targets, downloads and external links to the browser', () => {
    for (const key of ['metaKey', 'ctrlKey', 'shiftKey', 'altKey'] as const) {
      expect(interceptedHref({ ...click, [key]: true }, anchor('/cohorts'), here)).toBeNull();
    }
    expect(interceptedHref({ ...click, button: 1 }, anchor('/cohorts'), here)).toBeNull();
    expect(interceptedHref({ ...click, defaultPrevented: true }, anchor('/x'), here)).toBeNull();
    expect(interceptedHref(click, anchor('/cohorts', { target: '_blank' }), here)).toBeNull();
    expect(interceptedHref(click, anchor('/report.csv', { download: true }), here)).toBeNull();
    expect(interceptedHref(click, anchor('/docs', { rel: 'noopener external' }), here)).toBeNull();
    expect(interceptedHref(click, anchor('https://example.com/'), here)).toBeNull();
  });

  test('leaves server endpoints and in-page anchors to the browser', () => {
    expect(interceptedHref(click, anchor('/api/data/status'), here)).toBeNull();
    expect(interceptedHref(click, anchor('/api'), here)).toBeNull();
    expect(interceptedHref(click, anchor('/healthz'), here)).toBeNull();
    expect(interceptedHref(click, anchor('/data?x=1#problem-1'), here)).toBeNull();
    expect(interceptedHref(click, anchor('/apiary'), here)).toBe('/apiary');
  });
});

describe('currentness', () => {
  test('marks the page itself, and a section on its sub-pages', () => {
    expect(currentness('/data', '/data')).toBe('page');
    expect(currentness('/data/', '/data')).toBe('page');
    expect(currentness('/accounts', '/accounts/42')).toBe('true');
    expect(currentness('/accounts', '/accountsx')).toBeUndefined();
    expect(currentness('/', '/data')).toBeUndefined();
    expect(currentness('/', '/')).toBe('page');
  });
});
