import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Command, InvalidArgumentError, Option } from 'commander';
import { queryRows, sqlString, withConnection } from '../../../data/duckdb.ts';
import { productionModel, STATE_FILE, STATE_SCHEMA } from '../../../lab/registry/index.ts';
import { LabError } from '../../../lab/errors.ts';
import {
  COHORT_FIELDS,
  cohortTrends,
  parseSeriesName,
  trendsToColumns,
  USAGE_SERIES,
  type CohortField,
  type TrendsResult,
} from '../../../lab/seasonality/index.ts';
import { openCheckedData } from '../dataset.ts';
import { isoDate, todayUtc } from '../options.ts';
import { stateOption } from './models.ts';

interface DecomposeOptions {
  series: string;
  by: CohortField;
  period?: number[];
  from?: string;
  to?: string;
  adjust: boolean;
  data: string;
  state: string;
  format: 'csv' | 'json';
  json?: boolean;
  out?: string;
}

function seriesArgument(value: string): string {
  try {
    parseSeriesName(value);
  } catch (error) {
    if (error instanceof LabError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return value;
}

function periodList(value: string): number[] {
  const periods = value.split(',').map((item) => Number(item.trim()));
  if (periods.length === 0 || periods.some((p) => !Number.isInteger(p) || p < 2)) {
    throw new InvalidArgumentError(
      `expected whole numbers of at least 2 separated by commas (e.g. 7,365), got "${value}"`,
    );
  }
  return periods;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The long format as CSV: a header row, then one row per cohort and date; numbers unrounded. */
export function trendsCsv(result: TrendsResult): string {
  const { kinds, columns, length } = trendsToColumns(result);
  const lines = [kinds.map(([name]) => name).join(',')];
  for (let i = 0; i < length; i++) {
    lines.push(kinds.map(([name]) => csvCell(columns[name]![i] ?? null)).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Attaches STATE_DIR read-only and returns the production model's hash. */
async function attachScores(connection: DuckDBConnection, stateDir: string): Promise<string> {
  const file = path.resolve(stateDir, STATE_FILE);
  if (!existsSync(file)) {
    throw new Error(
      `there is no state database at ${file}: the score series reads the score history (start the server, or run "vitals score --from <date>" first)`,
    );
  }
  await connection
    .run(`ATTACH ${sqlString(file)} AS ${STATE_SCHEMA} (READ_ONLY)`)
    .catch((error: Error) => {
      throw new Error(
        /lock/i.test(error.message)
          ? `the state database ${file} is in use by another process (is the Vitals server running on it? use GET /api/trends instead, or stop it)`
          : `cannot open ${file}: ${error.message.split('\n')[0]}`,
        { cause: error },
      );
    });
  const [history] = await queryRows<{ n: number }>(
    connection,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = $db AND table_name = 'scores'`,
    { db: STATE_SCHEMA },
  );
  const production = history?.n ? await productionModel(connection, STATE_SCHEMA) : null;
  if (!production) {
    throw new Error(`${file} has no production model with a score history to read`);
  }
  return production.hash;
}

export function decomposeCommand(): Command {
  return new Command('decompose')
    .description(
      'seasonality-adjusted trends per cohort: the per-account mean of a series per day (weekly for scores), decomposed by MSTL into trend, seasonal components (weekly, and yearly from two years of data on) and remainder; prints one row per cohort and date (cohort, date, raw, trend, seasonal_<period>..., remainder, adjusted, model) as CSV, or the whole result as JSON. Usage and signal series whose values are all above 0 are decomposed multiplicatively (components are factors: raw = trend x seasonals x remainder, adjusted = raw / seasonals), others additively (raw = trend + seasonals + remainder, adjusted = raw - seasonals)',
    )
    .requiredOption(
      '--series <name>',
      `what to decompose: a usage column (${USAGE_SERIES.join(', ')}), signal:<name> (a custom signal from the signals table), or score (the production model's score history in STATE_DIR)`,
      seriesArgument,
    )
    .addOption(
      new Option('--by <field>', 'the cohort field').choices(COHORT_FIELDS).makeOptionMandatory(),
    )
    .option(
      '--period <list>',
      'seasonal periods in days (weeks for score), comma-separated, e.g. 7,365 (default: 7, plus 365 from two years of data on; 52 for score from 105 weeks on)',
      periodList,
    )
    .option('--from <date>', 'first date of the output (default: the first date of data)', isoDate)
    .option(
      '--to <date>',
      'last date of the data used and of the output (default: the latest date of the series); later rows are ignored',
      isoDate,
    )
    .option('--no-adjust', 'the raw series only, without decomposition')
    .option('--data <dir>', 'data folder', process.env.DATA_DIR ?? './data/demo')
    .addOption(stateOption())
    .addOption(
      new Option('--format <format>', 'output format: csv (long format) or json (the whole result)')
        .choices(['csv', 'json'])
        .default('csv'),
    )
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write to FILE instead of stdout')
    .action(async (options: DecomposeOptions) => {
      const { db, tables } = await openCheckedData(options.data, todayUtc());
      let result: TrendsResult;
      try {
        result = await withConnection(db, async (connection) => {
          const spec = parseSeriesName(options.series);
          const scores =
            spec.kind === 'score'
              ? {
                  schema: STATE_SCHEMA,
                  modelHash: await attachScores(connection, options.state),
                }
              : undefined;
          return cohortTrends(connection, {
            series: options.series,
            by: options.by,
            from: options.from,
            to: options.to,
            adjust: options.adjust,
            periods: options.period,
            tables,
            scores,
          });
        });
      } finally {
        db.closeSync();
      }
      const text =
        options.json || options.format === 'json'
          ? `${JSON.stringify(result, null, 2)}\n`
          : trendsCsv(result);
      if (!options.out) {
        process.stdout.write(text);
        return;
      }
      const out = path.resolve(options.out);
      const temporary = `${out}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, out);
      process.stderr.write(
        `wrote ${out}: ${result.cohorts.length} cohorts, ${result.from ?? '-'} .. ${result.to ?? '-'}\n`,
      );
    });
}
