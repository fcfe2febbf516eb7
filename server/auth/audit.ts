import type { DuckDBConnection } from '@duckdb/node-api';
import { bigintToNumber, queryRows } from '../../data/duckdb.ts';
import { at, isoTimestamp } from './sql.ts';

/** What the sign-in audit log records. Details never hold a password, a hash or a token. */
export const AUTH_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'user_created',
  'role_changed',
  'password_reset',
  'user_disabled',
  'token_created',
  'token_revoked',
] as const;
export type AuthAction = (typeof AUTH_ACTIONS)[number];

export interface NewAuthAuditEntry {
  /** Who acted: a username, `cli` for the command line, `bootstrap` for the first admin. */
  actor: string;
  action: AuthAction;
  /** The username acted on, if any. */
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuthAuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: AuthAction;
  target: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * Appends an entry to the sign-in audit log and returns its seq. A single INSERT: call it inside
 * the transaction of the change it records, or on its own.
 */
export async function audit(
  connection: DuckDBConnection,
  schema: string,
  entry: NewAuthAuditEntry,
  now: Date = new Date(),
): Promise<number> {
  const [row] = await queryRows<{ seq: bigint }>(
    connection,
    `INSERT INTO ${schema}.auth_audit
     VALUES (nextval('${schema}.auth_audit_seq'), $at::TIMESTAMP, $actor, $action, $target, $ip, $detail)
     RETURNING seq`,
    {
      at: at(now),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    },
  );
  return bigintToNumber(row!.seq)!;
}

export interface AuthAuditFilter {
  action?: AuthAction;
  /** Compared without regard to case, as usernames are. */
  actor?: string;
  /** Only entries at or after this time. */
  since?: Date;
  /** At most this many entries (default 100). */
  limit?: number;
}

/** Sign-in audit entries, newest first. */
export async function listAuthAudit(
  connection: DuckDBConnection,
  schema: string,
  filter: AuthAuditFilter = {},
): Promise<AuthAuditEntry[]> {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {
    limit: Math.max(0, Math.floor(filter.limit ?? 100)),
  };
  if (filter.action !== undefined) {
    conditions.push('action = $action');
    params.action = filter.action;
  }
  if (filter.actor !== undefined) {
    conditions.push('lower(actor) = lower($actor)');
    params.actor = filter.actor;
  }
  if (filter.since !== undefined) {
    conditions.push('occurred_at >= $since::TIMESTAMP');
    params.since = at(filter.since);
  }
  const rows = await queryRows<{
    seq: bigint;
    at: string;
    actor: string;
    action: AuthAction;
    target: string | null;
    ip: string | null;
    detail: string | null;
  }>(
    connection,
    `SELECT seq, ${isoTimestamp('occurred_at')} AS at, actor, action, target, ip, detail
     FROM ${schema}.auth_audit
     WHERE ${conditions.length === 0 ? 'true' : conditions.join(' AND ')}
     ORDER BY seq DESC LIMIT $limit`,
    params,
  );
  return rows.map((row) => ({
    ...row,
    seq: bigintToNumber(row.seq)!,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  }));
}
