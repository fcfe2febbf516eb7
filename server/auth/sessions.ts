import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { AppError } from '../errors.ts';
import { audit } from './audit.ts';
import { isSessionToken, newSessionToken, sha256Hex } from './secrets.ts';
import { at, inAuthTransaction, runIgnoringConflict } from './sql.ts';
import { findUserById, toUser, USER_COLUMNS, type User, type UserRow } from './users.ts';

export const SESSION_DEFAULTS = { ttlHours: 12, idleMinutes: 60 } as const;

export interface SessionOptions {
  /** Absolute lifetime from creation (default 12). */
  ttlHours?: number;
  /** The session ends after this long without a request (default 60). */
  idleMinutes?: number;
  now?: Date;
}

/**
 * Starts a session for an enabled user and returns its token: the only time the token exists,
 * since the database keeps only its SHA-256 (as the session id).
 */
export async function createSession(
  connection: DuckDBConnection,
  schema: string,
  userId: string,
  options: SessionOptions = {},
): Promise<string> {
  const ttlHours = options.ttlHours ?? SESSION_DEFAULTS.ttlHours;
  const idleMinutes = options.idleMinutes ?? SESSION_DEFAULTS.idleMinutes;
  if (!(ttlHours > 0) || !Number.isInteger(idleMinutes) || idleMinutes <= 0) {
    throw new RangeError('ttlHours must be above 0 and idleMinutes a whole number above 0');
  }
  const user = await findUserById(connection, schema, userId);
  if (!user) throw new AppError(404, 'unknown_user', `there is no user with id ${userId}`);
  if (user.disabled) throw new AppError(403, 'user_disabled', `${user.username} is disabled`);
  const now = options.now ?? new Date();
  const token = newSessionToken();
  await connection.run(
    `INSERT INTO ${schema}.sessions
     VALUES ($id, $user, $at::TIMESTAMP, $at::TIMESTAMP, $expires::TIMESTAMP, $idle, NULL)`,
    {
      id: sha256Hex(token),
      user: user.id,
      at: at(now),
      expires: at(new Date(now.getTime() + ttlHours * 3_600_000)),
      idle: idleMinutes,
    },
  );
  return token;
}

/**
 * The user of a live session, or null when the token is unknown, revoked, past its absolute
 * expiry or idle too long, or its user is disabled. Records the use in `last_seen_at`, at most
 * once a minute so that a busy page does not write on every request.
 */
export async function resolveSession(
  connection: DuckDBConnection,
  schema: string,
  rawToken: string,
  now: Date = new Date(),
): Promise<User | null> {
  if (!isSessionToken(rawToken)) return null;
  const id = sha256Hex(rawToken);
  const [row] = await queryRows<UserRow & { stale: boolean }>(
    connection,
    `SELECT ${USER_COLUMNS}, s.last_seen_at <= $now::TIMESTAMP - INTERVAL 1 MINUTE AS stale
     FROM ${schema}.sessions s JOIN ${schema}.users u ON u.id = s.user_id
     WHERE s.id = $id AND s.revoked_at IS NULL AND NOT u.disabled
       AND s.expires_at > $now::TIMESTAMP
       AND s.last_seen_at + to_minutes(s.idle_minutes) > $now::TIMESTAMP`,
    { id, now: at(now) },
  );
  if (!row) return null;
  if (row.stale) {
    await runIgnoringConflict(
      connection,
      `UPDATE ${schema}.sessions SET last_seen_at = $now::TIMESTAMP
       WHERE id = $id AND last_seen_at < $now::TIMESTAMP`,
      { id, now: at(now) },
    );
  }
  return toUser(row);
}

/** Ends a session (signing out) and records `sign_out`; false when it was not live. */
export async function revokeSession(
  connection: DuckDBConnection,
  schema: string,
  rawToken: string,
  meta: { ip?: string | null; now?: Date } = {},
): Promise<boolean> {
  if (!isSessionToken(rawToken)) return false;
  const now = meta.now ?? new Date();
  return inAuthTransaction(connection, async () => {
    const [row] = await queryRows<{ user_id: string }>(
      connection,
      `UPDATE ${schema}.sessions SET revoked_at = $now::TIMESTAMP
       WHERE id = $id AND revoked_at IS NULL RETURNING user_id`,
      { id: sha256Hex(rawToken), now: at(now) },
    );
    if (!row) return false;
    const user = await findUserById(connection, schema, row.user_id);
    const username = user?.username ?? row.user_id;
    await audit(
      connection,
      schema,
      { actor: username, action: 'sign_out', target: username, ip: meta.ip },
      now,
    );
    return true;
  });
}
