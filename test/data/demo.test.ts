import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from '../../data/contract.ts';
import { bigintToNumber, openDatabase, queryRows, sqlString } from '../../data/duckdb.ts';
import {
  defaultEndDate,
  generateDemo,
  type DemoOptions,
  type DemoResult,
} from '../../data/generator/generate.ts';

// Small but long enough to contain two Decembers, a summer and about 500 account-years.
const END_DATE = '2025-03-31';
const OPTIONS = { accounts: 400, days: 500, seed: 7, endDate: END_DATE } as const;

let root: string;
let first: DemoResult;
let second: DemoResult;
let other: DemoResult;
let db: DuckDBInstance;
let connection: DuckDBConnection;

const dir = (name: string) => path.join(root, name);
const file = (table: string) => sqlString(path.join(dir('a'), `${table}.parquet`));

async function one<T = Record<string, unknown>>(sql: string): Promise<T> {
  const rows = await queryRows<T>(connection, sql);
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
  return rows[0] as T;
}

async function num(sql: string): Promise<number> {
  const row = await one<{ value: number | bigint | null }>(sql);
  const value = bigintToNumber(row.value);
  if (value === null) throw new Error(`null result: ${sql}`);
  return value;
}

async function sha256(filePath: string) {
  return createHash('sha256')
    .update(await readFile(filePath))
    .digest('hex');
}

async function parquetFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.parquet')).sort();
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'vitals-demo-'));
  const run = (name: string, options: Partial<DemoOptions> = {}) =>
    generateDemo({ ...OPTIONS, outDir: dir(name), ...options });
  first = await run('a');
  second = await run('b');
  other = await run('c', { seed: 8 });
  db = await openDatabase();
  connection = await db.connect();
  await connection.run(`CREATE VIEW churn AS
    SELECT account_id, event_date AS churn_date FROM read_parquet(${file('outcomes')})
    WHERE event = 'churned'`);
  await connection.run(`CREATE VIEW usage AS SELECT * FROM read_parquet(${file('usage_daily')})`);
});

afterAll(async () => {
  connection?.closeSync();
  db?.closeSync();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('generateDemo', () => {
  it('reports every file it wrote, with its rows and bytes, and leaves no temp files', async () => {
    const tables = first.files.map((entry) => entry.table).sort();
    expect(tables).toEqual([...CONTRACT.map((spec) => spec.name), '_truth/health_weekly'].sort());
    for (const entry of first.files) {
      expect((await stat(entry.path)).size).toBe(entry.bytes);
      const rows = await num(
        `SELECT count(*) AS value FROM read_parquet(${sqlString(entry.path)})`,
      );
      expect(rows).toBe(entry.rows);
      expect(rows).toBeGreaterThan(0);
    }
    const all = await readdir(dir('a'), { recursive: true });
    expect(all.filter((entry) => entry.includes('.tmp'))).toEqual([]);
    expect(first.seconds).toBeGreaterThan(0);
  });

  it('gives byte-identical files for the same seed and different data for another seed', async () => {
    const counts = (result: DemoResult) => result.files.map((entry) => [entry.table, entry.rows]);
    expect(counts(second)).toEqual(counts(first));
    const names = await parquetFiles(dir('a'));
    expect(names).toEqual(await parquetFiles(dir('b')));
    expect(names).toHaveLength(10);
    for (const name of names) {
      expect(await sha256(path.join(dir('b'), name)), name).toBe(
        await sha256(path.join(dir('a'), name)),
      );
    }
    const changed = [];
    for (const name of names) {
      const [a, c] = await Promise.all([
        sha256(path.join(dir('a'), name)),
        sha256(path.join(dir('c'), name)),
      ]);
      if (a !== c) changed.push(name);
    }
    expect(changed).toEqual(names);
    expect(other.files.find((entry) => entry.table === 'usage_daily')?.rows).not.toBe(
      first.files.find((entry) => entry.table === 'usage_daily')?.rows,
    );
  });

  it('rejects options that are not valid', async () => {
    await expect(
      generateDemo({ ...OPTIONS, endDate: '2025-02-30', outDir: dir('bad') }),
    ).rejects.toThrow(/calendar date/);
    await expect(generateDemo({ ...OPTIONS, accounts: 0, outDir: dir('bad') })).rejects.toThrow();
  });

  it('defaults the end date to yesterday in UTC', () => {
    expect(defaultEndDate(new Date('2025-03-01T00:30:00Z'))).toBe('2025-02-28');
    expect(defaultEndDate(new Date('2024-12-31T23:59:59Z'))).toBe('2024-12-30');
  });
});

describe('the demo data honours the contract', () => {
  it.each(CONTRACT.map((spec) => [spec.name, spec] as const))(
    '%s has the contract columns and types, nulls only where allowed, values in range',
    async (_name, spec) => {
      const columns = await queryRows<{ column_name: string; column_type: string }>(
        connection,
        `DESCRIBE SELECT * FROM read_parquet(${file(spec.name)})`,
      );
      expect(columns.map((column) => [column.column_name, column.column_type])).toEqual(
        spec.columns.map((column) => [column.name, column.duckdbType]),
      );
      for (const column of spec.columns) {
        const name = `"${column.name}"`;
        const checks = [
          column.nullable ? 'FALSE' : `${name} IS NULL`,
          column.values ? `${name} NOT IN (${column.values.map(sqlString).join(', ')})` : 'FALSE',
          column.min !== undefined ? `${name} < ${column.min}` : 'FALSE',
          column.max !== undefined ? `${name} > ${column.max}` : 'FALSE',
        ];
        const bad = await num(
          `SELECT count(*) AS value FROM read_parquet(${file(spec.name)}) WHERE ${checks.join(' OR ')}`,
        );
        expect(bad, `${spec.name}.${column.name}`).toBe(0);
      }
    },
  );

  it('has no date after the end date, except renewal dates still to come', async () => {
    for (const spec of CONTRACT) {
      for (const column of spec.columns) {
        if (column.family !== 'date' && column.family !== 'timestamp') continue;
        const late = await num(`SELECT count(*) AS value FROM read_parquet(${file(spec.name)})
          WHERE CAST("${column.name}" AS DATE) > DATE '${END_DATE}'
            AND NOT ('${spec.name}' = 'accounts' AND '${column.name}' = 'renewal_date')`);
        expect(late, `${spec.name}.${column.name}`).toBe(0);
      }
    }
    // renewal_date is the one date allowed in the future: the next anniversary after the end date
    const renewals = await one<{ future: bigint; churned_match: bigint; churned: bigint }>(`
      SELECT count(*) FILTER (WHERE a.renewal_date > DATE '${END_DATE}') AS future,
        count(*) FILTER (WHERE c.churn_date = a.renewal_date) AS churned_match,
        count(c.churn_date) AS churned
      FROM read_parquet(${file('accounts')}) a LEFT JOIN churn c USING (account_id)`);
    expect(renewals.churned_match).toBe(renewals.churned);
    expect(Number(renewals.future) + Number(renewals.churned)).toBe(OPTIONS.accounts);
  });

  it('has no account id that is not in accounts', async () => {
    for (const spec of CONTRACT) {
      if (spec.name === 'accounts') continue;
      const orphans = await num(`SELECT count(*) AS value FROM read_parquet(${file(spec.name)}) t
        ANTI JOIN read_parquet(${file('accounts')}) a ON a.account_id = t.account_id`);
      expect(orphans, spec.name).toBe(0);
    }
  });

  it('has unique keys', async () => {
    for (const spec of CONTRACT) {
      const key = spec.key.map((column) => `"${column}"`).join(', ');
      const duplicates = await num(`SELECT count(*) AS value FROM (
        SELECT ${key} FROM read_parquet(${file(spec.name)}) GROUP BY ${key} HAVING count(*) > 1)`);
      expect(duplicates, spec.name).toBe(0);
    }
  });

  it('sorts usage_daily by date, then account', async () => {
    const unsorted = await num(`SELECT count(*) AS value FROM (
      SELECT date, account_id, lag(date) OVER w AS prev_date, lag(account_id) OVER w AS prev_id
      FROM read_parquet(${file('usage_daily')}, file_row_number = true)
      WINDOW w AS (ORDER BY file_row_number))
      WHERE date < prev_date OR (date = prev_date AND account_id < prev_id)`);
    expect(unsorted).toBe(0);
  });
});

describe('the demo data has the patterns it promises', () => {
  /** Average share of seats active on the days matching `where`. */
  const activeShare = (where: string) =>
    num(`SELECT avg(active_users / seats) AS value FROM usage WHERE ${where}`);
  const weekday = 'isodow(date) <= 5';

  it('is much quieter at weekends', async () => {
    const ratio = (await activeShare('isodow(date) >= 6')) / (await activeShare(weekday));
    expect(ratio).toBeGreaterThan(0.15);
    expect(ratio).toBeLessThan(0.45);
  });

  it('dips hard at the end of December and softly in the summer', async () => {
    const december =
      (await activeShare(`${weekday} AND date BETWEEN '2024-12-22' AND '2024-12-31'`)) /
      (await activeShare(`${weekday} AND date BETWEEN '2024-11-01' AND '2024-12-12'`));
    const summer =
      (await activeShare(`${weekday} AND date BETWEEN '2024-07-20' AND '2024-08-25'`)) /
      (await activeShare(
        `${weekday} AND (date BETWEEN '2024-06-01' AND '2024-06-30' OR date BETWEEN '2024-09-10' AND '2024-09-30')`,
      ));
    expect(december).toBeLessThan(0.7);
    expect(summer).toBeLessThan(0.93);
    expect(summer).toBeGreaterThan(december + 0.15);
  });

  it('churns a plausible share of accounts per year, more in SMB', async () => {
    // Churn per account-year of exposure inside the window. B2B SaaS logo churn is typically
    // 5-10% a year for Enterprise and 15-30% for SMB; this portfolio is 60% SMB.
    const rates = await queryRows<{ small: boolean; rate: number }>(
      connection,
      `WITH exposure AS (
        SELECT a.account_id, a.segment = 'SMB' AS small, c.churn_date,
          coalesce(c.churn_date, DATE '${END_DATE}')
            - greatest(a.start_date, DATE '${END_DATE}' - ${OPTIONS.days - 1}) AS days
        FROM read_parquet(${file('accounts')}) a LEFT JOIN churn c USING (account_id))
      SELECT small, count(churn_date) / (sum(days) / 365.25) AS rate
      FROM exposure GROUP BY ROLLUP (small) ORDER BY small NULLS FIRST`,
    );
    const [overall, others, smb] = rates.map((row) => row.rate);
    expect(overall).toBeGreaterThan(0.06);
    expect(overall).toBeLessThan(0.25);
    expect(smb).toBeGreaterThan(others ?? Infinity);
  });

  it('churns accounts with low latent health far more often than healthy ones', async () => {
    const byQuartile = await queryRows<{ quartile: number; churned: number }>(
      connection,
      `WITH health AS (
        SELECT account_id, avg(health) AS health
        FROM read_parquet(${sqlString(path.join(dir('a'), '_truth', 'health_weekly.parquet'))})
        GROUP BY account_id)
      SELECT ntile(4) OVER (ORDER BY health, account_id) AS quartile,
        CAST(c.churn_date IS NOT NULL AS INTEGER) AS churned
      FROM health h LEFT JOIN churn c USING (account_id)`,
    );
    const share = (quartile: number) => {
      const rows = byQuartile.filter((row) => Number(row.quartile) === quartile);
      return rows.reduce((sum, row) => sum + row.churned, 0) / rows.length;
    };
    expect(share(1)).toBeGreaterThan(0.3);
    expect(share(1)).toBeGreaterThan(3 * share(4));
  });

  it('has no usage on or after an account churned, and usage up to shortly before', async () => {
    const after = await num(`SELECT count(*) AS value FROM usage u
      JOIN churn c ON c.account_id = u.account_id AND u.date >= c.churn_date`);
    expect(after).toBe(0);
    const gaps = await one<{ churned: bigint; close: bigint }>(`
      SELECT count(*) AS churned,
        count(*) FILTER (WHERE last_day >= churn_date - 1) AS close
      FROM churn c JOIN (SELECT account_id, max(date) AS last_day FROM usage GROUP BY 1) u
        USING (account_id)`);
    expect(gaps.churned).toBeGreaterThan(10n);
    expect(gaps.close).toBe(gaps.churned);
  });
});
