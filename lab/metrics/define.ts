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
 */
export function trendAggregates(
  table: SourceTable,
  column: string,
  days: number,
  where?: string,
  extra: Pick<Aggregate, 'params' | 'prefilter'> = {},
) {
  return {
    slope: aggregate(table, days, `regr_slope(${column}, t.date - d.as_of)`, where, extra),
    level: aggregate(table, days, `avg(${column})`, where, extra),
    first: aggregate(table, days, 'min(t.date)', where, extra),
    last: aggregate(table, days, 'max(t.date)', where, extra),
  };
}

export function trendValue(
  a: Record<'slope' | 'level' | 'first' | 'last', string>,
  days: number,
): string {
  return `CASE WHEN ${a.last} - ${a.first} >= ${Math.ceil(days / 2)} THEN ${a.slope} * ${days} / nullif(abs(${a.level}), 0) END`;
}
