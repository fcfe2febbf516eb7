/**
 * The admin and API-token endpoints as the Admin page uses them. Reply shapes come from the
 * server's own types; where the admin API leaves a field out (ids, owners), it is left out here.
 */
import type { ApiToken, CreatedApiToken } from '../../../../server/auth/api-tokens.ts';
import type { AuthAction, AuthAuditEntry } from '../../../../server/auth/audit.ts';
import type { Role, User } from '../../../../server/auth/users.ts';
import { getJson, requestJson } from '../../api/client.ts';

export type { AuthAction, AuthAuditEntry, CreatedApiToken, Role };

/** A user as GET /api/admin/users lists one: no internal id. */
export type AdminUser = Omit<User, 'id'>;

/** One of the caller's API tokens: never the token itself. */
export type TokenView = Omit<ApiToken, 'userId'>;

/** Every action the audit log records, for its filter. */
export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'user_created',
  'role_changed',
  'password_reset',
  'user_disabled',
  'token_created',
  'token_revoked',
] as const satisfies readonly AuthAction[];

// Fails to compile if the server records an action the filter does not offer.
const _everyAction: Record<Exclude<AuthAction, (typeof AUDIT_ACTIONS)[number]>, never> = {};

/** An audit action in words: `role_changed` → `Role changed`. */
export function actionLabel(action: string): string {
  const words = action.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const user = (username: string) => `/api/admin/users/${encodeURIComponent(username)}`;

export async function listUsers(signal: AbortSignal): Promise<AdminUser[]> {
  return (await getJson<{ users: AdminUser[] }>('/api/admin/users', { signal })).users;
}

export function createUser(body: { username: string; role: Role; password: string }) {
  return requestJson<{ user: AdminUser }>('/api/admin/users', { method: 'POST', body });
}

export function setUserRole(username: string, role: Role) {
  return requestJson<{ user: AdminUser }>(user(username), { method: 'PATCH', body: { role } });
}

export function resetUserPassword(username: string, password: string) {
  return requestJson<{ user: AdminUser; sessionsRevoked: number }>(
    `${user(username)}/reset-password`,
    { method: 'POST', body: { password } },
  );
}

export function disableUser(username: string) {
  return requestJson<{ user: AdminUser }>(`${user(username)}/disable`, { method: 'POST' });
}

export interface AuditFilters {
  action: AuthAction | '';
  actor: string;
}

export const AUDIT_LIMIT = 200;

export async function listAudit(
  filters: AuditFilters,
  signal: AbortSignal,
): Promise<AuthAuditEntry[]> {
  const query = {
    action: filters.action || null,
    actor: filters.actor.trim() || null,
    limit: AUDIT_LIMIT,
  };
  return (await getJson<{ entries: AuthAuditEntry[] }>('/api/admin/audit', { query, signal }))
    .entries;
}

export async function listTokens(signal: AbortSignal): Promise<TokenView[]> {
  return (await getJson<{ tokens: TokenView[] }>('/api/auth/tokens', { signal })).tokens;
}

export function createToken(name: string): Promise<CreatedApiToken> {
  return requestJson<CreatedApiToken>('/api/auth/tokens', { method: 'POST', body: { name } });
}

export function revokeToken(id: string): Promise<void> {
  return requestJson<void>(`/api/auth/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
