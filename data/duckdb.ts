import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Opens an embedded DuckDB database, in memory unless a file path is given, with its time zone
 * pinned to UTC so that dates never shift with the host's zone. (TimeZone cannot be passed at
 * creation: ICU is only loaded once the instance exists.)
 */
export async function openDatabase(path = ':memory:', options: Record<string, string> = {}) {
  const db = await DuckDBInstance.create(path, options);
  const connection = await db.connect();
  try {
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    connection.closeSync();
  }
  return db;
}

/**
 * Runs `fn` on a connection of its own and closes it afterwards. A DuckDB connection runs one
 * query at a time, so concurrent work must never share one.
 */
export async function withConnection<T>(
  db: DuckDBInstance,
  fn: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const connection = await db.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
  }
}

/** Quotes a string as a SQL string literal; for paths in read_parquet(), which cannot be bound. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes an identifier. Identifiers must still come from the catalog or an allow list. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Converts a BIGINT that DuckDB returns as `bigint` into a JS number, refusing values that a
 * double cannot hold exactly rather than rounding them silently.
 */
export function bigintToNumber(value: bigint | number | null): number | null {
  if (value === null || typeof value === 'number') return value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`integer ${value} is outside the range a JavaScript number holds exactly`);
  }
  return Number(value);
}

/** Runs a query with bound parameters and returns plain row objects (BIGINT stays `bigint`). */
export async function queryRows<T = Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, unknown> | unknown[],
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJS() as T[];
}
