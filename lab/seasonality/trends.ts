/**
 * Seasonality-adjusted cohort trends: a usage column, a custom signal or the stored health score,
 * averaged per account within each cohort (segment, plan, ...) and decomposed into trend,
 * seasonal components and remainder, so that a dashboard can show raw and adjusted side by side.
 *
 * Only data on or before `to` enters the decomposition (the point-in-time rule); the output is
 * then cut to [from, to]. Cohort expressions come from a fixed map and every value is bound.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import { runRows } from '../run.ts';
import { fillGaps, MIN_DAILY_POINTS, dailyPeriods } from './daily.ts';
import { mstl, type MstlResult } from './mstl.ts';
import { StlError } from './stl.ts';

export const COHORT_FIELDS = [
  'segment',
  'plan',
  'region',
  'industry',
  'owner',
  'start_quarter',
] as const;
export type CohortField = (typeof COHORT_FIELDS)[number];

/** The usage_daily columns that can be a series (seats are licences, not activity). */
export const USAGE_SERIES = ['active_users', 'logins', 'feature_events', 'features_used'] as const;
export type UsageSeries = (typeof USAGE_SERIES)[number];

/** The cohort of an account (`a` is the accounts table), by field. */
const COHORT_SQL: Record<CohortField, string> = {
  segment: 'a.segment',
  plan: 'a.plan',
  region: 'a.region',
  industry: 'a.industry',
  owner: 'a.owner',
  start_quarter: `strftime(a.start_date, '%Y') || '-Q' || quarter(a.start_date)`,
};

/** Weekly score points a yearly period (52 weeks) needs: more than two cycles. */
const YEARLY_WEEKLY_POINTS = 104;
const SIGNAL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DAY_MS = 86_400_000;
const toDay = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const toIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export type SeriesSpec =
  { kind: 'usage'; column: UsageSeries } | { kind: 'signal'; signal: string } | { kind: 'score' };

/** Reads a series name: a usage column, `score`, or `signal:<name>`. Throws LabError otherwise. */
export function parseSeriesName(series: string): SeriesSpec {
  if ((USAGE_SERIES as readonly string[]).includes(series)) {
    return { kind: 'usage', column: series as UsageSeries };
  }
  if (series === 'score') return { kind: 'score' };
  if (series.startsWith('signal:') && SIGNAL_NAME.test(series.slice('signal:'.length))) {
    return { kind: 'signal', signal: series.slice('signal:'.length) };
  }
  throw new LabError(
    'invalid_request',
    `unknown series "${series.slice(0, 100)}": expected one of ${USAGE_SERIES.join(', ')}, ` +
      `score, or signal:<name> (a name of up to 64 letters, digits, _, - or .)`,
    { series: series.slice(0, 100) },
  );
}

/** Checks a cohort field name. Throws LabError for anything not in COHORT_FIELDS. */
export function parseCohortField(by: string): CohortField {
  if ((COHORT_FIELDS as readonly string[]).includes(by)) return by as CohortField;
  throw new LabError(
    'invalid_request',
    `unknown cohort field "${by.slice(0, 100)}": expected one of ${COHORT_FIELDS.join(', ')}`,
    { by: by.slice(0, 100) },
  );
}

export interface TrendsRequest {
  series: string;
  by: CohortField;
  /** First date of the output (default: the first date of the data). */
  from?: string | undefined;
  /** Last date of the data used and of the output (default: the latest date of the series). */
  to?: string | undefined;
  /** Decompose and adjust (default true); false returns the raw series only. */
  adjust?: boolean | undefined;
  /** Seasonal periods in points (days, or weeks for scores); default from the series length. */
  periods?: readonly number[] | undefined;
  tables: readonly TableName[];
  /** Where the score history is and which model's scores to read (for `score`). */
  scores?: { schema: string; modelHash: string } | undefined;
}

const DECOMPOSITION_MODELS = ['multiplicative', 'additive'] as const;

export const trendsCohortSchema = z.object({
  cohort: z.string(),
  /** Distinct accounts of the cohort with a value in [from, to]. */
  accounts: z.number().int(),
  dates: z.array(z.string()),
  /** The per-account mean; null on a day (or week) without data, filled for the fit. */
  raw: z.array(z.number().nullable()),
  /** Multiplicative: the trend level exp(trend of the log); additive: the trend. */
  trend: z.array(z.number()).nullable(),
  /** Multiplicative: factors exp(seasonal of the log); additive: offsets. */
  seasonals: z.array(z.object({ period: z.number().int(), values: z.array(z.number()) })),
  /** Multiplicative: factors; additive: differences; null where raw is null. */
  remainder: z.array(z.number().nullable()).nullable(),
  /** raw / product of the seasonals (multiplicative) or raw - their sum (additive). */
  adjusted: z.array(z.number().nullable()),
  /** Points in `dates` without data (raw null), filled by interpolation for the fit. */
  filled: z.number().int(),
  periods: z.array(z.number().int()),
  model: z.enum(DECOMPOSITION_MODELS),
  note: z.string().optional(),
});

export const trendsResultSchema = z.object({
  series: z.string(),
  by: z.enum(COHORT_FIELDS),
  /** The output range; null only when the series has no data at all. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  cohorts: z.array(trendsCohortSchema),
});

export type TrendsCohort = z.infer<typeof trendsCohortSchema>;
export type TrendsResult = z.infer<typeof trendsResultSchema>;

/** One cohort's series on a regular grid: `values[i]` belongs to grid point `start + i`. */
interface CohortSeries {
  cohort: string;
  accounts: number;
  start: number;
  values: (number | null)[];
}

/** The series of every cohort on a grid (days, or weeks for scores), and how to label a point. */
interface GriddedSeries {
  cohorts: CohortSeries[];
  label: (point: number) => string;
  /** Grid points of the output range [from, to]. */
  first: number;
  last: number;
  from: string | null;
  to: string | null;
  weekly: boolean;
}

interface CohortRow {
  cohort: string;
  accounts: number;
  points: number[];
  values: (number | null)[];
}

/**
 * Per cohort of `by`: the accounts with data in [from, to] (point >= $first), and the per-point
 * means over the rows of `perAccount` (account_id, point, value; one row per account and point,
 * with `a.cohort` from the `cohorts` CTE joined as `a`).
 */
function cohortSql(by: CohortField, perAccount: string): string {
  return `WITH cohorts AS (
  SELECT account_id, coalesce(CAST(${COHORT_SQL[by]} AS VARCHAR), '(none)') AS cohort FROM accounts a
),
per_account AS (${perAccount}),
points AS (SELECT cohort, point, avg(value) AS value FROM per_account GROUP BY cohort, point),
counts AS (
  SELECT cohort, count(*)::INTEGER AS accounts FROM cohorts
  WHERE account_id IN (SELECT account_id FROM per_account WHERE point >= CAST($first AS INTEGER))
  GROUP BY cohort
)
SELECT p.cohort, c.accounts, list(p.point ORDER BY p.point) AS points,
  list(p.value::DOUBLE ORDER BY p.point) AS values
FROM points p JOIN counts c USING (cohort)
GROUP BY p.cohort, c.accounts ORDER BY p.cohort`;
}

function toSeries(rows: CohortRow[]): CohortSeries[] {
  return rows.map(({ cohort, accounts, points, values }) => {
    const start = points[0]!;
    const series: (number | null)[] = Array.from(
      { length: points.at(-1)! - start + 1 },
      () => null,
    );
    for (let i = 0; i < points.length; i++) series[points[i]! - start] = values[i] ?? null;
    return { cohort, accounts, start, values: series };
  });
}

function requireTables(tables: readonly TableName[], needed: readonly TableName[], what: string) {
  const missing = needed.filter((table) => !tables.includes(table));
  if (missing.length > 0) {
    throw new LabError(
      'missing_required_table',
      `${what} needs the ${missing.join(' and ')} table${missing.length > 1 ? 's' : ''}, which the data does not have`,
      { missing },
    );
  }
}

async function dailySeries(
  connection: DuckDBConnection,
  spec: Exclude<SeriesSpec, { kind: 'score' }>,
  request: TrendsRequest,
): Promise<GriddedSeries> {
  const source = spec.kind === 'usage' ? 'usage_daily' : 'signals';
  requireTables(request.tables, ['accounts', source], `the series ${request.series}`);
  const params: Record<string, string> = {
    to: request.to ?? '9999-12-31',
    first: String(request.from ? toDay(request.from) : -1e9),
  };
  if (spec.kind === 'signal') {
    params.signal = spec.signal;
    const [found] = await runRows<{ n: number }>(
      connection,
      'SELECT count(*)::INTEGER AS n FROM signals WHERE signal = $signal',
      { signal: spec.signal },
    );
    if (!found || found.n === 0) {
      throw new LabError(
        'invalid_request',
        `the signals table has no rows for the signal "${spec.signal}"`,
        { signal: spec.signal },
      );
    }
  }
  const value = spec.kind === 'usage' ? `CAST(v.${spec.column} AS DOUBLE)` : 'v.value';
  const rows = await runRows<CohortRow>(
    connection,
    cohortSql(
      request.by,
      `SELECT a.cohort, v.account_id,
    CAST(v.date - DATE '1970-01-01' AS INTEGER) AS point, ${value} AS value
  FROM ${source} v JOIN cohorts a ON a.account_id = v.account_id
  WHERE v.date <= CAST($to AS DATE) AND ${value} IS NOT NULL
    ${spec.kind === 'signal' ? 'AND v.signal = $signal' : ''}`,
    ),
    params,
  );
  const cohorts = toSeries(rows);
  const lastData = Math.max(...cohorts.map((c) => c.start + c.values.length - 1));
  const firstData = Math.min(...cohorts.map((c) => c.start));
  const to = request.to ?? (cohorts.length > 0 ? toIso(lastData) : null);
  const from = request.from ?? (cohorts.length > 0 ? toIso(firstData) : null);
  return {
    cohorts,
    label: toIso,
    first: from === null ? 0 : toDay(from),
    last: to === null ? 0 : toDay(to),
    from,
    to,
    weekly: false,
  };
}

/**
 * The weekly score series: one point per week, ending at the newest scored date on or before
 * `to`; each point is the cohort's mean score at the newest scored date within its week (the
 * history is scored weekly, and a daily scheduled run may add dates in between).
 */
async function scoreSeries(
  connection: DuckDBConnection,
  request: TrendsRequest,
): Promise<GriddedSeries> {
  if (!request.scores) {
    throw new LabError('invalid_request', 'the score series needs a score history and a model');
  }
  requireTables(request.tables, ['accounts'], 'the score series');
  const { schema, modelHash } = request.scores;
  const scored = await runRows<{ d: string }>(
    connection,
    `SELECT DISTINCT strftime(as_of, '%Y-%m-%d') AS d FROM ${schema}.scores
     WHERE model_hash = $hash ORDER BY d`,
    { hash: modelHash },
  );
  if (scored.length === 0) {
    throw new LabError(
      'invalid_request',
      `no scores are stored for the model ${modelHash.slice(0, 12)}`,
      { modelHash },
    );
  }
  const days = scored
    .map((row) => toDay(row.d))
    .filter((d) => !request.to || d <= toDay(request.to));
  const lastScored = days.at(-1);
  // Week k ends on grid[k]; picks[k] is the newest scored day within (grid[k] - 7, grid[k]].
  const grid: number[] = [];
  const picks = new Map<number, number>();
  if (lastScored !== undefined) {
    let j = days.length - 1;
    for (let end = lastScored, k = 0; end >= days[0]!; end -= 7, k++) {
      grid.push(end);
      while (j >= 0 && days[j]! > end) j--;
      if (j >= 0 && days[j]! > end - 7) picks.set(days[j]!, k);
    }
    grid.reverse();
  }
  const position = (k: number) => grid.length - 1 - k;
  const firstWanted = request.from ? toDay(request.from) : -1e9;
  const firstPoint = grid.findIndex((day) => day >= firstWanted);
  const rows =
    picks.size === 0
      ? []
      : await runRows<CohortRow>(
          connection,
          cohortSql(
            request.by,
            `SELECT a.cohort, s.account_id, p.point, s.score AS value
  FROM ${schema}.scores s
  JOIN (SELECT DATE '1970-01-01' + CAST(unnest($pick_days) AS INTEGER) AS as_of,
          CAST(unnest($pick_points) AS INTEGER) AS point) p ON p.as_of = s.as_of
  JOIN cohorts a ON a.account_id = s.account_id
  WHERE s.model_hash = $hash AND s.score IS NOT NULL`,
          ),
          {
            hash: modelHash,
            first: String(firstPoint === -1 ? grid.length : firstPoint),
            pick_days: [...picks.keys()].map(String),
            pick_points: [...picks.values()].map((k) => String(position(k))),
          },
        );
  const from = request.from ?? (grid.length > 0 ? toIso(grid[0]!) : null);
  const to = request.to ?? (lastScored === undefined ? null : toIso(lastScored));
  return {
    cohorts: toSeries(rows),
    label: (point) => toIso(grid[point]!),
    first: firstPoint === -1 ? grid.length : firstPoint,
    last: grid.length - 1,
    from,
    to,
    weekly: true,
  };
}

interface Decomposition {
  fit: MstlResult | null;
  note?: string;
}

/**
 * MSTL of `values` (gaps filled) with the requested periods or those the length allows; a series
 * too short for any period gives a note instead.
 */
function decompose(
  values: (number | null)[],
  weekly: boolean,
  periods: readonly number[] | undefined,
): Decomposition {
  const n = values.length;
  let use = periods;
  if (!weekly && n < MIN_DAILY_POINTS) {
    return {
      fit: null,
      note: `${n} days of data are too few to decompose: at least ${MIN_DAILY_POINTS} (four weeks) are needed`,
    };
  }
  if (!use) {
    if (weekly && n <= YEARLY_WEEKLY_POINTS) {
      return {
        fit: null,
        note: `${n} weekly scores are too few for a yearly period: more than ${YEARLY_WEEKLY_POINTS} weeks are needed`,
      };
    }
    use = weekly ? [52] : dailyPeriods(n);
  }
  const { values: filled } = fillGaps(values);
  try {
    return { fit: mstl(filled, { periods: use }) };
  } catch (error) {
    if (!(error instanceof StlError)) throw error;
    if (error.code === 'too_short') {
      return { fit: null, note: `the series cannot be decomposed: ${error.message}` };
    }
    const message = `cannot decompose with periods ${use.join(', ')}: ${error.message}`;
    throw new LabError('invalid_request', message, { periods: use });
  }
}

function droppedNote(fit: MstlResult, n: number, weekly: boolean): string | undefined {
  if (fit.periodsDropped.length === 0) return undefined;
  const unit = weekly ? 'weeks' : 'days';
  return `period${fit.periodsDropped.length > 1 ? 's' : ''} ${fit.periodsDropped.join(', ')} left out: ${n} ${unit} of data hold at most two cycles`;
}

function cohortTrend(
  series: CohortSeries,
  grid: GriddedSeries,
  request: TrendsRequest,
): TrendsCohort {
  const { values, start } = series;
  const multiplicative = !grid.weekly && values.every((value) => value === null || value > 0);
  const lo = Math.max(0, grid.first - start);
  const hi = Math.min(values.length - 1, grid.last - start);
  const cut = <T>(list: ArrayLike<T>) => Array.from(list).slice(lo, hi + 1);
  const raw = cut(values);
  const base = {
    cohort: series.cohort,
    accounts: series.accounts,
    dates: raw.map((_, i) => grid.label(start + lo + i)),
    raw,
    filled: raw.filter((value) => value === null).length,
    model: multiplicative ? ('multiplicative' as const) : ('additive' as const),
  };
  const unadjusted = {
    ...base,
    trend: null,
    seasonals: [],
    remainder: null,
    adjusted: raw,
    periods: [],
  };
  if (request.adjust === false) return unadjusted;
  const { fit, note } = decompose(
    multiplicative ? values.map((v) => (v === null ? null : Math.log(v))) : values,
    grid.weekly,
    request.periods,
  );
  if (!fit) return { ...unadjusted, ...(note ? { note } : {}) };
  const out = multiplicative ? Math.exp : (v: number) => v;
  const seasonalSum = new Float64Array(values.length);
  for (const seasonal of fit.seasonals) {
    for (let i = 0; i < values.length; i++) seasonalSum[i]! += seasonal.values[i]!;
  }
  const adjusted = values.map((v, i) =>
    v === null ? null : multiplicative ? v / Math.exp(seasonalSum[i]!) : v - seasonalSum[i]!,
  );
  const dropped = droppedNote(fit, values.length, grid.weekly);
  return {
    ...base,
    trend: cut(fit.trend).map(out),
    seasonals: fit.seasonals.map(({ period, values: s }) => ({ period, values: cut(s).map(out) })),
    remainder: cut(fit.remainder).map((r, i) =>
      raw[i] === null || Number.isNaN(r) ? null : out(r),
    ),
    adjusted: cut(adjusted),
    periods: fit.periodsUsed,
    ...(dropped ? { note: dropped } : {}),
  };
}

/**
 * The series `request.series` per cohort of `request.by`, raw and (unless `adjust` is false)
 * decomposed: daily usage and signals multiplicatively when every value is above 0 (else
 * additively), weekly scores additively.
 */
export async function cohortTrends(
  connection: DuckDBConnection,
  request: TrendsRequest,
): Promise<TrendsResult> {
  const spec = parseSeriesName(request.series);
  const by = parseCohortField(request.by);
  if (request.from && request.to && request.from > request.to) {
    throw new LabError('invalid_request', `from (${request.from}) is after to (${request.to})`);
  }
  const grid =
    spec.kind === 'score'
      ? await scoreSeries(connection, request)
      : await dailySeries(connection, spec, request);
  const cohorts = grid.cohorts.map((series) => cohortTrend(series, grid, request));
  return { series: request.series, by, from: grid.from, to: grid.to, cohorts };
}

/** Column names and kinds of the long format (one row per cohort and date), in order. */
export function trendsColumnKinds(result: TrendsResult): [string, 'string' | 'number'][] {
  const periods = [...new Set(result.cohorts.flatMap((c) => c.periods))].sort((a, b) => a - b);
  return [
    ['cohort', 'string'],
    ['date', 'string'],
    ['raw', 'number'],
    ['trend', 'number'],
    ...periods.map((p): [string, 'number'] => [`seasonal_${p}`, 'number']),
    ['remainder', 'number'],
    ['adjusted', 'number'],
    ['model', 'string'],
  ];
}

/**
 * The result in long format, one row per cohort and date, as columns: cohort, date, raw, trend,
 * seasonal_<period> for every period of any cohort (null where a cohort has no such component),
 * remainder, adjusted, and the cohort's model (which says whether the components are factors).
 */
export function trendsToColumns(result: TrendsResult): {
  kinds: [string, 'string' | 'number'][];
  columns: Record<string, (string | number | null)[]>;
  length: number;
} {
  const kinds = trendsColumnKinds(result);
  const columns: Record<string, (string | number | null)[]> = Object.fromEntries(
    kinds.map(([name]) => [name, []]),
  );
  let length = 0;
  for (const cohort of result.cohorts) {
    const seasonal = new Map(cohort.seasonals.map((s) => [`seasonal_${s.period}`, s.values]));
    cohort.dates.forEach((date, i) => {
      for (const [name] of kinds) {
        let value: string | number | null;
        if (name === 'cohort') value = cohort.cohort;
        else if (name === 'date') value = date;
        else if (name === 'model') value = cohort.model;
        else if (name === 'raw') value = cohort.raw[i] ?? null;
        else if (name === 'trend') value = cohort.trend?.[i] ?? null;
        else if (name === 'remainder') value = cohort.remainder?.[i] ?? null;
        else if (name === 'adjusted') value = cohort.adjusted[i] ?? null;
        else value = seasonal.get(name)?.[i] ?? null;
        columns[name]!.push(value);
      }
      length++;
    });
  }
  return { kinds, columns, length };
}
