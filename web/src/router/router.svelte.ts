import {
  applyQuery,
  currentness,
  interceptedHref,
  matchRoute,
  normalizePath,
  parseQuery,
  resolveHref,
  type LocationParts,
  type QueryPatch,
  type RouteMatch,
  type RoutePattern,
} from './paths.ts';

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (filters, sorting, tabs). */
  replace?: boolean;
}

/** The query as pages may read it; change it through `Router.setQuery`, never in place. */
export type ReadonlyQuery = Pick<
  URLSearchParams,
  'get' | 'getAll' | 'has' | 'keys' | 'entries' | 'forEach' | 'toString' | 'size'
>;

function readLocation(): LocationParts {
  const { pathname, search, hash } = window.location;
  return { pathname, search, hash };
}

/**
 * A history-API router over a flat route table. The location is the single source of truth:
 * `path`, `query` and `match` are derived from it, so a page that keeps its state in the query
 * (`router.setQuery({ segment: 'SMB' })`) survives reloads and shared links for free.
 *
 * The app wires `sync` to `popstate` and `handleClick` to document clicks, so plain
 * `<a href="/data">` links navigate without a reload.
 */
export class Router<R extends RoutePattern> {
  readonly #routes: readonly R[];
  #location = $state.raw<LocationParts>(readLocation());

  readonly path: string = $derived(normalizePath(this.#location.pathname));
  readonly query: ReadonlyQuery = $derived(parseQuery(this.#location.search));
  readonly match: RouteMatch<R> | null = $derived.by(() => matchRoute(this.#routes, this.path));

  constructor(routes: readonly R[]) {
    this.#routes = routes;
  }

  /** Go to an in-app href (path, optional query and hash). Returns true if the path changed. */
  navigate(href: string, options: NavigateOptions = {}): boolean {
    const { origin, ...next } = resolveHref(href, window.location.href);
    const target = next.pathname + next.search + next.hash;
    if (origin !== window.location.origin) {
      window.location.assign(href);
      return false;
    }
    const current = window.location.pathname + window.location.search + window.location.hash;
    if (options.replace || target === current) window.history.replaceState(null, '', target);
    else window.history.pushState(null, '', target);
    const before = this.path;
    this.#location = next;
    return this.path !== before;
  }

  /** Change some query keys of the current page; replaces the history entry by default. */
  setQuery(patch: QueryPatch, options: NavigateOptions = { replace: true }): void {
    const search = applyQuery(this.#location.search, patch).toString();
    const href = this.#location.pathname + (search ? `?${search}` : '') + this.#location.hash;
    this.navigate(href, options);
  }

  /** Re-read the browser location, after back/forward (`popstate`). */
  sync(): void {
    this.#location = readLocation();
  }

  /**
   * Handle a click anywhere in the document: an in-app link is followed without a reload.
   * Returns true if the router took the click and the path changed.
   */
  handleClick(event: MouseEvent): boolean {
    const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(anchor instanceof HTMLAnchorElement)) return false;
    const href = interceptedHref(
      event,
      {
        href: anchor.href,
        target: anchor.target,
        download: anchor.hasAttribute('download'),
        rel: anchor.rel,
      },
      window.location.href,
    );
    if (href === null) return false;
    event.preventDefault();
    return this.navigate(href);
  }

  /** The `aria-current` value for a navigation link to `path`. */
  current(path: string): 'page' | 'true' | undefined {
    return currentness(path, this.path);
  }
}
