import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT } from '../../data/contract.ts';
import {
  createViews,
  discoverTables,
  inspectTables,
  typedSelect,
  type InspectedTable,
} from '../../data/dataset.ts';
import { openDatabase } from '../../data/duckdb.ts';
import { GOOD, GOOD_ROWS, GOOD_SQL, goodDataset, tempDir, writeTable } from '../helpers/parquet.ts';

let db: DuckDBInstance;
let connection: DuckDBConnection;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  db = await openDatabase();
});
afterAll(() => db.closeSync());
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  connection = await db.connect();
});
afterEach(async () => {
  // Views live in the shared in-memory database: drop them so tests stay independent.
  for (const table of CONTRACT) await connection.run(`DROP VIEW IF EXISTS ${table.name}`);
  connection.closeSync();
  await cleanup();
});

async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
}

async function viewColumns(view: string): Promise<[string, string][]> {
  const described = await rows<{ column_name: string; column_type: string }>(`DESCRIBE ${view}`);
  return described.map((row) => [row.column_name, row.column_type]);
}

async function views(): Promise<string[]> {
  const found = await rows<{ view_name: string }>(
    'SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name',
  );
  return found.map((row) => row.view_name);
}

describe('discoverTables', () => {
  it('finds single files, folders and hive-partitioned folders, and ignores everything else', async () => {
    await goodDataset(dir, { layout: { usage_daily: 'hive', support_tickets: 'folder' } });
    await mkdir(path.join(dir, '_truth'));
    await writeTable(dir, '_truth/health_weekly', 'SELECT 1 AS x');
    await writeFile(path.join(dir, 'README.md'), '# data\n');
    await writeFile(path.join(dir, 'support_tickets', '_SUCCESS'), '');
    await writeFile(path.join(dir, 'support_tickets', '.part-0.parquet.crc'), 'crc');
    // Spark's unfinished output: ignored, as are other `_` and `.` entries inside table folders.
    await mkdir(path.join(dir, 'support_tickets', '_temporary', '0'), { recursive: true });
    await writeFile(path.join(dir, 'support_tickets', '_temporary', '0', 'part-9.parquet'), 'x');
    await writeFile(path.join(dir, 'support_tickets', '.hidden.parquet'), 'x');

    const found = new Map((await discoverTables(dir)).map((table) => [table.name, table]));

    expect([...found.keys()]).toEqual(CONTRACT.map((table) => table.name));
    expect(found.get('accounts')).toMatchObject({
      layout: 'file',
      files: ['accounts.parquet'],
      hive: false,
    });
    expect(found.get('support_tickets')).toMatchObject({
      layout: 'folder',
      files: ['support_tickets/part-0.parquet', 'support_tickets/part-1.parquet'],
      hive: false,
    });
    expect(found.get('usage_daily')).toMatchObject({
      layout: 'folder',
      files: ['usage_daily/bucket=0/data_0.parquet', 'usage_daily/bucket=1/data_0.parquet'],
      hive: true,
    });
    expect(found.get('usage_daily')?.source).toContain('hive_partitioning = true');
    expect(found.get('accounts')?.source).toContain('hive_partitioning = false');
    expect(found.get('accounts')?.source).toContain(path.join(dir, 'accounts.parquet'));
  });

  it('reports a table missing when it has no file, or only an empty folder', async () => {
    await goodDataset(dir, { omit: ['signals', 'milestones'] });
    await mkdir(path.join(dir, 'milestones'));
    const found = new Map((await discoverTables(dir)).map((table) => [table.name, table]));
    expect(found.get('signals')).toMatchObject({ layout: 'missing', files: [], source: null });
    expect(found.get('milestones')).toMatchObject({ layout: 'missing', files: [], source: null });
  });

  it('calls a table ambiguous when both T.parquet and T/ exist', async () => {
    await goodDataset(dir, { layout: { invoices: 'folder' } });
    await writeTable(dir, 'invoices', GOOD_SQL.invoices);
    const invoices = (await discoverTables(dir)).find((table) => table.name === 'invoices');
    expect(invoices).toMatchObject({
      layout: 'ambiguous',
      conflicting: ['invoices.parquet', 'invoices/'],
      source: null,
    });
  });

  it('accepts a folder named T.parquet, as Spark writes it', async () => {
    await writeTable(dir, 'accounts.parquet/part-00000', GOOD_SQL.accounts);
    const accounts = (await discoverTables(dir)).find((table) => table.name === 'accounts');
    expect(accounts).toMatchObject({
      layout: 'folder',
      files: ['accounts.parquet/part-00000.parquet'],
    });
  });

  it('does not turn hive partitioning on for a folder that mixes partitioned and plain files', async () => {
    await writeTable(dir, 'signals/part-0', GOOD_SQL.signals);
    await writeTable(dir, 'signals/year=2024/part-1', GOOD_SQL.signals);
    const signals = (await discoverTables(dir)).find((table) => table.name === 'signals');
    expect(signals?.files).toEqual(['signals/part-0.parquet', 'signals/year=2024/part-1.parquet']);
    expect(signals?.hive).toBe(false);
  });

  it('finds no tables in a DATA_DIR that does not exist yet', async () => {
    const tables = await discoverTables(path.join(dir, 'not-yet'));
    expect(tables.map((table) => table.layout)).toEqual(CONTRACT.map(() => 'missing'));
  });

  it('fails clearly when DATA_DIR cannot be read as a folder', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(discoverTables(file)).rejects.toThrow(`DATA_DIR ${file} cannot be read`);
  });
});

describe('createViews', () => {
  it('creates one view per table with exactly the contract columns in their canonical types', async () => {
    await goodDataset(dir, { layout: { usage_daily: 'hive', support_tickets: 'folder' } });

    const result = await createViews(connection, dir);

    expect(result.problems).toEqual([]);
    expect(result.views.map((view) => view.table)).toEqual(CONTRACT.map((table) => table.name));
    expect(await views()).toEqual(CONTRACT.map((table) => table.name).sort());
    for (const table of CONTRACT) {
      // Every good table carries an extra column; none of them reaches a view.
      expect(await viewColumns(table.name)).toEqual(
        table.columns.map((column) => [column.name, column.duckdbType]),
      );
    }
  });

  it('reads every row of single files, folders and hive-partitioned folders', async () => {
    await goodDataset(dir, { layout: { usage_daily: 'hive', support_tickets: 'folder' } });
    await createViews(connection, dir);
    for (const table of CONTRACT) {
      const [counted] = await rows<{ n: bigint }>(`SELECT count(*) AS n FROM ${table.name}`);
      expect(counted?.n).toBe(BigInt(GOOD_ROWS[table.name]));
    }
    const [range] = await rows<{ first: string; last: string; accounts: bigint }>(
      `SELECT CAST(min(date) AS VARCHAR) AS first, CAST(max(date) AS VARCHAR) AS last,
        count(DISTINCT account_id) AS accounts FROM usage_daily`,
    );
    expect(range).toEqual({
      first: GOOD.firstUsageDay,
      last: GOOD.lastUsageDay,
      accounts: BigInt(GOOD.accounts),
    });
  });

  it('reads a contract column that lives only in hive partition folders', async () => {
    await writeTable(
      dir,
      'signals',
      `SELECT * EXCLUDE (extra) FROM (${GOOD_SQL.signals}) WHERE account_id <= 'A002'`,
      { partitionBy: ['date'] },
    );
    const [table] = await discoverTables(dir).then((all) =>
      all.filter((entry) => entry.name === 'signals'),
    );
    expect(table?.hive).toBe(true);
    expect(table?.files[0]).toMatch(/^signals\/date=2024-06-0\d\/data_0\.parquet$/);

    const result = await createViews(connection, dir);

    expect(result.views.map((view) => view.table)).toContain('signals');
    expect(await viewColumns('signals')).toEqual([
      ['account_id', 'VARCHAR'],
      ['date', 'DATE'],
      ['signal', 'VARCHAR'],
      ['value', 'DOUBLE'],
    ]);
    const read = await rows<{ n: bigint; days: bigint }>(
      'SELECT count(*) AS n, count(DISTINCT date) AS days FROM signals',
    );
    expect(read).toEqual([{ n: BigInt(2 * GOOD.signalDays), days: BigInt(GOOD.signalDays) }]);
  });

  it('casts every accepted type of a family to the canonical one', async () => {
    await writeTable(
      dir,
      'accounts',
      [
        {
          account_id: 7,
          name: 'Seven',
          segment: 'SMB',
          plan: 'p',
          region: 'EMEA',
          industry: 'Retail',
          arr: '1234.50',
          start_date: '2024-03-01 23:30:00-02',
          renewal_date: '2025-03-01 10:00:00',
          owner: 'o',
        },
      ],
      {
        types: {
          account_id: 'INTEGER',
          arr: 'DECIMAL(10,2)',
          start_date: 'TIMESTAMPTZ',
          renewal_date: 'TIMESTAMP',
        },
      },
    );
    await writeTable(
      dir,
      'support_tickets',
      [
        {
          ticket_id: 1,
          account_id: 7,
          opened_at: '2024-05-01',
          closed_at: null,
          priority: 'low',
          csat: 4,
        },
      ],
      {
        types: { ticket_id: 'UBIGINT', account_id: 'SMALLINT', opened_at: 'DATE', csat: 'TINYINT' },
      },
    );

    // A session far from UTC: 23:30 at UTC-2 would otherwise still be 2 March here.
    await connection.run("SET SESSION TimeZone = 'America/Los_Angeles'");
    const result = await createViews(connection, dir);

    expect(result.views.map((view) => view.table)).toEqual(['accounts', 'support_tickets']);
    const [account] = await rows(
      'SELECT account_id, arr, CAST(start_date AS VARCHAR) AS start_date, CAST(renewal_date AS VARCHAR) AS renewal_date FROM accounts',
    );
    // 23:30 at UTC-2 is 01:30 the next day in UTC, whatever the session's time zone.
    expect(account).toEqual({
      account_id: '7',
      arr: 1234.5,
      start_date: '2024-03-02',
      renewal_date: '2025-03-01',
    });
    const [ticket] = await rows(
      'SELECT ticket_id, account_id, CAST(opened_at AS VARCHAR) AS opened_at, csat FROM support_tickets',
    );
    expect(ticket).toEqual({
      ticket_id: '1',
      account_id: '7',
      opened_at: '2024-05-01 00:00:00',
      csat: 4n,
    });
  });

  it('builds the view SQL from the contract and the types found', async () => {
    await writeTable(
      dir,
      'outcomes',
      [{ account_id: 1, event_date: '2024-01-01 00:00:00+00', event: 'renewed', arr_delta: 1 }],
      { types: { account_id: 'INTEGER', event_date: 'TIMESTAMPTZ', arr_delta: 'DECIMAL(9,2)' } },
    );
    const [outcomes] = await inspectTables(connection, dir).then((all) =>
      all.filter((entry) => entry.table.name === 'outcomes'),
    );
    expect(typedSelect(dir, outcomes as InspectedTable)).toBe(
      'SELECT CAST("account_id" AS VARCHAR) AS "account_id", ' +
        `CAST(timezone('UTC', "event_date") AS DATE) AS "event_date", ` +
        '"event" AS "event", CAST("arr_delta" AS DOUBLE) AS "arr_delta" ' +
        `FROM read_parquet(['${path.join(dir, 'outcomes.parquet')}'], ` +
        'hive_partitioning = false, union_by_name = true)',
    );
  });

  it('gives no view to a table with a missing column or a wrong type, and says why', async () => {
    await goodDataset(dir);
    await writeTable(
      dir,
      'usage_daily',
      `SELECT * EXCLUDE (logins) FROM (${GOOD_SQL.usage_daily})`,
    );
    await writeTable(
      dir,
      'invoices',
      `SELECT * REPLACE (CAST(amount AS VARCHAR) AS amount) FROM (${GOOD_SQL.invoices})`,
    );

    const result = await createViews(connection, dir);

    const made = result.views.map((view) => view.table);
    expect(made).not.toContain('usage_daily');
    expect(made).not.toContain('invoices');
    expect(made).toContain('accounts');
    expect(await views()).not.toContain('usage_daily');
    expect(result.problems.map((found) => [found.code, found.table, found.column])).toEqual([
      ['missing_column', 'usage_daily', 'logins'],
      ['wrong_type', 'invoices', 'amount'],
    ]);
  });

  it('drops the view of a table that has turned bad since the last call', async () => {
    await goodDataset(dir);
    await createViews(connection, dir);
    expect(await views()).toContain('engagement');

    await writeTable(dir, 'engagement', `SELECT * EXCLUDE (kind) FROM (${GOOD_SQL.engagement})`);
    await createViews(connection, dir);

    expect(await views()).not.toContain('engagement');
    expect(await views()).toContain('accounts');
  });

  it('leaves optional tables that are absent without a view and without a problem', async () => {
    const optional = CONTRACT.filter((table) => !table.required).map((table) => table.name);
    await goodDataset(dir, { omit: optional });
    const result = await createViews(connection, dir);
    expect(result.problems).toEqual([]);
    expect(await views()).toEqual(['accounts', 'outcomes']);
  });

  it('gives no view to a table with an unreadable file', async () => {
    await goodDataset(dir, { layout: { milestones: 'folder' } });
    await writeFile(path.join(dir, 'milestones', 'part-1.parquet'), 'not parquet');
    const result = await createViews(connection, dir);
    expect(await views()).not.toContain('milestones');
    expect(result.problems).toMatchObject([
      { code: 'unreadable_file', table: 'milestones', file: 'milestones/part-1.parquet' },
    ]);
  });
});
