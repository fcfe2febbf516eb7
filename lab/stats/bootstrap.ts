/**
 * Percentile bootstrap intervals for any statistic of one or more row-aligned arrays.
 */
import { invalid, UndefinedStatisticError } from './inputs.ts';
import { quantileSorted } from './quantile.ts';
import { SeededRandom } from './random.ts';
import { sortAscending } from './sort.ts';

interface Common {
  /** Central coverage of the interval, in (0, 1). Default 0.95. */
  level?: number;
}
export type BootstrapOptions = Common &
  (
    | {
        /** Resamples to draw. Default 1000. */
        reps?: number;
        /** Required: the same seed gives the same interval. Whole number in [0, 2^53 - 1]. */
        seed: number;
      }
    | {
        /**
         * Use these resamples (row indices, each of length n) instead of drawing them: to
         * reproduce another tool's resamples or to test against a reference.
         */
        indexSets: readonly ArrayLike<number>[];
      }
  );

export interface BootstrapResult {
  /** The statistic on the rows as given. */
  estimate: number;
  /** Percentile interval: numpy-style linear quantiles (1 - level) / 2 and (1 + level) / 2 of
   * the defined replicates. */
  low: number;
  high: number;
  level: number;
  /** Resamples drawn (or given). */
  reps: number;
  /** Resamples where the statistic was undefined (UndefinedStatisticError or a non-finite value,
   * e.g. one class only); they are left out of the interval. */
  skipped: number;
  /** The statistic on each resample in order; NaN where skipped. */
  replicates: Float64Array;
}

type Samples<A extends readonly unknown[]> = { [K in keyof A]: Float64Array };

/**
 * Resamples rows with replacement — the same row indices for every array, so paired statistics
 * keep their pairing — and returns the percentile interval of `statFn` over the resamples:
 *
 *   bootstrapCi((a, b, y) => rocAuc(a, y) - rocAuc(b, y), riskA, riskB, labels, { seed: 7 })
 *
 * `statFn` receives each array resampled as a Float64Array (booleans as 0/1). The buffers are
 * reused from one resample to the next: copy them if you keep them. Row indices (into the arrays
 * as given) come from SeededRandom.fromSeed(seed): n draws of nextIndex(n) per resample,
 * resamples in order.
 *
 * A resample is a multiset of rows, and its rows reach `statFn` in a fixed order: sorted by the
 * first array (ascending, NaN last, ties by position), each row repeated as often as it was
 * drawn. A bootstrap statistic must not depend on row order anyway; in exchange a ranking
 * statistic of the first array finds it already sorted and skips its O(n log n) step, which
 * makes an AUC bootstrap several times faster. Put the risk score first.
 */
export function bootstrapCi<const A extends readonly ArrayLike<number | boolean>[]>(
  statFn: (...samples: Samples<A>) => number,
  ...args: [...A, BootstrapOptions]
): BootstrapResult {
  const fn = 'bootstrapCi';
  const options = args[args.length - 1] as BootstrapOptions;
  const arrays = args.slice(0, -1) as unknown as ArrayLike<number | boolean>[];
  if (arrays.length === 0) throw invalid(fn, 'give at least one data array before the options');
  const n = arrays[0]!.length;
  arrays.forEach((a, k) => {
    if (a.length !== n) {
      throw invalid(fn, `data array ${k} has length ${a.length}, array 0 has ${n}`);
    }
  });
  if (n === 0) throw invalid(fn, 'no rows');
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw invalid(fn, `level must be in (0, 1), got ${level}`);

  const given = 'indexSets' in options ? options.indexSets : null;
  const reps = given ? given.length : (('reps' in options ? options.reps : undefined) ?? 1000);
  if (!Number.isInteger(reps) || reps < 1) {
    throw invalid(fn, `reps must be a whole number >= 1, got ${String(reps)}`);
  }
  const rng = given ? null : SeededRandom.fromSeed((options as { seed: number }).seed);

  const data = arrays.map((a) => (a instanceof Float64Array ? a : Float64Array.from(a, Number)));
  const call = statFn as (...samples: Float64Array[]) => number;
  const estimate = call(...data);
  if (!Number.isFinite(estimate)) {
    throw invalid(fn, `the statistic is ${estimate} on the full data`);
  }

  const order = ascendingOrder(data[0]!);
  const ordered = data.map((a) => {
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[p] = a[order[p]!]!;
    return out;
  });
  const positionOf = new Uint32Array(n);
  for (let p = 0; p < n; p++) positionOf[order[p]!] = p;
  const samples = data.map(() => new Float64Array(n));
  const index = new Uint32Array(n);
  const start = new Uint32Array(n);
  const positions = new Uint32Array(n);
  const replicates = new Float64Array(reps);
  let skipped = 0;
  for (let r = 0; r < reps; r++) {
    if (rng) {
      rng.fillIndices(index, n);
    } else {
      readIndexSet(given![r]!, r, n, index);
    }
    // Counting sort of the drawn rows by their position in `order` (no data-dependent branches:
    // repeat counts are random, and a loop over them mispredicts on every row).
    start.fill(0);
    for (let i = 0; i < n; i++) start[positionOf[index[i]!]!]!++;
    for (let p = 0, sum = 0; p < n; p++) {
      const c = start[p]!;
      start[p] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const p = positionOf[index[i]!]!;
      positions[start[p]!++] = p;
    }
    for (let k = 0; k < data.length; k++) {
      const from = ordered[k]!;
      const to = samples[k]!;
      for (let i = 0; i < n; i++) to[i] = from[positions[i]!]!;
    }
    let value: number;
    try {
      value = call(...samples);
    } catch (error) {
      if (!(error instanceof UndefinedStatisticError)) throw error;
      value = NaN;
    }
    if (!Number.isFinite(value)) {
      skipped++;
      value = NaN;
    }
    replicates[r] = value;
  }
  if (skipped === reps) {
    throw new UndefinedStatisticError(`${fn}: the statistic is undefined on all ${reps} resamples`);
  }
  const defined = sortAscending(replicates.filter((v) => !Number.isNaN(v)));
  const tail = (1 - level) / 2;
  return {
    estimate,
    low: quantileSorted(defined, tail),
    high: quantileSorted(defined, 1 - tail),
    level,
    reps,
    skipped,
    replicates,
  };
}

/** Row numbers sorted by `values` ascending, NaN last, equal values by row number. */
function ascendingOrder(values: Float64Array): Uint32Array {
  const rows = Array.from({ length: values.length }, (_, i) => i);
  rows.sort((a, b) => {
    const x = values[a]!;
    const y = values[b]!;
    if (x < y) return -1;
    if (x > y) return 1;
    const xNaN = Number.isNaN(x);
    return xNaN === Number.isNaN(y) ? a - b : xNaN ? 1 : -1;
  });
  return Uint32Array.from(rows);
}

function readIndexSet(set: ArrayLike<number>, r: number, n: number, into: Uint32Array): void {
  if (set.length !== n) {
    throw invalid(
      'bootstrapCi',
      `indexSets[${r}] has length ${set.length}, the data have ${n} rows`,
    );
  }
  for (let i = 0; i < n; i++) {
    const v = set[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw invalid('bootstrapCi', `indexSets[${r}][${i}] is ${v}, not a row index in [0, ${n})`);
    }
    into[i] = v;
  }
}
