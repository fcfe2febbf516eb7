import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';

/**
 * CSRF tokens for requests a browser authenticates on its own (the session cookie, or a trusted
 * proxy's sign-in). A token is HMAC-SHA256 over the session token (or the proxy user's name)
 * with a secret kept in the state database, so it needs no storage per session, survives a
 * restart, and cannot be computed by a page on another site that cannot read the cookie.
 */
export const CSRF_HEADER = 'x-vitals-csrf';

/** The CSRF secret, created on first use; kept in `auth_secrets` beside the sign-in tables. */
export async function ensureCsrfSecret(
  connection: DuckDBConnection,
  schema: string,
): Promise<Buffer> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.auth_secrets (
    name VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
  )`);
  await connection.run(
    `INSERT INTO ${schema}.auth_secrets VALUES ('csrf', $value) ON CONFLICT DO NOTHING`,
    { value: randomBytes(32).toString('base64') },
  );
  const [row] = await queryRows<{ value: string }>(
    connection,
    `SELECT value FROM ${schema}.auth_secrets WHERE name = 'csrf'`,
  );
  return Buffer.from(row!.value, 'base64');
}

/** What a CSRF token is bound to: one session, or one user signed in by the proxy. */
export type CsrfSubject = { session: string } | { proxyUser: string };

export function csrfToken(secret: Buffer, subject: CsrfSubject): string {
  const message =
    'session' in subject ? `session:${subject.session}` : `proxy:${subject.proxyUser}`;
  return createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
}

/** Whether `given` is the subject's token; compared in constant time. */
export function csrfMatches(secret: Buffer, subject: CsrfSubject, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfToken(secret, subject));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
