import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkData } from '../../data/check.ts';
import { CONTRACT, tableSpec, type TableName } from '../../data/contract.ts';
import { openDatabase, withConnection } from '../../data/duckdb.ts';
import { dataReportSchema, type DataReport, type Problem } from '../../data/report.ts';
import { SqlParams, rowRules } from '../../data/rules.ts';
import {
  GOOD,
  GOOD_ROWS,
  GOOD_SQL,
  GOOD_TODAY,
  goodDataset,
  tempDir,
  truncateFile,
  writeTable,
  type GoodDatasetOptions,
  type Row,
} from '../helpers/parquet.ts';

let db: DuckDBInstance;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  db = await openDatabase();
});
afterAll(() => db.closeSync());
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const NOW = new Date('2025-01-01T06:00:00.000Z');

/** Writes the good data set, lets the test break it, and checks it. */
async function check(
  breakIt: () => Promise<unknown> = async () => {},
  options: GoodDatasetOptions & { today?: string } = {},
): Promise<DataReport> {
  await goodDataset(dir, options);
  await breakIt();
  return checkData(db, dir, { today: options.today ?? GOOD_TODAY, now: () => NOW });
}

/** The one problem with `code`; fails when there are none or several. */
function one(report: DataReport, code: string): Problem {
  const found = report.problems.filter((problem) => problem.code === code);
  expect(found.map((problem) => problem.message)).toHaveLength(1);
  return found[0] as Problem;
}

const day = (start: string, plus: number) => {
  const date = new Date(`${start}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + plus);
  return date.toISOString().slice(0, 10);
};

/** Account `i` of the good data set as a JSON-safe row, computed from the fixture's rules. */
const goodAccount = (i: number) => ({
  account_id: `A${String(i).padStart(3, '0')}`,
  name: `Account ${i}`,
  segment: ['SMB', 'Mid-Market', 'Enterprise'][i % 3],
  plan: `plan-${i % 2}`,
  region: 'EMEA',
  industry: 'Software',
  arr: 1000 * i,
  start_date: day('2023-01-01', i),
  renewal_date: day('2026-01-01', i),
  owner: `owner-${i % 4}`,
});

const ticket = (id: string, overrides: Partial<Row> = {}): Row => ({
  ticket_id: id,
  account_id: 'A001',
  opened_at: '2024-07-01 10:00:00',
  closed_at: '2024-07-01 12:00:00',
  priority: 'normal',
  csat: 3,
  ...overrides,
});

describe('rowRules', () => {
  it('judges survey scores by the range of their kind, with every value bound', () => {
    const params = new SqlParams();
    const rules = rowRules(tableSpec('surveys'), {
      params,
      today: GOOD_TODAY,
      knownAccounts: true,
      lenientColumns: new Set(),
    });
    const ranges = rules.filter((rule) => rule.code === 'out_of_range');
    expect(ranges.map((rule) => rule.predicate)).toEqual([
      'NOT isfinite("score")',
      '"kind" = $p3 AND (isfinite("score") AND ("score" < $p4 OR "score" > $p5))',
      '"kind" = $p6 AND (isfinite("score") AND ("score" < $p7 OR "score" > $p8))',
      '("kind" IS NULL OR "kind" NOT IN ($p9, $p10)) AND (isfinite("score") AND ("score" < $p11 OR "score" > $p12))',
    ]);
    expect(params.values).toEqual({
      p0: GOOD_TODAY,
      p1: 'nps',
      p2: 'csat',
      p3: 'nps',
      p4: 0,
      p5: 10,
      p6: 'csat',
      p7: 1,
      p8: 5,
      p9: 'nps',
      p10: 'csat',
      p11: 0,
      p12: 10,
    });
    expect(rules.map((rule) => `${rule.code} ${rule.column}`)).toEqual([
      'null_value account_id',
      'unknown_account account_id',
      'null_value date',
      'future_date date',
      'null_value kind',
      'unknown_value kind',
      'null_value score',
      'out_of_range score',
      'out_of_range score',
      'out_of_range score',
      'out_of_range score',
    ]);
  });
});

describe('a good data set', () => {
  it('passes with no problems, and the report knows rows, files, dates and columns', async () => {
    const report = await check(async () => {}, {
      layout: { usage_daily: 'hive', support_tickets: 'folder' },
    });

    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      errors: 0,
      warnings: 0,
      checkedAt: NOW.toISOString(),
    });
    expect(report.dataDir).toBe(path.resolve(dir));
    expect(dataReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.tables.map((table) => [table.name, table.present, table.rows])).toEqual(
      CONTRACT.map((table) => [table.name, true, GOOD_ROWS[table.name]]),
    );
    const status = (name: TableName) => report.tables.find((table) => table.name === name);
    expect(status('support_tickets')?.files).toEqual([
      'support_tickets/part-0.parquet',
      'support_tickets/part-1.parquet',
    ]);
    expect(status('usage_daily')?.files).toEqual([
      'usage_daily/bucket=0/data_0.parquet',
      'usage_daily/bucket=1/data_0.parquet',
    ]);
    const dates = (name: TableName) => [status(name)?.minDate, status(name)?.maxDate];
    expect(dates('accounts')).toEqual([day('2023-01-01', 1), day('2023-01-01', GOOD.accounts)]);
    expect(dates('usage_daily')).toEqual([GOOD.firstUsageDay, GOOD.lastUsageDay]);
    // Tickets open at 09:00 on day i (+1 hour for the second); a timestamp range is reported by day.
    expect(dates('support_tickets')).toEqual([
      day('2024-06-01', 1),
      day('2024-06-01', GOOD.accounts),
    ]);
    expect(dates('outcomes')).toEqual([day('2024-06-10', 1), day('2024-06-10', GOOD.outcomes)]);
    expect(status('accounts')?.dateColumn).toBe('start_date');
    expect(status('accounts')?.columns).toContainEqual({ name: 'notes', type: 'VARCHAR' });
    expect(status('accounts')?.columns).toContainEqual({ name: 'arr', type: 'DOUBLE' });
  });

  it('takes a database or a connection', async () => {
    await goodDataset(dir);
    const viaConnection = await withConnection(db, (connection) =>
      checkData(connection, dir, { today: GOOD_TODAY, now: () => NOW }),
    );
    const viaDatabase = await checkData(db, dir, { today: GOOD_TODAY, now: () => NOW });
    expect(viaConnection).toEqual(viaDatabase);
    expect(viaDatabase.ok).toBe(true);
  });

  it('refuses a today that is not a date', async () => {
    await expect(checkData(db, dir, { today: '01/02/2025' })).rejects.toThrow('YYYY-MM-DD');
  });
});

describe('tables', () => {
  it('missing_table: a required table that is absent is an error; an optional one is not', async () => {
    const report = await check(async () => {}, { omit: ['outcomes', 'signals'] });

    const problem = one(report, 'missing_table');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'outcomes',
      file: null,
      column: null,
      rows: null,
      sample: [],
    });
    expect(problem.message).toContain('outcomes: required table missing');
    expect(report.problems).toHaveLength(1);
    expect(report.ok).toBe(false);
    expect(report.tables.find((table) => table.name === 'signals')).toMatchObject({
      present: false,
      files: [],
      rows: null,
    });
  });

  it('ambiguous_table: T.parquet and T/ both present', async () => {
    const report = await check(() => writeTable(dir, 'engagement', GOOD_SQL.engagement), {
      layout: { engagement: 'folder' },
    });
    const problem = one(report, 'ambiguous_table');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'engagement',
      file: null,
      column: null,
      rows: null,
      sample: [],
    });
    expect(problem.message).toContain('engagement.parquet');
    expect(problem.message).toContain('engagement/');
    expect(report.ok).toBe(false);
  });

  it('empty_table: a required table without rows', async () => {
    const report = await check(() =>
      writeTable(dir, 'outcomes', `SELECT * FROM (${GOOD_SQL.outcomes}) WHERE false`),
    );
    const problem = one(report, 'empty_table');
    expect(problem).toMatchObject({ severity: 'error', table: 'outcomes', rows: 0 });
    expect(problem.message).toBe('outcomes: required table has no rows');
  });
});

describe('unreadable files', () => {
  it('names a truncated file and still checks the other files of the table', async () => {
    const report = await check(
      async () => {
        await truncateFile(path.join(dir, 'support_tickets', 'part-1.parquet'));
        await writeTable(dir, 'support_tickets/part-0', [ticket('X1', { csat: 9 })]);
      },
      { layout: { support_tickets: 'folder' } },
    );

    const problem = one(report, 'unreadable_file');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'support_tickets',
      file: 'support_tickets/part-1.parquet',
      column: null,
      rows: null,
      sample: [],
    });
    expect(problem.message).toContain('support_tickets: support_tickets/part-1.parquet');
    expect(problem.message).not.toContain(dir);
    // part-0 was still checked.
    expect(one(report, 'out_of_range')).toMatchObject({
      file: 'support_tickets/part-0.parquet',
      rows: 1,
    });
    expect(report.ok).toBe(false);
  });

  it('names a file that is not Parquet at all, and an empty one', async () => {
    const report = await check(async () => {
      await writeFile(path.join(dir, 'usage_daily.parquet'), 'account_id,date\nA001,2024-01-01\n');
      await writeFile(path.join(dir, 'signals.parquet'), '');
    });
    const problems = report.problems.filter((problem) => problem.code === 'unreadable_file');
    expect(problems.map((problem) => [problem.table, problem.file, problem.severity])).toEqual([
      ['usage_daily', 'usage_daily.parquet', 'error'],
      ['signals', 'signals.parquet', 'error'],
    ]);
    expect(problems[0]?.message).toContain('usage_daily.parquet cannot be read as Parquet');
    const usage = report.tables.find((table) => table.name === 'usage_daily');
    expect(usage).toMatchObject({ present: true, files: ['usage_daily.parquet'], rows: null });
  });

  it('names a file whose footer reads but whose pages are corrupt', async () => {
    const report = await check(
      async () => {
        const file = await writeTable(
          dir,
          'usage_daily/part-1',
          `SELECT 'A001' AS account_id, DATE '2020-01-01' + CAST(i AS INTEGER) AS date, i AS seats,
            i AS active_users, i AS logins, i AS feature_events, i AS features_used
           FROM range(100000) t(i)`,
        );
        const bytes = await readFile(file);
        bytes.fill(0xff, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 3000);
        await writeFile(file, bytes);
      },
      { layout: { usage_daily: 'folder' } },
    );
    const problem = one(report, 'unreadable_file');
    expect(problem).toMatchObject({ table: 'usage_daily', file: 'usage_daily/part-1.parquet' });
    expect(problem.message).toContain('usage_daily: usage_daily/part-1.parquet cannot be read');
    // The good file was checked on its own.
    const usage = report.tables.find((table) => table.name === 'usage_daily');
    expect(usage?.rows).toBe(GOOD_ROWS.usage_daily / 2);
    expect(report.problems).toHaveLength(1);
  });
});

describe('columns', () => {
  it('missing_column: names the table, the column and the file', async () => {
    const report = await check(() =>
      writeTable(dir, 'usage_daily', `SELECT * EXCLUDE (logins) FROM (${GOOD_SQL.usage_daily})`),
    );
    const problem = one(report, 'missing_column');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'usage_daily',
      column: 'logins',
      file: 'usage_daily.parquet',
      rows: null,
      sample: [],
    });
    expect(problem.message).toBe('usage_daily.logins: column missing (in usage_daily.parquet)');
    expect(report.problems).toHaveLength(1);
  });

  it('missing_column: in one file of a folder', async () => {
    const report = await check(
      () =>
        writeTable(
          dir,
          'milestones/part-1',
          `SELECT * EXCLUDE (achieved_on) FROM (${GOOD_SQL.milestones})`,
        ),
      { layout: { milestones: 'folder' } },
    );
    const problem = one(report, 'missing_column');
    expect(problem).toMatchObject({ column: 'achieved_on', file: 'milestones/part-1.parquet' });
    expect(problem.message).toBe(
      'milestones.achieved_on: column missing (in milestones/part-1.parquet)',
    );
  });

  it('wrong_type: names the type found and the family expected', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'usage_daily',
        `SELECT * REPLACE (CAST(logins AS VARCHAR) AS logins) FROM (${GOOD_SQL.usage_daily})`,
      ),
    );
    const problem = one(report, 'wrong_type');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'usage_daily',
      column: 'logins',
      file: 'usage_daily.parquet',
      rows: null,
      sample: [],
    });
    expect(problem.message).toBe(
      'usage_daily.logins: found VARCHAR, expected the integer family (an integer type) (in usage_daily.parquet)',
    );
  });

  it('wrong_type: a date stored as text', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'invoices',
        `SELECT * REPLACE (CAST(due_on AS VARCHAR) AS due_on) FROM (${GOOD_SQL.invoices})`,
      ),
    );
    const problem = one(report, 'wrong_type');
    expect(problem.message).toContain('invoices.due_on: found VARCHAR, expected the date family');
  });
});

describe('rows', () => {
  it('null_value: counts nulls in a required column and shows them', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'accounts',
        `SELECT * REPLACE (CASE WHEN account_id IN ('A003', 'A007') THEN NULL ELSE segment END AS segment)
         FROM (${GOOD_SQL.accounts})`,
      ),
    );
    const problem = one(report, 'null_value');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'accounts',
      column: 'segment',
      file: 'accounts.parquet',
      rows: 2,
    });
    expect(problem.message).toBe(
      'accounts.segment: 2 rows are null (required column) (in accounts.parquet)',
    );
    expect(problem.sample).toEqual([
      { ...goodAccount(3), segment: null },
      { ...goodAccount(7), segment: null },
    ]);
  });

  it('null_value: a nullable column may be null', async () => {
    // Half the good tickets have no closed_at and no csat; invoices have unpaid ones.
    const report = await check();
    expect(report.problems.filter((problem) => problem.code === 'null_value')).toEqual([]);
  });

  it('duplicate_key: a single-column key, with the copies side by side in the sample', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'accounts',
        `SELECT * FROM (${GOOD_SQL.accounts})
         UNION ALL SELECT * FROM (${GOOD_SQL.accounts}) WHERE account_id IN ('A005', 'A002')`,
      ),
    );
    const problem = one(report, 'duplicate_key');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'accounts',
      column: 'account_id',
      file: 'accounts.parquet',
      rows: 4,
    });
    expect(problem.message).toBe(
      'accounts.account_id: 4 rows share 2 keys that should be unique (in accounts.parquet)',
    );
    expect(problem.sample).toEqual([goodAccount(2), goodAccount(2), goodAccount(5)]);
  });

  it('duplicate_key: one usage row per account and day, across files', async () => {
    const copies: Row[] = [
      ['A004', '2024-06-03'],
      ['A001', '2024-06-02'],
      ['A001', '2024-06-01'],
    ].map(([account, date]) => ({
      account_id: account ?? null,
      date: date ?? null,
      seats: 99,
      active_users: 1,
      logins: 1,
      feature_events: 1,
      features_used: 1,
    }));
    const report = await check(
      async () => {
        await writeTable(dir, 'usage_daily/part-0', GOOD_SQL.usage_daily);
        await writeTable(dir, 'usage_daily/part-1', copies);
      },
      { omit: ['usage_daily'] },
    );
    const problem = one(report, 'duplicate_key');
    expect(problem).toMatchObject({
      table: 'usage_daily',
      column: 'account_id, date',
      file: null,
      rows: 6,
    });
    expect(problem.message).toBe(
      'usage_daily (account_id, date): 6 rows share 3 keys that should be unique (in all 2 files: usage_daily/part-0.parquet (3), usage_daily/part-1.parquet (3))',
    );
    // Ordered by key, then file: the good row of part-0 first, then its copy from part-1.
    expect(problem.sample.map((row) => [row.account_id, row.date, row.seats])).toEqual([
      ['A001', '2024-06-01', 10],
      ['A001', '2024-06-01', 99],
      ['A001', '2024-06-02', 10],
    ]);
  });

  it('duplicate_key: every contract key, e.g. engagement (account_id, date, kind)', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'engagement',
        `SELECT * FROM (${GOOD_SQL.engagement})
         UNION ALL SELECT * REPLACE (count + 1 AS count) FROM (${GOOD_SQL.engagement})
         WHERE account_id = 'A010' AND kind = 'event'`,
      ),
    );
    expect(one(report, 'duplicate_key')).toMatchObject({
      table: 'engagement',
      column: 'account_id, date, kind',
      rows: 2,
    });
  });

  /** Good tickets for every account plus `orphans` tickets of accounts that do not exist. */
  const ticketsWithOrphans = (known: number, orphans: number) => `
    SELECT 'K' || n AS ticket_id, 'A' || lpad(CAST(1 + n % ${GOOD.accounts} AS VARCHAR), 3, '0') AS account_id,
      TIMESTAMP '2024-06-01 08:00:00' AS opened_at, NULL::TIMESTAMP AS closed_at,
      'low' AS priority, NULL::BIGINT AS csat
    FROM range(${known}) r(n)
    UNION ALL
    SELECT 'O' || n, 'Z' || n, TIMESTAMP '2024-06-02 08:00:00', NULL, 'high', NULL
    FROM range(${orphans}) r(n)`;

  it('unknown_account: a few orphans (at most 1% of rows) are a warning', async () => {
    const report = await check(() =>
      writeTable(dir, 'support_tickets', ticketsWithOrphans(400, 3)),
    );

    const problem = one(report, 'unknown_account');
    expect(problem).toMatchObject({
      severity: 'warning',
      table: 'support_tickets',
      column: 'account_id',
      file: 'support_tickets.parquet',
      rows: 3,
    });
    expect(problem.message).toBe(
      'support_tickets.account_id: 3 rows reference accounts that are not in accounts (in support_tickets.parquet): 0.74% of 403 rows; up to 1% is a warning, more is an error',
    );
    expect(problem.sample.map((row) => row.account_id)).toEqual(['Z0', 'Z1', 'Z2']);
    expect(problem.sample[0]).toEqual({
      ticket_id: 'O0',
      account_id: 'Z0',
      opened_at: '2024-06-02T08:00:00.000Z',
      closed_at: null,
      priority: 'high',
      csat: null,
    });
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 1 });
  });

  it('unknown_account: more than 1% of rows is an error', async () => {
    const report = await check(() =>
      writeTable(dir, 'support_tickets', ticketsWithOrphans(400, 5)),
    );
    const problem = one(report, 'unknown_account');
    expect(problem).toMatchObject({ severity: 'error', rows: 5 });
    expect(problem.message).toContain('1.2% of 405 rows');
    expect(report.ok).toBe(false);
  });

  it('future_date: dates after today, but not a renewal date', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'usage_daily',
        `SELECT * REPLACE (CASE WHEN account_id = 'A002' AND date >= DATE '2024-06-27'
           THEN date + 200 ELSE date END AS date) FROM (${GOOD_SQL.usage_daily})`,
      ),
    );
    // A002's last 4 days (27-30 June) moved 200 days on: 13-16 January 2025.
    const problem = one(report, 'future_date');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'usage_daily',
      column: 'date',
      file: 'usage_daily.parquet',
      rows: 4,
    });
    expect(problem.message).toBe(
      `usage_daily.date: 4 rows after today (${GOOD_TODAY}) (in usage_daily.parquet)`,
    );
    expect(problem.sample.map((row) => row.date)).toEqual([
      '2025-01-13',
      '2025-01-14',
      '2025-01-15',
    ]);
    expect(problem.sample[0]).toMatchObject({ account_id: 'A002', seats: 10 });
    expect(typeof problem.sample[0]?.seats).toBe('number');
    // Every good renewal date lies in 2026, after today, and that is fine.
    expect(report.problems.filter((found) => found.column === 'renewal_date')).toEqual([]);
  });

  it('future_date: a timestamp later on today is not in the future', async () => {
    const report = await check(() =>
      writeTable(dir, 'support_tickets', [
        ticket('T1', { opened_at: `${GOOD_TODAY} 23:59:59`, closed_at: null }),
        ticket('T2', { opened_at: `${day(GOOD_TODAY, 1)} 00:00:00`, closed_at: null }),
      ]),
    );
    const problem = one(report, 'future_date');
    expect(problem).toMatchObject({ column: 'opened_at', rows: 1 });
    expect(problem.sample.map((row) => row.ticket_id)).toEqual(['T2']);
  });

  it('out_of_range: csat outside 1-5, in the file that has them', async () => {
    const bad = [0, 6, 7, 9, 10, 0, 6, 100, -1, 8, 6, 7];
    const report = await check(
      () =>
        writeTable(
          dir,
          'support_tickets/part-1',
          bad.map((csat, i) => ticket(`B${i}`, { csat })),
        ),
      { layout: { support_tickets: 'folder' } },
    );
    const problem = one(report, 'out_of_range');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'support_tickets',
      column: 'csat',
      file: 'support_tickets/part-1.parquet',
      rows: bad.length,
    });
    expect(problem.message).toBe(
      'support_tickets.csat: 12 rows outside 1-5 (in support_tickets/part-1.parquet)',
    );
    expect(problem.sample).toEqual(
      [0, 1, 2].map((i) => ({
        ticket_id: `B${i}`,
        account_id: 'A001',
        opened_at: '2024-07-01T10:00:00.000Z',
        closed_at: '2024-07-01T12:00:00.000Z',
        priority: 'normal',
        csat: bad[i],
      })),
    );
  });

  it('out_of_range: NPS 0-10 for nps surveys, 1-5 for csat surveys', async () => {
    const survey = (account: string, kind: string, score: number): Row => ({
      account_id: account,
      date: '2024-06-20',
      kind,
      score,
    });
    const report = await check(() =>
      writeTable(dir, 'surveys', [
        survey('A001', 'nps', 0),
        survey('A001', 'csat', 5),
        survey('A002', 'nps', 10),
        survey('A002', 'csat', 1),
        survey('A003', 'nps', 11),
        survey('A004', 'csat', 7),
        survey('A005', 'csat', 0),
        survey('A006', 'nps', 7),
      ]),
    );
    const problems = report.problems.filter((problem) => problem.code === 'out_of_range');
    expect(problems.map((problem) => [problem.message, problem.rows])).toEqual([
      ["surveys.score: 1 row outside 0-10 where kind = 'nps' (in surveys.parquet)", 1],
      ["surveys.score: 2 rows outside 1-5 where kind = 'csat' (in surveys.parquet)", 2],
    ]);
    expect(problems[1]?.sample).toEqual([survey('A004', 'csat', 7), survey('A005', 'csat', 0)]);
  });

  it('out_of_range: negative counts and amounts, and numbers that are not finite', async () => {
    const report = await check(async () => {
      await writeTable(
        dir,
        'usage_daily',
        `SELECT * REPLACE (CASE WHEN account_id = 'A001' AND date = DATE '2024-06-05' THEN -3 ELSE seats END AS seats)
         FROM (${GOOD_SQL.usage_daily})`,
      );
      await writeTable(
        dir,
        'invoices',
        `SELECT * REPLACE (CASE invoice_id WHEN 'INV3' THEN -5 WHEN 'INV4' THEN 'NaN'::DOUBLE
           WHEN 'INV5' THEN 'Infinity'::DOUBLE ELSE amount END AS amount) FROM (${GOOD_SQL.invoices})`,
      );
    });
    const messages = report.problems
      .filter((problem) => problem.code === 'out_of_range')
      .map((problem) => problem.message);
    expect(messages).toEqual([
      'usage_daily.seats: 1 row below 0 (in usage_daily.parquet)',
      'invoices.amount: 2 rows are NaN or infinite (in invoices.parquet)',
      'invoices.amount: 1 row below 0 (in invoices.parquet)',
    ]);
    const notFinite = report.problems.find((problem) => problem.message.includes('NaN'));
    // JSON has no NaN: the sample says it in words.
    expect(notFinite?.sample.map((row) => row.amount)).toEqual(['NaN', 'Infinity']);
  });

  it('out_of_range: an integer too large for BIGINT', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'engagement',
        `SELECT * REPLACE (CAST(CASE WHEN account_id = 'A001' THEN 18446744073709551615 ELSE count END
           AS UBIGINT) AS count) FROM (${GOOD_SQL.engagement})`,
      ),
    );
    const problem = one(report, 'out_of_range');
    expect(problem).toMatchObject({
      table: 'engagement',
      column: 'count',
      rows: GOOD.engagementKinds,
    });
    expect(problem.message).toBe(
      'engagement.count: 4 rows too large for BIGINT (in engagement.parquet)',
    );
    // The value reads as null but is not reported as a null.
    expect(report.problems).toHaveLength(1);
  });

  it('unknown_value: a category outside the contract', async () => {
    const report = await check(() =>
      writeTable(
        dir,
        'outcomes',
        `SELECT * REPLACE (CASE WHEN account_id = 'A004' THEN 'lost' ELSE event END AS event)
         FROM (${GOOD_SQL.outcomes})`,
      ),
    );
    const problem = one(report, 'unknown_value');
    expect(problem).toMatchObject({
      severity: 'error',
      table: 'outcomes',
      column: 'event',
      file: 'outcomes.parquet',
      rows: 1,
    });
    expect(problem.message).toBe(
      'outcomes.event: 1 row with a value other than churned, renewed, expanded, contracted (e.g. "lost") (in outcomes.parquet)',
    );
    expect(problem.sample).toEqual([
      { account_id: 'A004', event_date: '2024-06-14', event: 'lost', arr_delta: 400 },
    ]);
  });

  it('inconsistent_dates: a warning that does not block scoring', async () => {
    const report = await check(async () => {
      await writeTable(dir, 'support_tickets', [
        ticket('T1'),
        ticket('T2', { closed_at: '2024-07-01 09:59:59' }),
        ticket('T3', { closed_at: null }),
        ticket('T4', { closed_at: '2024-06-30 12:00:00' }),
      ]);
      await writeTable(
        dir,
        'invoices',
        `SELECT * REPLACE (CASE WHEN invoice_id = 'INV9' THEN DATE '2024-04-30' ELSE due_on END AS due_on)
         FROM (${GOOD_SQL.invoices})`,
      );
    });
    const problems = report.problems.filter((problem) => problem.code === 'inconsistent_dates');
    expect(problems.map((problem) => [problem.severity, problem.message, problem.rows])).toEqual([
      [
        'warning',
        'support_tickets.closed_at: 2 rows before opened_at (in support_tickets.parquet)',
        2,
      ],
      ['warning', 'invoices.due_on: 1 row before issued_on (in invoices.parquet)', 1],
    ]);
    expect(problems[0]?.sample.map((row) => row.ticket_id)).toEqual(['T2', 'T4']);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 2 });
  });

  it('reports a problem in several files with the count in each', async () => {
    const report = await check(
      async () => {
        await writeTable(dir, 'support_tickets/part-0', [ticket('A', { priority: 'p1' })]);
        await writeTable(dir, 'support_tickets/part-1', [
          ticket('B', { priority: 'p2' }),
          ticket('C', { priority: 'p3' }),
        ]);
      },
      { layout: { support_tickets: 'folder' } },
    );
    const problem = one(report, 'unknown_value');
    expect(problem).toMatchObject({ file: null, rows: 3 });
    expect(problem.message).toBe(
      'support_tickets.priority: 3 rows with a value other than low, normal, high, urgent (e.g. "p1", "p2", "p3") (in all 2 files: support_tickets/part-0.parquet (1), support_tickets/part-1.parquet (2))',
    );
    expect(problem.sample.map((row) => row.ticket_id)).toEqual(['A', 'B', 'C']);
  });
});
