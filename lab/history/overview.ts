import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { runRows } from '../run.ts';
import { fillGaps, mstl } from '../seasonality/index.ts';
import { shiftDate } from './history.ts';

/**
 * The CS-leadership overview at one scored date: accounts and ARR by band now and a month
 * earlier, the score distribution, the weekly trend (raw and seasonally adjusted), red accounts
 * renewing soon, and the largest score changes. ARR and account attributes come from the
 * account profiles (the last good copy of the accounts table), as in the portfolio and lists.
 */

const bandTotals = z.object({ accounts: z.number().int(), arr: z.number() });
const bandsSchema = z.object({
  red: bandTotals,
  yellow: bandTotals,
  green: bandTotals,
  /** Active accounts without a score (no metric had a value). */
  unscored: bandTotals,
});
const moverSchema = z.object({
  account_id: z.string(),
  name: z.string(),
  segment: z.string(),
  score: z.number(),
  previous: z.number(),
  change: z.number(),
});

export const overviewReplySchema = z.object({
  model: z.object({ hash: z.string(), name: z.string() }),
  asOf: z.string(),
  /** The newest scored date at least 30 days before asOf. */
  previousAsOf: z.string().nullable(),
  bands: z.object({ now: bandsSchema, previous: bandsSchema.nullable() }),
  /** 20 bins of 5 points: [0, 5), [5, 10), ..., [95, 100]. */
  distribution: z.array(
    z.object({
      from: z.number(),
      to: z.number(),
      accounts: z.number().int(),
      red: z.number().int(),
      yellow: z.number().int(),
      green: z.number().int(),
    }),
  ),
  trend: z.object({
    /** One point per week ending at asOf: the newest scored date within each week. */
    raw: z.array(
      z.object({
        asOf: z.string(),
        averageScore: z.number().nullable(),
        /** Red accounts over accounts with a score. */
        shareRed: z.number().nullable(),
        accounts: z.number().int(),
      }),
    ),
    /** averageScore minus its yearly seasonal component; null when the history is too short. */
    adjusted: z.array(z.object({ asOf: z.string(), averageScore: z.number() })).nullable(),
    adjustment: z.string(),
  }),
  atRisk: z.object({
    accounts: z.number().int(),
    arr: z.number(),
    rows: z.array(
      z.object({
        account_id: z.string(),
        name: z.string(),
        segment: z.string(),
        arr: z.number(),
        renewal_date: z.string(),
        score: z.number(),
        owner: z.string(),
      }),
    ),
  }),
  movers: z.object({ drops: z.array(moverSchema), gains: z.array(moverSchema) }),
});
export type OverviewReply = z.infer<typeof overviewReplySchema>;
export type OverviewBands = z.infer<typeof bandsSchema>;

/** Days after asOf within which a red account's renewal puts its ARR at risk. */
export const AT_RISK_RENEWAL_DAYS = 90;
export const AT_RISK_ROWS = 50;
export const MOVERS = 10;
/** How far back the comparison date lies (the newest scored date at least this many days back). */
export const PREVIOUS_DAYS = 30;
/** Weekly points a yearly (52-week) seasonal needs: more than two cycles. */
export const YEARLY_WEEKS = 52;
const MIN_ADJUST_POINTS = 2 * YEARLY_WEEKS;
const DAY_MS = 86_400_000;
const toDay = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

/** Where the scores are and which model's to read. */
interface Scope {
  connection: DuckDBConnection;
  schema: string;
  hash: string;
}

export interface WeeklyPoint {
  asOf: string;
  /** Position on the weekly grid (consecutive weeks differ by 1). */
  week: number;
  averageScore: number | null;
}

/**
 * Removes the yearly seasonal component from a weekly series: additive MSTL with period 52,
 * weeks without a value filled linearly for the fit only. Needs more than 104 weekly points;
 * shorter series give null and the reason.
 */
export function adjustWeekly(points: readonly WeeklyPoint[]): {
  adjusted: { asOf: string; averageScore: number }[] | null;
  adjustment: string;
} {
  const known = points.filter(
    (point): point is WeeklyPoint & { averageScore: number } => point.averageScore !== null,
  );
  const first = Math.min(...points.map((point) => point.week));
  const weeks =
    points.length === 0 ? 0 : Math.max(...points.map((point) => point.week)) - first + 1;
  if (weeks <= MIN_ADJUST_POINTS || known.length === 0) {
    return {
      adjusted: null,
      adjustment: `under two years of weekly history: ${weeks} weekly points, more than ${MIN_ADJUST_POINTS} are needed for a yearly seasonal`,
    };
  }
  const values: (number | null)[] = Array.from({ length: weeks }, () => null);
  for (const point of known) values[point.week - first] = point.averageScore;
  const { values: filled, filled: gaps } = fillGaps(values);
  const seasonal = mstl(filled, { periods: [YEARLY_WEEKS] }).seasonals[0]?.values;
  const adjusted = known.map((point) => ({
    asOf: point.asOf,
    averageScore: point.averageScore - (seasonal?.[point.week - first] ?? 0),
  }));
  const gapNote = gaps.length > 0 ? `; ${gaps.length} weeks without scores interpolated` : '';
  return {
    adjusted,
    adjustment: `average score minus its yearly seasonal: additive MSTL, period ${YEARLY_WEEKS} weeks, over ${weeks} weekly points${gapNote}`,
  };
}

/**
 * The weekly grid ending at `asOf`: for every 7-day window (end - 7, end], the newest of `dates`
 * within it (the history is scored weekly; scheduled runs may add dates in between). Returns
 * each picked date with its week on the grid, 0 for the oldest window that has a date.
 */
export function weeklyPicks(dates: readonly string[], asOf: string): Map<string, number> {
  const end = toDay(asOf);
  const newest = new Map<number, string>();
  for (const date of dates) {
    const back = Math.floor((end - toDay(date)) / 7);
    const held = newest.get(back);
    if (back >= 0 && (held === undefined || date > held)) newest.set(back, date);
  }
  const oldest = Math.max(...newest.keys());
  return new Map([...newest].map(([back, date]) => [date, oldest - back]));
}

/** The newest scored date of a model on or before `date` (null when there is none). */
export async function scoredOnOrBefore(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  date: string,
): Promise<string | null> {
  const [row] = await runRows<{ d: string | null }>(
    connection,
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM ${schema}.scores
     WHERE model_hash = $hash AND as_of <= CAST($date AS DATE)`,
    { hash, date },
  );
  return row?.d ?? null;
}

async function bandsAt({ connection, schema, hash }: Scope, asOf: string): Promise<OverviewBands> {
  const rows = await runRows<{ band: string; accounts: number; arr: number }>(
    connection,
    `SELECT CASE WHEN s.score IS NULL THEN 'unscored' ELSE s.band END AS band,
       count(*)::INTEGER AS accounts, coalesce(sum(p.arr), 0)::DOUBLE AS arr
     FROM ${schema}.scores s LEFT JOIN ${schema}.account_profiles p USING (account_id)
     WHERE s.model_hash = $hash AND s.as_of = CAST($as_of AS DATE) GROUP BY ALL`,
    { hash, as_of: asOf },
  );
  const bands: OverviewBands = {
    red: { accounts: 0, arr: 0 },
    yellow: { accounts: 0, arr: 0 },
    green: { accounts: 0, arr: 0 },
    unscored: { accounts: 0, arr: 0 },
  };
  for (const { band, accounts, arr } of rows) {
    if (band === 'red' || band === 'yellow' || band === 'green' || band === 'unscored') {
      bands[band] = { accounts, arr };
    }
  }
  return bands;
}

async function distributionAt(
  { connection, schema, hash }: Scope,
  asOf: string,
): Promise<OverviewReply['distribution']> {
  const rows = await runRows<{ bin: number; band: string; n: number }>(
    connection,
    `SELECT least(floor(score / 5), 19)::INTEGER AS bin, band, count(*)::INTEGER AS n
     FROM ${schema}.scores WHERE model_hash = $hash AND as_of = CAST($as_of AS DATE)
       AND score IS NOT NULL GROUP BY ALL`,
    { hash, as_of: asOf },
  );
  const bins = Array.from({ length: 20 }, (_, i) => ({
    from: i * 5,
    to: i * 5 + 5,
    accounts: 0,
    red: 0,
    yellow: 0,
    green: 0,
  }));
  for (const { bin, band, n } of rows) {
    const target = bins[Math.max(0, bin)];
    if (!target) continue;
    target.accounts += n;
    if (band === 'red' || band === 'yellow' || band === 'green') target[band] += n;
  }
  return bins;
}

async function trendTo(
  { connection, schema, hash }: Scope,
  asOf: string,
): Promise<OverviewReply['trend']> {
  const rows = await runRows<OverviewReply['trend']['raw'][number]>(
    connection,
    `SELECT strftime(as_of, '%Y-%m-%d') AS "asOf", avg(score) AS "averageScore",
       (count(*) FILTER (band = 'red' AND score IS NOT NULL))::DOUBLE / nullif(count(score), 0) AS "shareRed",
       count(*)::INTEGER AS accounts
     FROM ${schema}.scores WHERE model_hash = $hash AND as_of <= CAST($as_of AS DATE)
     GROUP BY as_of ORDER BY as_of`,
    { hash, as_of: asOf },
  );
  const weeks = weeklyPicks(
    rows.map((row) => row.asOf),
    asOf,
  );
  const raw = rows.filter((row) => weeks.has(row.asOf));
  const points = raw.map((row) => ({ ...row, week: weeks.get(row.asOf) ?? 0 }));
  return { raw, ...adjustWeekly(points) };
}

async function atRiskAt(
  { connection, schema, hash }: Scope,
  asOf: string,
): Promise<OverviewReply['atRisk']> {
  const rows = await runRows<
    OverviewReply['atRisk']['rows'][number] & { total: number; total_arr: number }
  >(
    connection,
    `SELECT s.account_id, p.name, p.segment, p.arr, strftime(p.renewal_date, '%Y-%m-%d') AS renewal_date,
       s.score, p.owner, count(*) OVER ()::INTEGER AS total, sum(p.arr) OVER ()::DOUBLE AS total_arr
     FROM ${schema}.scores s JOIN ${schema}.account_profiles p USING (account_id)
     WHERE s.model_hash = $hash AND s.as_of = CAST($as_of AS DATE) AND s.band = 'red'
       AND s.score IS NOT NULL AND p.renewal_date >= CAST($as_of AS DATE)
       AND p.renewal_date <= CAST($as_of AS DATE) + CAST($days AS INTEGER)
     ORDER BY p.arr DESC, s.account_id LIMIT CAST($limit AS INTEGER)`,
    { hash, as_of: asOf, days: String(AT_RISK_RENEWAL_DAYS), limit: String(AT_RISK_ROWS) },
  );
  return {
    accounts: rows[0]?.total ?? 0,
    arr: rows[0]?.total_arr ?? 0,
    rows: rows.map(({ total: _total, total_arr: _totalArr, ...row }) => row),
  };
}

async function moversBetween(
  { connection, schema, hash }: Scope,
  asOf: string,
  previousAsOf: string,
): Promise<OverviewReply['movers']> {
  const rows = await runRows<z.infer<typeof moverSchema> & { kind: 'drop' | 'gain' }>(
    connection,
    `WITH pair AS (
       SELECT s.account_id, p.name, p.segment, s.score, b.score AS previous, s.score - b.score AS change
       FROM ${schema}.scores s
       JOIN ${schema}.scores b ON b.account_id = s.account_id AND b.model_hash = s.model_hash
         AND b.as_of = CAST($previous AS DATE)
       JOIN ${schema}.account_profiles p ON p.account_id = s.account_id
       WHERE s.model_hash = $hash AND s.as_of = CAST($as_of AS DATE)
         AND s.score IS NOT NULL AND b.score IS NOT NULL)
     (SELECT 'drop' AS kind, * FROM pair WHERE change < 0 ORDER BY change, account_id LIMIT ${MOVERS})
     UNION ALL
     (SELECT 'gain' AS kind, * FROM pair WHERE change > 0 ORDER BY change DESC, account_id LIMIT ${MOVERS})`,
    { hash, as_of: asOf, previous: previousAsOf },
  );
  const pick = (kind: 'drop' | 'gain', sign: number) =>
    rows
      .filter((row) => row.kind === kind)
      .sort((a, b) => sign * (a.change - b.change) || a.account_id.localeCompare(b.account_id))
      .map(({ kind: _kind, ...row }) => row);
  return { drops: pick('drop', 1), gains: pick('gain', -1) };
}

/** Everything the overview page shows at `asOf`, a date scored with the model `hash`. */
export async function overview(
  connection: DuckDBConnection,
  schema: string,
  model: { hash: string; name: string },
  asOf: string,
): Promise<OverviewReply> {
  const scope: Scope = { connection, schema, hash: model.hash };
  const previous = shiftDate(asOf, -PREVIOUS_DAYS);
  const previousAsOf = await scoredOnOrBefore(connection, schema, model.hash, previous);
  return {
    model,
    asOf,
    previousAsOf,
    bands: {
      now: await bandsAt(scope, asOf),
      previous: previousAsOf ? await bandsAt(scope, previousAsOf) : null,
    },
    distribution: await distributionAt(scope, asOf),
    trend: await trendTo(scope, asOf),
    atRisk: await atRiskAt(scope, asOf),
    movers: previousAsOf
      ? await moversBetween(scope, asOf, previousAsOf)
      : { drops: [], gains: [] },
  };
}
