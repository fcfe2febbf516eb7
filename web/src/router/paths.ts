/**
 * The router's pure logic: path matching, query strings and deciding which link clicks the
 * single-page app handles itself. No DOM and no runes here, so it is unit-tested in Node.
 */

/** A route pattern: literal segments and `:name` parameters, e.g. `/accounts/:id`. */
export interface RoutePattern {
  readonly path: string;
}

export interface RouteMatch<R extends RoutePattern> {
  route: R;
  params: Record<string, string>;
}

/** One leading slash, no empty segments, no trailing slash (except the root itself). */
export function normalizePath(pathname: string): string {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  return '/' + segments.join('/');
}

/** The first route whose pattern matches `pathname`, with its decoded parameters. */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  pathname: string,
): RouteMatch<R> | null {
  const segments = splitPath(pathname);
  for (const route of routes) {
    const params = matchSegments(splitPath(route.path), segments);
    if (params) return { route, params };
  }
  return null;
}

function splitPath(pathname: string): string[] {
  return normalizePath(pathname)
    .split('/')
    .filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [i, expected] of pattern.entries()) {
    const segment = actual[i] as string;
    if (expected.startsWith(':')) {
      const value = safeDecode(segment);
      if (value === null) return null;
      params[expected.slice(1)] = value;
    } else if (expected !== segment) {
      return null;
    }
  }
  return params;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape such as `%E0%A4%A` cannot name anything: treat it as no match.
    return null;
  }
}

/** Query values a page may keep in the URL; null, undefined and '' remove the key. */
export type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type QueryPatch = Record<string, QueryValue>;

/** `base` with `patch` applied: scalars replace a key, arrays repeat it, empties delete it. */
export function applyQuery(base: URLSearchParams | string, patch: QueryPatch): URLSearchParams {
  const next = new URLSearchParams(base);
  for (const [key, value] of Object.entries(patch)) {
    next.delete(key);
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      next.set(key, String(value));
    } else {
      for (const item of value) next.append(key, item);
    }
  }
  return next;
}

/** `path` followed by the query built from `query` (no `?` when it is empty). */
export function hrefWithQuery(path: string, query: QueryPatch = {}): string {
  const search = applyQuery('', query).toString();
  return search === '' ? path : `${path}?${search}`;
}

/** What the click handler needs to know about a click, in a form tests can build. */
export interface ClickInfo {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
}

export interface AnchorInfo {
  /** The anchor's resolved, absolute href. */
  href: string;
  target: string;
  download: boolean;
  rel: string;
}

/** Paths the server answers itself; a link to them must load for real. */
const SERVER_PATHS = [/^\/api(\/|$)/, /^\/healthz$/];

/**
 * The in-app href (path, query and hash) the router should navigate to for this click, or null
 * when the browser should handle it: modified or non-primary clicks (open in a new tab), other
 * targets, downloads, other origins, server endpoints, and links within the current page.
 */
export function interceptedHref(
  click: ClickInfo,
  anchor: AnchorInfo,
  currentHref: string,
): string | null {
  if (click.defaultPrevented || click.button !== 0) return null;
  if (click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return null;
  if (anchor.target !== '' && anchor.target !== '_self') return null;
  if (anchor.download || /\bexternal\b/.test(anchor.rel)) return null;

  const current = new URL(currentHref);
  const next = new URL(anchor.href, current);
  if (next.origin !== current.origin) return null;
  if (SERVER_PATHS.some((pattern) => pattern.test(next.pathname))) return null;
  const samePage = next.pathname === current.pathname && next.search === current.search;
  if (samePage && next.hash !== '') return null;
  return next.pathname + next.search + next.hash;
}

/**
 * How a navigation link relates to the current path, as an `aria-current` value: `page` for the
 * page itself, `true` for the section it heads (`/accounts` while on `/accounts/42`), else
 * undefined. The root only ever matches itself.
 */
export function currentness(linkPath: string, currentPath: string): 'page' | 'true' | undefined {
  const link = normalizePath(linkPath);
  const current = normalizePath(currentPath);
  if (link === current) return 'page';
  if (link !== '/' && current.startsWith(link + '/')) return 'true';
  return undefined;
}

/** The parts of a URL the router keeps. */
export interface LocationParts {
  pathname: string;
  search: string;
  hash: string;
}

/** `href` resolved against `base`: its origin and the parts the router keeps. */
export function resolveHref(href: string, base: string): LocationParts & { origin: string } {
  const url = new URL(href, base);
  return { origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash };
}

/** A search string as query parameters; a fresh object each call, never shared. */
export function parseQuery(search: string): URLSearchParams {
  return new URLSearchParams(search);
}
