import { tableSpec } from '../../data/contract.ts';
import type { Aggregate, MetricDef, SourceTable } from './types.ts';

/**
 * Declares a metric with its aggregates named, so that `value` can only refer to aggregates the
 * metric declared (a typo is a type error, not broken SQL).
 */
export function defineMetric<K extends string>(
  def: Omit<MetricDef, 'aggregates' | 'value'> & {
    aggregates: Record<K, Aggregate>;
    value: (a: Record<K, string>) => string;
  },
): MetricDef {
  return def as unknown as MetricDef;
}

/** An aggregate over `table`'s rows within `lookbackDays` (null: all history) up to T. */
export function aggregate(
  table: SourceTable,
  lookbackDays: number | null,
  call: string,
  where?: string,
  extra: Pick<Aggregate, 'scope' | 'params' | 'prefilter'> = {},
): Aggregate {
  return { table, lookbackDays, call, ...(where === undefined ? {} : { where }), ...extra };
}

/**
 * A relative trend over `days`: the least-squares slope of `column` against the day, times the
 * window length, divided by the absolute average level. -0.5 means the fitted line fell by half
 * the average level over the window. NULL unless the rows span at least half the window (a slope
 * through a few days is noise) or when the level is 0.
 *
 * The slope is (n Sxy - Sx Sy) / (n Sxx - Sx^2) from plain sums rather than regr_slope: for
 * whole-number series every sum is exact, so the value does not depend on the order in which a
 * parallel aggregation meets the rows (regr_slope's running update moves in the last bits, which
 * is enough to break ties between accounts differently from one run to the next).
 */
export function trendAggregates(
  table: SourceTable,
  column: string,
  days: number,
  where?: string,
  extra: Pick<Aggregate, 'params' | 'prefilter'> = {},
) {
  // Days from a fixed origin (the first date of the query): the slope does not depend on where x
  // starts, and an origin shared by every T lets the sums be added up from partial sums.
  const x = 'CAST(t.date - CAST($first_as_of AS DATE) AS DOUBLE)';
  const y = `CAST(${column} AS DOUBLE)`;
  const of = (call: string) => aggregate(table, days, call, where, extra);
  if (!declaredNonNull(table, column)) {
    throw new Error(
      `trendAggregates: ${table}.${column} may be missing; trends need a value on every row`,
    );
  }
  // Every row has a value (the data check refuses an export with a missing one), so the count and
  // the sums over the days are the same for every column of the table and are computed once for
  // all of them, and Sy is the plain sum other metrics already use.
  return {
    n: of('count(*)'),
    sx: of(`sum(${x})`),
    sy: of(`sum(${column})`),
    sxy: of(`sum(${x} * ${y})`),
    sxx: of(`sum(${x} * ${x})`),
    first: of('min(t.date)'),
    last: of('max(t.date)'),
  };
}

/** Whether `column` (written `t.name`) is a column the data contract declares never missing. */
function declaredNonNull(table: SourceTable, column: string): boolean {
  const name = /^t\.([a-z_]+)$/.exec(column)?.[1];
  const spec = tableSpec(table).columns.find((c) => c.name === name);
  return spec !== undefined && !spec.nullable;
}

export function trendValue(
  a: Record<'n' | 'sx' | 'sy' | 'sxy' | 'sxx' | 'first' | 'last', string>,
  days: number,
): string {
  const slope = `(${a.n} * ${a.sxy} - ${a.sx} * ${a.sy}) / nullif(${a.n} * ${a.sxx} - ${a.sx} * ${a.sx}, 0)`;
  const level = `${a.sy} / ${a.n}`;
  return `CASE WHEN ${a.last} - ${a.first} >= ${Math.ceil(days / 2)} THEN ${slope} * ${days} / nullif(abs(${level}), 0) END`;
}
