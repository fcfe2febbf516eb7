import type { RouteOptions } from 'fastify';
import { ROLES } from './users.ts';

/** What a route may require: no sign-in at all, or at least this role. */
export const ROUTE_ROLES = ['public', ...ROLES] as const;
export type RouteRole = (typeof ROUTE_ROLES)[number];

/** One registered route and the role it requires, as the route-role registry lists it. */
export interface RouteRoleEntry {
  method: string;
  url: string;
  role: RouteRole;
}

/**
 * The decorator by which a plugin scope gives its routes a role when they cannot carry one
 * themselves (routes that a third-party plugin such as @fastify/static registers).
 */
export const SCOPE_ROUTE_ROLE = Symbol.for('vitals.scopeRouteRole');

export function isRouteRole(value: unknown): value is RouteRole {
  return (ROUTE_ROLES as readonly unknown[]).includes(value);
}

/**
 * The role of a route being registered: its own `config.role`, else its scope's. A route with
 * neither is a programming error, reported at start-up with its method and URL so that no route
 * can be added without deciding who may call it.
 */
export function declaredRole(route: RouteOptions, scopeRole: unknown): RouteRole {
  const own: unknown = route.config?.role;
  const role = own ?? scopeRole;
  const methods = [route.method].flat().join(',');
  if (role === undefined) {
    throw new Error(
      `route ${methods} ${route.url} declares no role: add config: { role: ${ROUTE_ROLES.map((r) => `'${r}'`).join(' | ')} }`,
    );
  }
  if (!isRouteRole(role)) {
    throw new Error(
      `route ${methods} ${route.url} declares an unknown role ${JSON.stringify(role)}: expected one of ${ROUTE_ROLES.join(', ')}`,
    );
  }
  return role;
}
