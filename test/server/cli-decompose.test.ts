import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trendsResultSchema, type TrendsResult } from '../../lab/seasonality/index.ts';
import { vitals } from '../helpers/cli.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';

/** A CSV of plain and double-quoted cells (the cells this command writes), as rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quoted) {
        if (char === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (char === '"') quoted = false;
        else cell += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        cells.push(cell);
        cell = '';
      } else cell += char;
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

/** The JSON result's values in long format, as CSV cells ('' for null). */
function expectedRows(result: TrendsResult, periods: number[]): string[][] {
  const cell = (value: number | string | null | undefined) =>
    value === null || value === undefined ? '' : String(value);
  return result.cohorts.flatMap((cohort) =>
    cohort.dates.map((date, k) => [
      cohort.cohort,
      date,
      cell(cohort.raw[k]),
      cell(cohort.trend?.[k]),
      ...periods.map((p) => cell(cohort.seasonals.find((s) => s.period === p)?.values[k])),
      cell(cohort.remainder?.[k]),
      cell(cohort.adjusted[k]),
      cohort.model,
    ]),
  );
}

describe('vitals decompose', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 120, days: 800, seed: 3, endDate: END });
  });
  afterAll(() => folder.cleanup());

  it('writes CSV in long format whose numbers are exactly those of the JSON result', async () => {
    const args = [
      '--series',
      'logins',
      '--by',
      'owner',
      '--from',
      '2024-12-01',
      '--data',
      folder.dir,
    ];
    const [csv, json] = await Promise.all([
      vitals('decompose', ...args),
      vitals('decompose', ...args, '--format', 'json'),
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const result = trendsResultSchema.parse(JSON.parse(json.stdout));
    expect(result).toMatchObject({ series: 'logins', by: 'owner', from: '2024-12-01', to: END });
    expect(result.cohorts.length).toBeGreaterThan(3);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header).toEqual([
      'cohort',
      'date',
      'raw',
      'trend',
      'seasonal_7',
      'seasonal_365',
      'remainder',
      'adjusted',
      'model',
    ]);
    expect(rows).toEqual(expectedRows(result, [7, 365]));
    // Unrounded: every number reads back as the very double of the JSON.
    const first = result.cohorts[0]!;
    expect(Number(rows[0]![3])).toBe(first.trend![0]);
  });

  it('writes to --out, and takes --period, --to and --no-adjust', async () => {
    const out = path.join(folder.dir, 'trends.csv');
    const run = await vitals(
      'decompose',
      '--series',
      'signal:product_qualified_score',
      '--by',
      'segment',
      '--period',
      '7',
      '--to',
      '2024-06-30',
      '--data',
      folder.dir,
      '--out',
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^wrote .*trends\.csv: 3 cohorts, 2023-04-\d\d \.\. 2024-06-30\n$/);
    const [header, ...rows] = parseCsv(await readFile(out, 'utf8'));
    expect(header).toEqual([
      'cohort',
      'date',
      'raw',
      'trend',
      'seasonal_7',
      'remainder',
      'adjusted',
      'model',
    ]);
    expect(rows.at(-1)![1]).toBe('2024-06-30');
    const raw = await vitals(
      'decompose',
      '--series',
      'active_users',
      '--by',
      'segment',
      '--no-adjust',
      '--data',
      folder.dir,
      '--json',
    );
    expect(raw.code, raw.stderr).toBe(0);
    for (const cohort of trendsResultSchema.parse(JSON.parse(raw.stdout)).cohorts) {
      expect(cohort).toMatchObject({ trend: null, remainder: null, seasonals: [], periods: [] });
    }
  });

  it('reads the score history of the production model from --state', async () => {
    const state = path.join(folder.dir, 'state');
    const scored = await vitals(
      'score',
      '--data',
      folder.dir,
      '--state',
      state,
      '--from',
      '2025-05-01',
    );
    expect(scored.code, scored.stderr).toBe(0);
    const run = await vitals(
      'decompose',
      '--series',
      'score',
      '--by',
      'region',
      '--data',
      folder.dir,
      '--state',
      state,
      '--format',
      'json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = trendsResultSchema.parse(JSON.parse(run.stdout));
    // Backfilled every 7 days back from the last data day.
    expect(result.cohorts[0]!.dates).toEqual([
      '2025-05-05',
      '2025-05-12',
      '2025-05-19',
      '2025-05-26',
      '2025-06-02',
      '2025-06-09',
      '2025-06-16',
      '2025-06-23',
      '2025-06-30',
    ]);
    expect(result.cohorts[0]!.note).toMatch(/too few for a yearly period/);
  });

  it('--help describes every option', async () => {
    const help = await vitals('decompose', '--help');
    expect(help.code).toBe(0);
    for (const option of [
      '--series <name>',
      '--by <field>',
      '--period <list>',
      '--from <date>',
      '--to <date>',
      '--no-adjust',
      '--data <dir>',
      '--state <dir>',
      '--format <format>',
      '--json',
      '--out <file>',
    ]) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toContain('signal:<name>');
    expect(help.stdout).toContain('start_quarter');
    expect(help.stdout).toMatch(/multiplicatively/);
  });

  it.each([
    [
      ['--series', 'logins', '--by', 'name'],
      "error: option '--by <field>' argument 'name' is invalid. Allowed choices are segment, plan, region, industry, owner, start_quarter.",
    ],
    [['--series', 'logins'], "error: required option '--by <field>' not specified"],
    [
      ['--series', 'revenue', '--by', 'plan'],
      'unknown series "revenue": expected one of active_users, logins, feature_events, features_used, score, or signal:<name>',
    ],
    [
      ['--series', 'logins', '--by', 'plan', '--period', '7,x'],
      'expected whole numbers of at least 2 separated by commas (e.g. 7,365), got "7,x"',
    ],
    [
      ['--series', 'signal:nothing_here', '--by', 'plan'],
      'vitals: the signals table has no rows for the signal "nothing_here"',
    ],
    [
      ['--series', 'score', '--by', 'plan', '--state', '/nonexistent/state'],
      'there is no state database at',
    ],
  ])('exits 1 with a message for %j', async (args, message) => {
    const run = await vitals('decompose', ...args, '--data', folder.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
