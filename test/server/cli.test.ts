import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../data/contract.ts';
import { openDatabase, queryRows, withConnection } from '../../data/duckdb.ts';
import { tempDir } from '../helpers/app.ts';
import { vitals } from '../helpers/cli.ts';

describe('command line', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const data = () => path.join(dir, 'data');

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('vitals-cli-'));
    const made = await vitals(
      'demo',
      '--accounts',
      '60',
      '--days',
      '150',
      '--seed',
      '3',
      '--out',
      data(),
      '--end-date',
      '2026-03-31',
      '--json',
    );
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it('has --help on every verb', async () => {
    for (const verb of ['demo', 'check-data', 'score']) {
      const help = await vitals(verb, '--help');
      expect(help.code, verb).toBe(0);
      expect(help.stdout, verb).toContain(`Usage: vitals ${verb}`);
      expect(help.stdout, verb).toContain('--json');
    }
  });

  it('demo --json reports every table it wrote', async () => {
    const again = await vitals(
      'demo',
      '--accounts',
      '60',
      '--days',
      '150',
      '--seed',
      '3',
      '--out',
      path.join(dir, 'again'),
      '--end-date',
      '2026-03-31',
      '--json',
    );
    const result = JSON.parse(again.stdout);
    expect(result.files.map((file: { table: string }) => file.table)).toEqual(
      expect.arrayContaining([...TABLE_NAMES]),
    );
    const accounts = result.files.find((file: { table: string }) => file.table === 'accounts');
    expect(accounts.rows).toBe(60);
  });

  it('refuses bad arguments with a message naming them', async () => {
    const bad = await vitals('demo', '--accounts', 'many');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--accounts');
    expect(bad.stderr).toContain('expected a whole number above 0, got "many"');
    const date = await vitals('check-data', data(), '--today', '2026-02-30');
    expect(date.code).not.toBe(0);
    expect(date.stderr).toContain('expected a date as YYYY-MM-DD, got "2026-02-30"');
  });

  it('check-data exits 0 on good data and 1 with the problem named on bad data', async () => {
    const good = await vitals('check-data', data(), '--today', '2026-04-01', '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).ok).toBe(true);
    const broken = path.join(dir, 'again');
    await writeFile(path.join(broken, 'invoices.parquet'), 'PAR1 not really');
    const bad = await vitals('check-data', broken, '--today', '2026-04-01');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ERROR unreadable_file');
    expect(bad.stdout).toContain('invoices.parquet');
  });

  it('score writes one row per active account to CSV, matching its JSON output', async () => {
    const out = path.join(dir, 'scores.csv');
    const scored = await vitals(
      'score',
      '--data',
      data(),
      '--state',
      path.join(dir, 'state'),
      '--as-of',
      '2026-03-01',
      '--out',
      out,
      '--json',
    );
    expect(scored.code, scored.stderr).toBe(0);
    const result = JSON.parse(scored.stdout);
    expect(result.model).toBe('balanced');
    expect(result.asOf).toBe('2026-03-01');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(
      'account_id,as_of,segment,score,band,reason,missing_metrics,usage_score,support_score,engagement_score,financial_score,relationship_score',
    );
    expect(lines.length - 1).toBe(result.accounts);
    const csvIds = lines.slice(1).map((line) => line.split(',')[0]);
    expect(csvIds).toEqual(result.rows.map((row: { account_id: string }) => row.account_id));
  });

  it('score --from backfills history into the state folder, idempotently', async () => {
    const state = path.join(dir, 'history');
    const first = await vitals(
      'score',
      '--data',
      data(),
      '--state',
      state,
      '--from',
      '2026-01-01',
      '--to',
      '2026-03-01',
      '--every',
      '14',
      '--json',
    );
    expect(first.code, first.stderr).toBe(0);
    const run = JSON.parse(first.stdout);
    // 2026-03-01 back to 2026-01-01 every 14 days: 03-01, 02-15, 02-01, 01-18, 01-04.
    expect(run.dates).toBe(5);
    expect(run.from).toBe('2026-01-04');
    const second = JSON.parse(
      (
        await vitals(
          'score',
          '--data',
          data(),
          '--state',
          state,
          '--from',
          '2026-01-01',
          '--to',
          '2026-03-01',
          '--every',
          '14',
          '--json',
        )
      ).stdout,
    );
    expect(second.accounts).toBe(run.accounts);
    const db = await openDatabase(path.join(state, 'vitals.duckdb'), { access_mode: 'READ_ONLY' });
    try {
      const [stored] = await withConnection(db, (connection) =>
        queryRows<{ n: number; dates: number }>(
          connection,
          'SELECT count(*)::INTEGER AS n, count(DISTINCT as_of)::INTEGER AS dates FROM scores',
        ),
      );
      expect(stored).toEqual({ n: run.accounts, dates: 5 });
    } finally {
      db.closeSync();
    }
  });
});
