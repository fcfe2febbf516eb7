import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteTableName } from '../sql.ts';
import { readTypedColumns, type ColumnKind } from '../validate/tables.ts';
import { ValueTable } from './value-table.ts';

/** Labelled metric rows as columns: one Float64Array per metric (NaN: missing). */
export interface MetricMatrix {
  rows: number;
  label: Uint8Array;
  columns: Float64Array[];
}

/** What the regression sees of a metric: its raw value, or the percentile models rank it by. */
export type FeatureScale = 'raw' | 'percentile';

/** Label code for snapshots that are not labelled (excluded) or not evaluated. */
const SKIP = 255;

/**
 * Pulls the metric values and labels of the labelled snapshots at `dates`; with `evaluation`,
 * only its evaluated rows (the rows models were judged on). Ordered by date, segment and account.
 * `percentile` features are the metrics ranked exactly as a model's `percentile within segment`
 * ranks them (see percentileBlocks), among every account active at the date, labelled or not.
 */
export async function pullMatrix(
  connection: DuckDBConnection,
  request: {
    metricTable: string;
    labels: string;
    aliases: readonly string[];
    dates: readonly string[];
    scale: FeatureScale;
    evaluation?: string;
  },
): Promise<MetricMatrix> {
  const keep = request.evaluation ? `CASE WHEN e.evaluated THEN l.label END` : 'l.label';
  const evaluated = request.evaluation
    ? `LEFT JOIN ${quoteTableName(request.evaluation)} e ON e.account_id = l.account_id AND e.as_of = l.as_of`
    : '';
  const spec: Record<string, ColumnKind> = { label: 'u8', block: 'i32' };
  request.aliases.forEach((_, j) => (spec[`x${j}`] = 'f64'));
  const { length, columns } = await readTypedColumns(
    connection,
    `SELECT CAST(coalesce(${keep}, ${SKIP}) AS UTINYINT) AS label,
  CAST((m.as_of - DATE '2000-01-01') * 4096 + l.segment_idx AS INTEGER) AS block${request.aliases
    .map((alias, j) => `, m."${alias}" AS x${j}`)
    .join('')}
FROM ${quoteTableName(request.metricTable)} m
JOIN ${quoteTableName(request.labels)} l ON l.account_id = m.account_id AND l.as_of = m.as_of
${evaluated}
WHERE m.as_of IN (SELECT unnest(CAST($dates AS DATE[])))
ORDER BY m.as_of, l.segment_idx, m.account_id`,
    { dates: [...request.dates] },
    spec,
  );
  const label = columns.label as Uint8Array;
  const block = columns.block as Int32Array;
  const raw = request.aliases.map((_, j) => columns[`x${j}`] as Float64Array);
  const features = request.scale === 'raw' ? raw : raw.map((v) => percentileBlocks(v, block));
  const kept: number[] = [];
  for (let i = 0; i < length; i++) if (label[i] !== SKIP) kept.push(i);
  return {
    rows: kept.length,
    label: pick(label, kept, new Uint8Array(kept.length)),
    columns: features.map((values) => pick(values, kept, new Float64Array(kept.length))),
  };
}

/** `from` at the indices `kept`, into `to` (a plain loop: from() with a map callback is slow). */
function pick<A extends Float64Array | Uint8Array>(from: A, kept: readonly number[], to: A): A {
  for (let k = 0; k < kept.length; k++) to[k] = from[kept[k]!]!;
  return to;
}

/**
 * The mid-rank percentile of lab/model's normalisation, within each block of rows (a date and a
 * segment, one key per block; rows of a block are contiguous): among the n values present in the block,
 * 50 + 50 * (n_below - n_above) / (n - 1), 50 when n = 1, NaN for a missing value.
 */
export function percentileBlocks(values: Float64Array, block: Int32Array): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  const scratch = new Float64Array(values.length);
  let start = 0;
  while (start < values.length) {
    let end = start;
    while (end < values.length && block[end] === block[start]) end++;
    const percentile = percentileByValue(sortedPresent(values, start, end, scratch));
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) out[i] = percentile.get(v)!;
    }
    start = end;
  }
  return out;
}

/**
 * The values of `values[start, end)` that are not NaN, sorted ascending, in `scratch`. A loop and
 * the native sort: typed-array filter() with a callback is many times slower on a million rows.
 */
function sortedPresent(
  values: Float64Array,
  start: number,
  end: number,
  scratch: Float64Array,
): Float64Array {
  let n = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) scratch[n++] = v;
  }
  return scratch.subarray(0, n).sort();
}

/**
 * The percentile of each distinct value of `sorted` (ascending, no NaN), from one sweep over its
 * tie groups: the values below a group are those before it, those above are those after it.
 * Looking each row up by value costs far less than two binary searches per row; -0 and 0 share
 * one entry, as they share one tie group.
 */
function percentileByValue(sorted: Float64Array): ValueTable {
  const n = sorted.length;
  const byValue = new ValueTable(n);
  let first = 0;
  while (first < n) {
    let next = first + 1;
    while (next < n && sorted[next] === sorted[first]) next++;
    const below = first;
    const above = n - next;
    byValue.set(sorted[first]!, n === 1 ? 50 : 50 + (50 * (below - above)) / (n - 1));
    first = next;
  }
  return byValue;
}

/** The median of the non-missing values (numpy's, the mean of the middle two), or null. */
export function medianOf(values: Float64Array): number | null {
  const present = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) present[n++] = v;
  if (n === 0) return null;
  const mid = n >> 1;
  const upper = selectInPlace(present, n, mid);
  if (n % 2 === 1) return upper;
  // After selection every value before `mid` is <= upper: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (present[i]! > lower) lower = present[i]!;
  return (lower + upper) / 2;
}

/**
 * The k-th smallest of `a[0, n)` (k from 0), found by quickselect (Hoare partitions around the
 * median of three): linear time where sorting a million values costs a hundred milliseconds.
 * Reorders `a` so that a[i] <= a[k] for i < k and a[i] >= a[k] for i > k.
 */
export function selectInPlace(a: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const middle = (left + right) >> 1;
    // Median of three as the pivot: sorted data (common here) stays linear.
    if (a[middle]! < a[left]!) swap(a, middle, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[middle]!) swap(a, right, middle);
    const pivot = a[middle]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Rows for fitLogistic: missing values replaced by `fill`, as views into one buffer. */
export function imputedRows(columns: readonly Float64Array[], fill: readonly number[]) {
  const p = columns.length;
  const n = columns[0]?.length ?? 0;
  const buffer = new Float64Array(n * p);
  columns.forEach((column, j) => {
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      buffer[i * p + j] = Number.isNaN(v) ? fill[j]! : v;
    }
  });
  return Array.from({ length: n }, (_, i) => buffer.subarray(i * p, (i + 1) * p));
}
