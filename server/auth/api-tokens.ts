import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { AppError } from '../errors.ts';
import { audit } from './audit.ts';
import { isApiToken, newApiToken, sha256Hex } from './secrets.ts';
import { at, inAuthTransaction, isoTimestamp, runIgnoringConflict } from './sql.ts';
import {
  findUserById,
  toUser,
  USER_COLUMNS,
  type ActionMeta,
  type User,
  type UserRow,
} from './users.ts';

/** An API token as listed: never the token or its hash. */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  /** The token's first 8 characters, to tell tokens apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiToken {
  id: string;
  name: string;
  prefix: string;
  /** The token itself: shown once, then only its SHA-256 remains. */
  token: string;
}

const MAX_NAME_LENGTH = 100;

/** Issues an API token for an enabled user and records `token_created`. */
export async function createApiToken(
  connection: DuckDBConnection,
  schema: string,
  userId: string,
  name: string,
  meta: ActionMeta,
): Promise<CreatedApiToken> {
  const label = name.trim();
  if (label.length === 0 || label.length > MAX_NAME_LENGTH) {
    throw new AppError(
      400,
      'invalid_token_name',
      `a token name must have 1 to ${MAX_NAME_LENGTH} characters`,
    );
  }
  const now = meta.now ?? new Date();
  const token = newApiToken();
  const created = { id: randomUUID(), name: label, prefix: token.slice(0, 8), token };
  await inAuthTransaction(connection, async () => {
    const user = await findUserById(connection, schema, userId);
    if (!user) throw new AppError(404, 'unknown_user', `there is no user with id ${userId}`);
    if (user.disabled) throw new AppError(403, 'user_disabled', `${user.username} is disabled`);
    await connection.run(
      `INSERT INTO ${schema}.api_tokens
       VALUES ($id, $user, $name, $hash, $prefix, $at::TIMESTAMP, NULL, NULL)`,
      {
        id: created.id,
        user: user.id,
        name: label,
        hash: sha256Hex(token),
        prefix: created.prefix,
        at: at(now),
      },
    );
    await audit(
      connection,
      schema,
      {
        actor: meta.actor,
        action: 'token_created',
        target: user.username,
        ip: meta.ip,
        detail: { tokenId: created.id, name: label, prefix: created.prefix },
      },
      now,
    );
  });
  return created;
}

/**
 * The user of a live API token, or null when the token is unknown, revoked or its user disabled.
 * Records the use in `last_used_at`, at most once a minute.
 */
export async function resolveApiToken(
  connection: DuckDBConnection,
  schema: string,
  rawToken: string,
  now: Date = new Date(),
): Promise<User | null> {
  if (!isApiToken(rawToken)) return null;
  const hash = sha256Hex(rawToken);
  const [row] = await queryRows<UserRow & { stale: boolean }>(
    connection,
    `SELECT ${USER_COLUMNS},
       coalesce(t.last_used_at <= $now::TIMESTAMP - INTERVAL 1 MINUTE, true) AS stale
     FROM ${schema}.api_tokens t JOIN ${schema}.users u ON u.id = t.user_id
     WHERE t.token_hash = $hash AND t.revoked_at IS NULL AND NOT u.disabled`,
    { hash, now: at(now) },
  );
  if (!row) return null;
  if (row.stale) {
    await runIgnoringConflict(
      connection,
      `UPDATE ${schema}.api_tokens SET last_used_at = $now::TIMESTAMP WHERE token_hash = $hash`,
      { hash, now: at(now) },
    );
  }
  return toUser(row);
}

/**
 * Revokes an API token and records `token_revoked`; false when no live token has this id (or,
 * given `userId`, none of that user's). `userId` lets a user revoke only their own tokens.
 */
export async function revokeApiToken(
  connection: DuckDBConnection,
  schema: string,
  tokenId: string,
  meta: ActionMeta & { userId?: string },
): Promise<boolean> {
  const now = meta.now ?? new Date();
  return inAuthTransaction(connection, async () => {
    const [row] = await queryRows<{ username: string; name: string; prefix: string }>(
      connection,
      `SELECT u.username, t.name, t.prefix
       FROM ${schema}.api_tokens t JOIN ${schema}.users u ON u.id = t.user_id
       WHERE t.id = $id AND t.revoked_at IS NULL AND ($user::VARCHAR IS NULL OR t.user_id = $user::VARCHAR)`,
      { id: tokenId, user: meta.userId ?? null },
    );
    if (!row) return false;
    await connection.run(
      `UPDATE ${schema}.api_tokens SET revoked_at = $now::TIMESTAMP WHERE id = $id`,
      { id: tokenId, now: at(now) },
    );
    await audit(
      connection,
      schema,
      {
        actor: meta.actor,
        action: 'token_revoked',
        target: row.username,
        ip: meta.ip,
        detail: { tokenId, name: row.name, prefix: row.prefix },
      },
      now,
    );
    return true;
  });
}

/** A user's API tokens, newest first, revoked ones included. */
export async function listApiTokens(
  connection: DuckDBConnection,
  schema: string,
  userId: string,
): Promise<ApiToken[]> {
  const rows = await queryRows<{
    id: string;
    user_id: string;
    name: string;
    prefix: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  }>(
    connection,
    `SELECT id, user_id, name, prefix, ${isoTimestamp('created_at')} AS created_at,
       ${isoTimestamp('last_used_at')} AS last_used_at, ${isoTimestamp('revoked_at')} AS revoked_at
     FROM ${schema}.api_tokens WHERE user_id = $user ORDER BY created_at DESC, id`,
    { user: userId },
  );
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}
