import { sqlNumber } from '../sql.ts';
import type { ModelMetric } from './spec.ts';

/**
 * SQL that maps a raw metric to its normalised HEALTH value, 0-100, NULL when the raw value is.
 *
 * percentile (mid-rank): among the n accounts with a value at the same date (and segment for
 * within=segment), 100 * (n_below + 0.5 * (n_equal - 1)) / (n - 1), where n_below counts values
 * strictly lower and n_equal values equal to this one, itself included. Equivalently
 * 50 + 50 * (n_below - n_above) / (n - 1). Ties share the mean of the ranks they span; a single
 * account, or all accounts equal, gives 50; the lowest unique value 0 and the highest 100.
 * lower_is_better takes 100 minus that, which is the same rule applied to the negated values.
 *
 * minmax: 100 * (x - min) / (max - min), clipped to 0-100; lower_is_better takes 100 minus that.
 *
 * thresholds: piecewise linear through the points, flat beyond the ends; y is already the health
 * value, so direction does not flip it (the spec rejects points that contradict the direction).
 */
export function normalizeSql(raw: string, entry: ModelMetric, window: string): string {
  const normalize = entry.normalize;
  if (normalize.method === 'thresholds') return thresholdsSql(raw, normalize.points);
  const value =
    normalize.method === 'percentile' ? percentileSql(raw, window) : minmaxSql(raw, normalize);
  return entry.direction === 'lower_is_better' ? `100 - ${value}` : value;
}

/** The WINDOW clauses a percentile needs: partition, and partition ordered by the raw value. */
export function percentileWindows(raw: string, entry: ModelMetric, window: string): string[] {
  if (entry.normalize.method !== 'percentile') return [];
  const partition =
    entry.normalize.within === 'segment' ? 'PARTITION BY as_of, segment' : 'PARTITION BY as_of';
  return [
    `${window}_p AS (${partition})`,
    `${window}_o AS (${partition} ORDER BY ${raw} ASC NULLS LAST)`,
  ];
}

function percentileSql(raw: string, window: string): string {
  const n = `count(${raw}) OVER ${window}_p`;
  // NULLs sort last, so for a value x cume_dist * rows counts the values <= x (peers included)
  // and rank - 1 those below it. (cume_dist is cheaper than a count over a RANGE frame.)
  const atMost = `round(cume_dist() OVER ${window}_o * count(*) OVER ${window}_p)`;
  const below = `(rank() OVER ${window}_o - 1)`;
  return `(CASE WHEN ${raw} IS NULL THEN NULL WHEN ${n} = 1 THEN 50
      ELSE 50 + 50 * (${below} - (${n} - ${atMost})) / (${n} - 1) END)`;
}

function minmaxSql(raw: string, { min, max }: { min: number; max: number }): string {
  return `(CASE WHEN ${raw} IS NULL THEN NULL WHEN ${raw} <= ${sqlNumber(min)} THEN 0 WHEN ${raw} >= ${sqlNumber(max)} THEN 100
      ELSE 100 * (${raw} - ${sqlNumber(min)}) / ${sqlNumber(max - min)} END)`;
}

function thresholdsSql(raw: string, points: readonly (readonly [number, number])[]): string {
  const [first, ...rest] = points;
  const last = points.at(-1)!;
  // y0 * ((x1 - x) / span) + y1 * ((x - x0) / span) is exact at both knots (each share is 0 or 1).
  const segments = rest.map((point, index) => {
    const [x0, y0] = points[index]!;
    const [x1, y1] = point;
    const span = sqlNumber(x1 - x0);
    return `WHEN ${raw} <= ${sqlNumber(x1)} THEN ${sqlNumber(y0)} * ((${sqlNumber(x1)} - ${raw}) / ${span}) + ${sqlNumber(y1)} * ((${raw} - ${sqlNumber(x0)}) / ${span})`;
  });
  return `(CASE WHEN ${raw} IS NULL THEN NULL WHEN ${raw} <= ${sqlNumber(first![0])} THEN ${sqlNumber(first![1])}
      ${segments.join('\n      ')}
      ELSE ${sqlNumber(last[1])} END)`;
}
