/**
 * Tiny Parquet fixtures for tests: tables written by DuckDB `COPY (SELECT ...) TO ...` into
 * temporary folders, and a small valid data set for every table of the contract.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { TABLE_NAMES, tableSpec, type TableName } from '../../data/contract.ts';
import { openDatabase, sqlIdentifier, sqlString, withConnection } from '../../data/duckdb.ts';

/** A fresh temporary folder and the function that removes it. */
export async function tempDir(
  prefix = 'vitals-data-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type Row = Record<string, string | number | boolean | null>;

export interface WriteOptions {
  /** DuckDB types for columns of `rows`; contract columns default to their canonical type. */
  types?: Record<string, string>;
  /** Write a hive-partitioned folder instead of one file, partitioned by these columns. */
  partitionBy?: readonly string[];
}

/**
 * Writes `name` (a path under `dir` without `.parquet`: `accounts`, `usage_daily/part-1`) as
 * Parquet from a SELECT statement or from rows, and returns the path written. Rows are typed by
 * `options.types`, else by the contract when `name` starts with a contract table, else inferred.
 */
export async function writeTable(
  dir: string,
  name: string,
  rowsOrSql: string | readonly Row[],
  options: WriteOptions = {},
): Promise<string> {
  const table = name.split('/')[0] ?? name;
  const select =
    typeof rowsOrSql === 'string' ? rowsOrSql : rowsSelect(table, rowsOrSql, options.types);
  const partitioned = options.partitionBy && options.partitionBy.length > 0;
  const target = path.join(dir, partitioned ? name : `${name}.parquet`);
  await mkdir(path.dirname(target), { recursive: true });
  const format = partitioned
    ? `FORMAT parquet, PARTITION_BY (${options.partitionBy?.map(sqlIdentifier).join(', ')})`
    : 'FORMAT parquet';
  await withDatabase((db) =>
    withConnection(db, (connection) =>
      connection.run(`COPY (${select}) TO ${sqlString(target)} (${format})`),
    ),
  );
  return target;
}

async function withDatabase<T>(fn: (db: DuckDBInstance) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await fn(db);
  } finally {
    db.closeSync();
  }
}

function rowsSelect(table: string, rows: readonly Row[], types: Record<string, string> = {}) {
  const contract = (TABLE_NAMES as readonly string[]).includes(table)
    ? tableSpec(table as TableName).columns
    : [];
  const columns = rows[0] ? Object.keys(rows[0]) : contract.map((column) => column.name);
  const typeOf = (column: string) =>
    types[column] ?? contract.find((spec) => spec.name === column)?.duckdbType;
  const typed = columns.map((column, i) => {
    const type = typeOf(column);
    const value = `column${i}`;
    return `${type ? `CAST(${value} AS ${type})` : value} AS ${sqlIdentifier(column)}`;
  });
  if (rows.length === 0) {
    const nulls = columns.map((_, i) => `NULL AS column${i}`).join(', ');
    return `SELECT ${typed.join(', ')} FROM (SELECT ${nulls}) WHERE false`;
  }
  // VALUES keeps the rows in order, so tests know where each row lands in the file.
  const values = rows.map(
    (row) => `(${columns.map((column) => literal(row[column] ?? null)).join(', ')})`,
  );
  const names = columns.map((_, i) => `column${i}`).join(', ');
  return `SELECT ${typed.join(', ')} FROM (VALUES ${values.join(', ')}) AS v(${names})`;
}

function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  return String(value);
}

/** Cuts a file to a fraction of its size, as an interrupted copy would leave it. */
export async function truncateFile(file: string, keep = 0.5): Promise<void> {
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * keep)));
}

/** The `today` the good data set is checked against: after every date in it. */
export const GOOD_TODAY = '2025-01-01';

/** Sizes of the good data set, so that tests can compute what to expect on their own. */
export const GOOD = {
  accounts: 20,
  /** Accounts with an outcome: the first five. */
  outcomes: 5,
  usageDays: 30,
  ticketsPerAccount: 2,
  engagementKinds: 4,
  signalDays: 3,
  milestonesPerAccount: 2,
  firstUsageDay: '2024-06-01',
  lastUsageDay: '2024-06-30',
} as const;

const ids = `SELECT i, 'A' || lpad(CAST(i AS VARCHAR), 3, '0') AS account_id FROM range(1, ${GOOD.accounts + 1}) r(i)`;

/**
 * The SELECT that writes each table of the good data set, in a fixed row order. Every table
 * carries an extra column, which the views must ignore. Tests build defective variants from these.
 */
export const GOOD_SQL: Record<TableName, string> = {
  accounts: `SELECT account_id, 'Account ' || i AS name,
      ['SMB', 'Mid-Market', 'Enterprise'][1 + i % 3] AS segment, 'plan-' || (i % 2) AS plan,
      'EMEA' AS region, 'Software' AS industry, CAST(1000 * i AS DOUBLE) AS arr,
      DATE '2023-01-01' + CAST(i AS INTEGER) AS start_date,
      DATE '2026-01-01' + CAST(i AS INTEGER) AS renewal_date, 'owner-' || (i % 4) AS owner,
      'extra ' || i AS notes
    FROM (${ids}) ORDER BY i`,
  outcomes: `SELECT account_id, DATE '2024-06-10' + CAST(i AS INTEGER) AS event_date,
      ['churned', 'renewed', 'expanded', 'contracted'][1 + i % 4] AS event,
      CAST(100 * i AS DOUBLE) AS arr_delta, i AS extra
    FROM (${ids}) WHERE i <= ${GOOD.outcomes} ORDER BY i`,
  usage_daily: `SELECT account_id, DATE '${GOOD.firstUsageDay}' + CAST(d AS INTEGER) AS date,
      CAST(10 AS BIGINT) AS seats, CAST((i + d) % 10 AS BIGINT) AS active_users,
      CAST(i + d AS BIGINT) AS logins, CAST(3 * d AS BIGINT) AS feature_events,
      CAST(d % 5 AS BIGINT) AS features_used, 'x' AS extra
    FROM (${ids}), range(${GOOD.usageDays}) days(d) ORDER BY i, d`,
  support_tickets: `SELECT 'T' || lpad(CAST(i * 10 + n AS VARCHAR), 4, '0') AS ticket_id, account_id,
      TIMESTAMP '2024-06-01 09:00:00' + INTERVAL (i * 24 + n) HOUR AS opened_at,
      CASE WHEN n = 0 THEN TIMESTAMP '2024-06-01 09:00:00' + INTERVAL (i * 24 + n + 5) HOUR END AS closed_at,
      ['low', 'normal', 'high', 'urgent'][1 + (i + n) % 4] AS priority,
      CASE WHEN n = 0 THEN CAST(1 + i % 5 AS BIGINT) END AS csat, 0 AS extra
    FROM (${ids}), range(${GOOD.ticketsPerAccount}) tickets(n) ORDER BY i, n`,
  engagement: `SELECT account_id, DATE '2024-06-15' AS date, kind, CAST(i AS BIGINT) AS count, 1 AS extra
    FROM (${ids}), (SELECT unnest(['email_open', 'event', 'community', 'meeting']) AS kind)
    ORDER BY i, kind`,
  invoices: `SELECT 'INV' || i AS invoice_id, account_id, DATE '2024-05-01' AS issued_on,
      DATE '2024-05-31' AS due_on, CASE WHEN i % 2 = 0 THEN DATE '2024-05-20' END AS paid_on,
      CAST(500 * i AS DOUBLE) AS amount, 'EUR' AS currency
    FROM (${ids}) ORDER BY i`,
  surveys: `SELECT account_id, DATE '2024-06-20' AS date, kind,
      CAST(CASE WHEN kind = 'nps' THEN i % 11 ELSE 1 + i % 5 END AS DOUBLE) AS score, 1 AS extra
    FROM (${ids}), (SELECT unnest(['nps', 'csat']) AS kind) ORDER BY i, kind`,
  milestones: `SELECT account_id, 'milestone-' || m AS milestone,
      DATE '2023-03-01' + CAST(i + m AS INTEGER) AS achieved_on, 1 AS extra
    FROM (${ids}), range(${GOOD.milestonesPerAccount}) ms(m) ORDER BY i, m`,
  signals: `SELECT account_id, DATE '2024-06-01' + CAST(d AS INTEGER) AS date, 'nps_proxy' AS signal,
      CAST(i * d AS DOUBLE) AS value, 1 AS extra
    FROM (${ids}), range(${GOOD.signalDays}) days(d) ORDER BY i, d`,
};

/** Rows per table of the good data set, computed from its sizes rather than read back. */
export const GOOD_ROWS: Record<TableName, number> = {
  accounts: GOOD.accounts,
  outcomes: GOOD.outcomes,
  usage_daily: GOOD.accounts * GOOD.usageDays,
  support_tickets: GOOD.accounts * GOOD.ticketsPerAccount,
  engagement: GOOD.accounts * GOOD.engagementKinds,
  invoices: GOOD.accounts,
  surveys: GOOD.accounts * 2,
  milestones: GOOD.accounts * GOOD.milestonesPerAccount,
  signals: GOOD.accounts * GOOD.signalDays,
};

export type GoodLayout = 'file' | 'folder' | 'hive';

export interface GoodDatasetOptions {
  /** How each table is laid out: one file (default), a folder of two files, or hive partitions. */
  layout?: Partial<Record<TableName, GoodLayout>>;
  /** Tables to leave out. */
  omit?: readonly TableName[];
}

/**
 * Writes the good data set into `dir`: every table valid against the contract when checked on
 * `GOOD_TODAY`. A `folder` table is split by row parity into `T/part-0.parquet` and
 * `T/part-1.parquet`; a `hive` table is partitioned by an extra `bucket` column (`T/bucket=0/...`).
 */
export async function goodDataset(dir: string, options: GoodDatasetOptions = {}): Promise<void> {
  for (const table of TABLE_NAMES) {
    if (options.omit?.includes(table)) continue;
    const layout = options.layout?.[table] ?? 'file';
    const numbered = `SELECT *, row_number() OVER () % 2 AS bucket FROM (${GOOD_SQL[table]})`;
    if (layout === 'file') await writeTable(dir, table, GOOD_SQL[table]);
    if (layout === 'hive') await writeTable(dir, table, numbered, { partitionBy: ['bucket'] });
    if (layout === 'folder') {
      for (const part of [0, 1]) {
        const select = `SELECT * EXCLUDE (bucket) FROM (${numbered}) WHERE bucket = ${part}`;
        await writeTable(dir, `${table}/part-${part}`, select);
      }
    }
  }
}
