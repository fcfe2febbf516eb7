import type { DuckDBConnection } from '@duckdb/node-api';
import { tableSpec, type TableName } from '../../data/contract.ts';
import { openDatabase, sqlString } from '../../data/duckdb.ts';

export type Value = string | number | null;
export type Row = Record<string, Value>;
export type Rows = Partial<Record<TableName, Row[]>>;

/** Columns a test may leave out; anything else left out is NULL. */
const DEFAULTS: Partial<Record<TableName, Row>> = {
  accounts: {
    name: 'Account',
    plan: 'Growth',
    region: 'NA',
    industry: 'Software',
    arr: 10_000,
    renewal_date: '2030-01-01',
    owner: 'Owner',
  },
  outcomes: { arr_delta: 0 },
};

let ids = 0;
/** Ids for rows whose table keys on one (tickets, invoices) when the test does not care. */
const ID_COLUMNS: Partial<Record<TableName, string>> = {
  support_tickets: 'ticket_id',
  invoices: 'invoice_id',
};

function literal(value: Value, type: string): string {
  if (value === null) return `CAST(NULL AS ${type})`;
  return `CAST(${typeof value === 'number' ? String(value) : sqlString(value)} AS ${type})`;
}

/**
 * Creates tables with the contract's canonical column types (as data/ gives lab/ its views).
 * Every table named in `rows` is created, empty if its list is empty. Returns the table names.
 */
export async function createTables(connection: DuckDBConnection, rows: Rows): Promise<TableName[]> {
  const names = Object.keys(rows) as TableName[];
  for (const name of names) {
    const columns = tableSpec(name)
      .columns.map((column) => `"${column.name}" ${column.duckdbType}`)
      .join(', ');
    await connection.run(`CREATE OR REPLACE TABLE ${name} (${columns})`);
  }
  await appendRows(connection, rows);
  return names;
}

/** Inserts rows into tables made by createTables. */
export async function appendRows(connection: DuckDBConnection, rows: Rows): Promise<void> {
  for (const [name, list] of Object.entries(rows) as [TableName, Row[]][]) {
    if (list.length === 0) continue;
    const spec = tableSpec(name);
    const idColumn = ID_COLUMNS[name];
    const values = list.map((row) => {
      const full: Row = { ...DEFAULTS[name], ...row };
      if (idColumn && full[idColumn] === undefined) full[idColumn] = `id-${++ids}`;
      for (const key of Object.keys(full)) {
        if (!spec.columns.some((column) => column.name === key)) {
          throw new Error(`test row for ${name} has unknown column ${key}`);
        }
      }
      return `(${spec.columns.map((column) => literal(full[column.name] ?? null, column.duckdbType)).join(', ')})`;
    });
    await connection.run(`INSERT INTO ${name} VALUES ${values.join(',\n')}`);
  }
}

/** A fresh in-memory database (UTC, as the server opens it) with one connection. */
export async function openLabDatabase(): Promise<{
  connection: DuckDBConnection;
  close: () => void;
}> {
  const instance = await openDatabase();
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `fn` on a fresh database made of `rows`; `tables` lists the tables created. */
export async function withTables<T>(
  rows: Rows,
  fn: (connection: DuckDBConnection, tables: TableName[]) => Promise<T>,
): Promise<T> {
  const { connection, close } = await openLabDatabase();
  try {
    const tables = await createTables(connection, rows);
    return await fn(connection, tables);
  } finally {
    close();
  }
}

/** An account whose metrics are given directly, as custom signals read with signal:<name>:latest. */
export interface SignalAccount {
  account: string;
  segment?: string;
  start?: string;
  /** Signal values, dated `date`; null or absent: no row (the metric is missing). */
  values: Record<string, number | null>;
}

/** Accounts and signal rows for tests that need metrics with exactly given values. */
export function signalRows(accounts: SignalAccount[], date = '2024-03-31'): Rows {
  return {
    accounts: accounts.map(({ account, segment = 'SMB', start = '2024-01-01' }) => ({
      account_id: account,
      segment,
      start_date: start,
    })),
    outcomes: [],
    signals: accounts.flatMap(({ account, values }) =>
      Object.entries(values).flatMap(([signal, value]) =>
        value === null ? [] : [{ account_id: account, date, signal, value }],
      ),
    ),
  };
}
