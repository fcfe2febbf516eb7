import type { DuckDBConnection } from '@duckdb/node-api';

/** Timestamps leave the database as ISO 8601 UTC strings at second precision. */
export const isoTimestamp = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;

/** Runs `work` in a transaction on `connection`: committed if it resolves, else rolled back. */
export async function inTransaction<T>(
  connection: DuckDBConnection,
  work: () => Promise<T>,
): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    // A failed COMMIT has already ended the transaction; then ROLLBACK fails and is moot.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
