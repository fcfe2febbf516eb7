/**
 * Decomposition of a daily series (one value per calendar day, oldest first) with gaps: the gaps
 * are filled for fitting, the periods are chosen from the length, and MSTL does the rest.
 */
import { mstl, type MstlOptions, type MstlResult } from './mstl.ts';
import { StlError } from './stl.ts';

/** Fewer points than this (four weeks) are not decomposed. */
export const MIN_DAILY_POINTS = 28;
/** From this many points (two years) on, a yearly period is fitted next to the weekly one. */
export const YEARLY_DAILY_POINTS = 730;

export type DecomposeDailyOptions = Omit<MstlOptions, 'periods'>;

export interface DailyDecomposition extends MstlResult {
  /** The series that was fitted: the input with its gaps filled. */
  values: Float64Array;
  /** Indices (ascending) of the gaps that were filled; their remainder is NaN. */
  filled: number[];
}

/**
 * The periods fitted for a daily series of length `n`: [7, 365] from two years of data on, [7]
 * from four weeks on. Throws StlError 'too_short' below four weeks.
 */
export function dailyPeriods(n: number): number[] {
  if (n < MIN_DAILY_POINTS) {
    throw new StlError(
      'too_short',
      `daily series of length ${n} is too short to decompose: at least ` +
        `${MIN_DAILY_POINTS} days (four weeks) are needed`,
      { length: n, minimum: MIN_DAILY_POINTS },
    );
  }
  return n >= YEARLY_DAILY_POINTS ? [7, 365] : [7];
}

/**
 * Fills the gaps (null, undefined, NaN) of `values`: linearly between the nearest known values on
 * either side, and with the nearest known value before the first or after the last one. Throws on
 * ±Infinity and when nothing is known.
 */
export function fillGaps(values: ArrayLike<number | null | undefined>): {
  values: Float64Array;
  filled: number[];
} {
  const n = values.length;
  const out = new Float64Array(n);
  const filled: number[] = [];
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || Number.isNaN(v)) {
      filled.push(i);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StlError('invalid_values', `value at index ${i} is ${String(v)}`, {
        index: i,
        value: v,
      });
    }
    out[i] = v;
    if (previous === -1) {
      for (let j = 0; j < i; j++) out[j] = v;
    } else if (i - previous > 1) {
      const from = out[previous]!;
      const step = (v - from) / (i - previous);
      for (let j = previous + 1; j < i; j++) out[j] = from + step * (j - previous);
    }
    previous = i;
  }
  if (previous === -1) {
    throw new StlError('invalid_values', `series of length ${n} has no values to decompose`, {
      length: n,
    });
  }
  for (let j = previous + 1; j < n; j++) out[j] = out[previous]!;
  return { values: out, filled };
}

/**
 * Decomposes a daily series into trend, weekly (and, from two years on, yearly) seasonals and a
 * remainder. Gaps are filled by `fillGaps` for the fit; the remainder is NaN at filled indices,
 * as forecast's mstl() leaves it NA where the input was missing.
 */
export function decomposeDaily(
  values: ArrayLike<number | null | undefined>,
  options: DecomposeDailyOptions = {},
): DailyDecomposition {
  const periods = dailyPeriods(values.length);
  const { values: series, filled } = fillGaps(values);
  const result = mstl(series, { ...options, periods });
  for (const i of filled) result.remainder[i] = NaN;
  return { ...result, values: series, filled };
}
