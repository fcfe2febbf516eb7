import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { AppError } from '../errors.ts';
import { audit } from './audit.ts';
import { hashPassword } from './passwords.ts';
import { at, inAuthTransaction } from './sql.ts';
import {
  assertCredentialsAllowed,
  findUserById,
  parseRole,
  requireUser,
  type ActionMeta,
  type Role,
  type User,
} from './users.ts';

// Changes to existing users, each one transaction with its audit row.

/**
 * Refuses to leave no enabled admin: the last one can be neither demoted nor disabled, so that
 * someone can always manage users without the command line.
 */
async function assertNotLastAdmin(
  connection: DuckDBConnection,
  schema: string,
  user: User,
  change: string,
): Promise<void> {
  if (user.role !== 'admin' || user.disabled) return;
  const [row] = await queryRows<{ n: number }>(
    connection,
    `SELECT count(*)::INTEGER AS n FROM ${schema}.users
     WHERE role = 'admin' AND NOT disabled AND id <> $id`,
    { id: user.id },
  );
  if (row!.n === 0) {
    throw new AppError(
      409,
      'last_admin',
      `cannot ${change} ${user.username}: it is the only enabled admin (make another user admin first)`,
    );
  }
}

/** Marks every live session of a user revoked; returns how many. For a caller's transaction. */
export async function revokeUserSessions(
  connection: DuckDBConnection,
  schema: string,
  userId: string,
  now: Date,
): Promise<number> {
  const rows = await queryRows(
    connection,
    `UPDATE ${schema}.sessions SET revoked_at = $at::TIMESTAMP
     WHERE user_id = $id AND revoked_at IS NULL RETURNING id`,
    { id: userId, at: at(now) },
  );
  return rows.length;
}

/** Changes a user's role; their sessions and tokens carry the new role from the next request. */
export async function setRole(
  connection: DuckDBConnection,
  schema: string,
  username: string,
  role: string,
  meta: ActionMeta,
): Promise<{ user: User; previous: Role }> {
  const wanted = parseRole(role);
  const now = meta.now ?? new Date();
  const { id, previous } = await inAuthTransaction(connection, async () => {
    const user = await requireUser(connection, schema, username);
    if (user.role === wanted) return { id: user.id, previous: user.role };
    if (wanted !== 'admin') await assertNotLastAdmin(connection, schema, user, 'demote');
    await connection.run(
      `UPDATE ${schema}.users SET role = $role, updated_at = $at::TIMESTAMP WHERE id = $id`,
      { id: user.id, role: wanted, at: at(now) },
    );
    await audit(
      connection,
      schema,
      {
        actor: meta.actor,
        action: 'role_changed',
        target: user.username,
        ip: meta.ip,
        detail: { from: user.role, to: wanted },
      },
      now,
    );
    return { id: user.id, previous: user.role };
  });
  return { user: (await findUserById(connection, schema, id))!, previous };
}

/** Sets a new password and signs the user out everywhere (API tokens stay valid). */
export async function resetPassword(
  connection: DuckDBConnection,
  schema: string,
  username: string,
  password: string,
  meta: ActionMeta,
): Promise<{ user: User; sessionsRevoked: number }> {
  const user = await requireUser(connection, schema, username);
  assertCredentialsAllowed(user.username, password);
  const passwordHash = await hashPassword(password);
  const now = meta.now ?? new Date();
  const sessionsRevoked = await inAuthTransaction(connection, async () => {
    await connection.run(
      `UPDATE ${schema}.users SET password_hash = $hash, updated_at = $at::TIMESTAMP WHERE id = $id`,
      { id: user.id, hash: passwordHash, at: at(now) },
    );
    const revoked = await revokeUserSessions(connection, schema, user.id, now);
    await audit(
      connection,
      schema,
      {
        actor: meta.actor,
        action: 'password_reset',
        target: user.username,
        ip: meta.ip,
        detail: { sessionsRevoked: revoked },
      },
      now,
    );
    return revoked;
  });
  return { user: (await findUserById(connection, schema, user.id))!, sessionsRevoked };
}

export interface DisableResult {
  user: User;
  /** True when the user was disabled already: nothing changed and nothing was audited. */
  alreadyDisabled: boolean;
  sessionsRevoked: number;
  tokensRevoked: number;
}

/** Disables a user and revokes their sessions and API tokens, in one transaction. */
export async function disableUser(
  connection: DuckDBConnection,
  schema: string,
  username: string,
  meta: ActionMeta,
): Promise<DisableResult> {
  const now = meta.now ?? new Date();
  const result = await inAuthTransaction(connection, async () => {
    const user = await requireUser(connection, schema, username);
    if (user.disabled) return { id: user.id, alreadyDisabled: true, sessions: 0, tokens: 0 };
    await assertNotLastAdmin(connection, schema, user, 'disable');
    await connection.run(
      `UPDATE ${schema}.users SET disabled = true, updated_at = $at::TIMESTAMP WHERE id = $id`,
      { id: user.id, at: at(now) },
    );
    const sessions = await revokeUserSessions(connection, schema, user.id, now);
    const tokens = await queryRows(
      connection,
      `UPDATE ${schema}.api_tokens SET revoked_at = $at::TIMESTAMP
       WHERE user_id = $id AND revoked_at IS NULL RETURNING id`,
      { id: user.id, at: at(now) },
    );
    await audit(
      connection,
      schema,
      {
        actor: meta.actor,
        action: 'user_disabled',
        target: user.username,
        ip: meta.ip,
        detail: { sessionsRevoked: sessions, tokensRevoked: tokens.length },
      },
      now,
    );
    return { id: user.id, alreadyDisabled: false, sessions, tokens: tokens.length };
  });
  return {
    user: (await findUserById(connection, schema, result.id))!,
    alreadyDisabled: result.alreadyDisabled,
    sessionsRevoked: result.sessions,
    tokensRevoked: result.tokens,
  };
}
