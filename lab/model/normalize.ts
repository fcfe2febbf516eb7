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
export function normalizeSql(raw: string, entry: ModelMetric, percentile: string): string {
  const normalize = entry.normalize;
  if (normalize.method === 'thresholds') return thresholdsSql(raw, normalize.points);
  const value =
    normalize.method === 'percentile'
      ? `(CASE WHEN ${raw} IS NULL THEN NULL ELSE ${percentile} END)`
      : minmaxSql(raw, normalize);
  return entry.direction === 'lower_is_better' ? `100 - ${value}` : value;
}

/** The partition a percentile ranks within: the date, or the date and the segment. */
export function percentileKeys(entry: ModelMetric): string[] | null {
  if (entry.normalize.method !== 'percentile') return null;
  return entry.normalize.within === 'segment' ? ['as_of', 'segment'] : ['as_of'];
}

/**
 * A relation `(keys..., v, p)` with the mid-rank percentile `p` of every distinct value `v` of
 * column `raw` of `source`, within `keys`. Values are counted once per distinct value and ranked
 * with running sums over that (usually much smaller) relation, then joined back on the value:
 * far cheaper than window functions over every row, which sort the whole row for each metric.
 * With `c` rows equal to v and `at_most` rows <= v among the n present: n_below = at_most - c,
 * n_above = n - at_most.
 */
export function percentileCte(
  name: string,
  source: string,
  raw: string,
  keys: readonly string[],
): string {
  const partition = keys.join(', ');
  return `${name} AS (
  SELECT ${partition}, v,
    CASE WHEN n = 1 THEN 50 ELSE 50 + 50 * ((at_most - c) - (n - at_most)) / (n - 1) END AS p
  FROM (
    SELECT ${partition}, v, c,
      sum(c) OVER (PARTITION BY ${partition} ORDER BY v ROWS UNBOUNDED PRECEDING) AS at_most,
      sum(c) OVER (PARTITION BY ${partition}) AS n
    FROM (
      SELECT ${partition}, ${raw} AS v, CAST(count(*) AS DOUBLE) AS c
      FROM ${source} WHERE ${raw} IS NOT NULL GROUP BY ${partition}, ${raw}
    )
  )
)`;
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
