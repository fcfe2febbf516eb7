import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../../lab/registry/sql.ts';

export { isoTimestamp } from '../../lab/registry/sql.ts';

/**
 * Whether a DuckDB error is a write-write conflict: two transactions on different connections
 * changed the same row, and the later one lost. Retrying it on fresh data is safe.
 */
export function isWriteConflict(error: unknown): boolean {
  return error instanceof Error && /conflict on (update|tuple deletion)/i.test(error.message);
}

/**
 * Runs `work` in a transaction, retried from the start (up to `attempts` times) when it loses a
 * write conflict, for example two sign-ins of one user updating `last_login_at` at once.
 */
export async function inAuthTransaction<T>(
  connection: DuckDBConnection,
  work: () => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(connection, work);
    } catch (error) {
      if (attempt >= attempts || !isWriteConflict(error)) throw error;
    }
  }
}

/** A time as a bound parameter: ISO 8601 UTC, cast with `::TIMESTAMP` in the SQL. */
export const at = (time: Date) => time.toISOString();

/**
 * Runs a single best-effort write, such as recording when a session was last seen: losing a
 * write conflict to a concurrent request doing the same is harmless, so it is not an error.
 */
export async function runIgnoringConflict(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, unknown>,
): Promise<void> {
  try {
    await connection.run(sql, params as never);
  } catch (error) {
    if (!isWriteConflict(error)) throw error;
  }
}
