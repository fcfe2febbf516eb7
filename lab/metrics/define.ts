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
  // Rows with no value are left out of every sum, as regression leaves them out.
  const xPresent = `CASE WHEN ${column} IS NOT NULL THEN ${x} END`;
  return {
    n: aggregate(table, days, `count(${column})`, where, extra),
    sx: aggregate(table, days, `sum(${xPresent})`, where, extra),
    sy: aggregate(table, days, `sum(${y})`, where, extra),
    sxy: aggregate(table, days, `sum(${x} * ${y})`, where, extra),
    sxx: aggregate(table, days, `sum(${xPresent} * ${x})`, where, extra),
    first: aggregate(
      table,
      days,
      `min(CASE WHEN ${column} IS NOT NULL THEN t.date END)`,
      where,
      extra,
    ),
    last: aggregate(
      table,
      days,
      `max(CASE WHEN ${column} IS NOT NULL THEN t.date END)`,
      where,
      extra,
    ),
  };
}

export function trendValue(
  a: Record<'n' | 'sx' | 'sy' | 'sxy' | 'sxx' | 'first' | 'last', string>,
  days: number,
): string {
  const slope = `(${a.n} * ${a.sxy} - ${a.sx} * ${a.sy}) / nullif(${a.n} * ${a.sxx} - ${a.sx} * ${a.sx}, 0)`;
  const level = `${a.sy} / ${a.n}`;
  return `CASE WHEN ${a.last} - ${a.first} >= ${Math.ceil(days / 2)} THEN ${slope} * ${days} / nullif(abs(${level}), 0) END`;
}
