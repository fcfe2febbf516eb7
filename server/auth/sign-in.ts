import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { audit } from './audit.ts';
import { dummyVerify, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { at, inAuthTransaction } from './sql.ts';
import { findUserById, usernameKey, usernameProblem, type User } from './users.ts';

export interface SignInMeta {
  ip?: string | null;
  now?: Date;
}

/**
 * Checks a username and password and returns the user, or null. An unknown user, a wrong
 * password and a disabled user all cost one scrypt verification (`dummyVerify` for the unknown),
 * so the time taken does not tell which it was; the reason goes only to the audit log. A success
 * records `last_login_at` and re-hashes a password stored with older parameters.
 */
export async function authenticate(
  connection: DuckDBConnection,
  schema: string,
  username: string,
  password: string,
  meta: SignInMeta = {},
): Promise<User | null> {
  const now = meta.now ?? new Date();
  const wellFormed = usernameProblem(username) === null;
  const [row] = wellFormed
    ? await queryRows<{ id: string; username: string; password_hash: string; disabled: boolean }>(
        connection,
        `SELECT id, username, password_hash, disabled FROM ${schema}.users WHERE username_key = $key`,
        { key: usernameKey(username) },
      )
    : [];
  const matches = row
    ? await verifyPassword(password, row.password_hash)
    : await dummyVerify(password);
  if (!row || !matches || row.disabled) {
    await audit(
      connection,
      schema,
      {
        // A malformed name may be a password typed in the wrong field: it is not recorded.
        actor: wellFormed ? username : '?',
        action: 'sign_in_failed',
        target: row?.username ?? null,
        ip: meta.ip,
        detail: { reason: !row ? 'unknown_user' : !matches ? 'wrong_password' : 'disabled' },
      },
      now,
    );
    return null;
  }
  const rehashed = needsRehash(row.password_hash) ? await hashPassword(password) : null;
  await inAuthTransaction(connection, async () => {
    // The re-hash applies only if the password was not reset meanwhile.
    await connection.run(
      `UPDATE ${schema}.users SET last_login_at = $at::TIMESTAMP,
         password_hash = CASE WHEN password_hash = $old THEN coalesce($new::VARCHAR, password_hash)
           ELSE password_hash END
       WHERE id = $id`,
      { id: row.id, at: at(now), old: row.password_hash, new: rehashed },
    );
    await audit(
      connection,
      schema,
      {
        actor: row.username,
        action: 'sign_in',
        target: row.username,
        ip: meta.ip,
        detail: rehashed === null ? null : { rehashed: true },
      },
      now,
    );
  });
  return findUserById(connection, schema, row.id);
}
