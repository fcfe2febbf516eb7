/**
 * Seasonal factors for adjusted usage metrics.
 *
 * For each date T and segment, the segment's daily totals of each usage column over the data on
 * or before T are decomposed multiplicatively (MSTL of the log: weekly, and yearly from two full
 * years of history on; see daily.ts), and the factor of day d is exp(sum of the seasonal
 * components at d). An account's usage on day d, as seen from T, is divided by its segment's
 * factor for d as of T. Only data on or before T ever enters the factors of T (the point-in-time
 * rule), so appending later data changes nothing as of T.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors.ts';
import { runRows, runStatement } from '../run.ts';
import { decomposeDaily } from './daily.ts';
import { StlError } from './stl.ts';

/** The usage columns that have adjusted values (seats are licences, not activity). */
export const SEASONAL_COLUMNS = [
  'active_users',
  'logins',
  'feature_events',
  'features_used',
] as const;
export type SeasonalColumn = (typeof SEASONAL_COLUMNS)[number];

/** The temp table the metric SQL joins: segment, as_of, date, f_<column> per seasonal column. */
export const SEASONAL_FACTORS_TABLE = 'vitals_seasonal_factors';

const DAY_MS = 86_400_000;
const toDay = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

export interface SeasonalFactorsRequest {
  /** The dates T. */
  asOf: readonly string[];
  /** Factors are kept for the days (T - days, T]: the longest window of a usage metric. */
  days: number;
}

export interface SeasonalFactors {
  /** Per segment and date T: the periods fitted, or why none was. */
  fits: { segment: string; asOf: string; periods: number[]; note?: string }[];
  warnings: string[];
}

interface SegmentSeries {
  firstDay: number;
  /** Per column, the daily totals from firstDay on (NaN: no row that day). */
  totals: Record<SeasonalColumn, Float64Array>;
}

async function segmentTotals(
  connection: DuckDBConnection,
  lastAsOf: string,
): Promise<Map<string, SegmentSeries>> {
  const rows = await runRows<Record<string, string | number>>(
    connection,
    `SELECT a.segment, CAST(u.date - DATE '1970-01-01' AS INTEGER) AS day,
  ${SEASONAL_COLUMNS.map((c) => `CAST(sum(u.${c}) AS DOUBLE) AS ${c}`).join(',\n  ')}
FROM usage_daily u JOIN accounts a ON a.account_id = u.account_id
WHERE u.date <= CAST($last_as_of AS DATE)
GROUP BY a.segment, u.date
ORDER BY a.segment, u.date`,
    { last_as_of: lastAsOf },
  );
  const bySegment = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) {
    const segment = String(row.segment);
    if (!bySegment.has(segment)) bySegment.set(segment, []);
    bySegment.get(segment)!.push(row);
  }
  const series = new Map<string, SegmentSeries>();
  for (const [segment, list] of bySegment) {
    const firstDay = Number(list[0]!.day);
    const length = Number(list.at(-1)!.day) - firstDay + 1;
    const totals = Object.fromEntries(
      SEASONAL_COLUMNS.map((column) => [column, new Float64Array(length).fill(NaN)]),
    ) as Record<SeasonalColumn, Float64Array>;
    for (const row of list) {
      const index = Number(row.day) - firstDay;
      for (const column of SEASONAL_COLUMNS) totals[column][index] = Number(row[column]);
    }
    series.set(segment, { firstDay, totals });
  }
  return series;
}

/**
 * The multiplicative seasonal factor of every day of `values` (daily totals, NaN or <= 0 for a
 * day without usable data): the product over the seasonal components of MSTL on the log of
 * exp(component), each scaled so that its arithmetic mean over the last full cycle is 1. Without
 * that scaling (the log components average 0, so their exponentials average above 1), dividing
 * usage by the factors would lower every window's total (a 30-day sum of weekday-heavy usage
 * divided by weekday factors above 1); with it, a window of ordinary days keeps its total and only
 * the days of a seasonal dip or peak are rescaled. Throws StlError 'too_short' under four weeks.
 */
export function dailyFactors(values: Float64Array): { factors: Float64Array; periods: number[] } {
  const logs = Array.from(values, (v) => (v > 0 ? Math.log(v) : null));
  const fit = decomposeDaily(logs);
  const n = values.length;
  const factors = new Float64Array(n).fill(1);
  for (const { period, values: seasonal } of fit.seasonals) {
    let mean = 0;
    for (let i = n - period; i < n; i++) mean += Math.exp(seasonal[i]!);
    mean /= period;
    for (let i = 0; i < n; i++) factors[i]! *= Math.exp(seasonal[i]!) / mean;
  }
  return { factors, periods: fit.periodsUsed };
}

/**
 * Computes the factors of every date T for the days (T - days, T] into SEASONAL_FACTORS_TABLE (a
 * temp table of this connection, replaced). A segment whose history up to T is under four weeks
 * gets no rows for T, so its accounts keep their raw values (reported in the warnings).
 */
export async function prepareSeasonalFactors(
  connection: DuckDBConnection,
  request: SeasonalFactorsRequest,
): Promise<SeasonalFactors> {
  const dates = [...new Set(request.asOf)].sort();
  if (dates.length === 0) throw new LabError('invalid_request', 'seasonal factors need a date');
  const series = await segmentTotals(connection, dates.at(-1)!);
  const staging = `${SEASONAL_FACTORS_TABLE}_rows`;
  await runStatement(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${staging} (segment VARCHAR, as_of INTEGER, day INTEGER, ${SEASONAL_COLUMNS.map((c) => `f_${c} DOUBLE`).join(', ')})`,
  );
  const appender = await connection.createAppender(staging, 'main', 'temp');
  const fits: SeasonalFactors['fits'] = [];
  const warnings: string[] = [];
  try {
    for (const [segment, { firstDay, totals }] of series) {
      for (const asOf of dates) {
        const length = toDay(asOf) - firstDay + 1;
        if (length <= 0) continue;
        let factors: Record<SeasonalColumn, Float64Array>;
        let periods: number[] = [];
        try {
          factors = Object.fromEntries(
            SEASONAL_COLUMNS.map((column) => {
              const fit = dailyFactors(totals[column].subarray(0, length));
              periods = fit.periods;
              return [column, fit.factors];
            }),
          ) as Record<SeasonalColumn, Float64Array>;
        } catch (error) {
          if (!(error instanceof StlError)) throw error;
          const note = `seasonal factors of segment "${segment}" as of ${asOf}: ${error.message}; raw usage is used`;
          fits.push({ segment, asOf, periods: [], note });
          warnings.push(note);
          continue;
        }
        fits.push({ segment, asOf, periods });
        const asOfDay = toDay(asOf);
        for (let day = Math.max(firstDay, asOfDay - request.days + 1); day <= asOfDay; day++) {
          appender.appendVarchar(segment);
          appender.appendInteger(asOfDay);
          appender.appendInteger(day);
          for (const column of SEASONAL_COLUMNS) {
            appender.appendDouble(factors[column][day - firstDay]!);
          }
          appender.endRow();
        }
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await runStatement(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${SEASONAL_FACTORS_TABLE} AS
SELECT segment, DATE '1970-01-01' + as_of AS as_of, DATE '1970-01-01' + day AS date,
  ${SEASONAL_COLUMNS.map((c) => `f_${c}`).join(', ')}
FROM ${staging}`,
  );
  await runStatement(connection, `DROP TABLE ${staging}`);
  return { fits, warnings };
}

/**
 * Puts the factors a metric query needs in place (nothing when it reads no adjusted usage) and
 * returns their warnings.
 */
export async function prepareFactorsFor(
  connection: DuckDBConnection,
  plan: { seasonalDays: number | null },
  asOf: readonly string[],
): Promise<string[]> {
  if (plan.seasonalDays === null) return [];
  const { warnings } = await prepareSeasonalFactors(connection, { asOf, days: plan.seasonalDays });
  return warnings;
}
