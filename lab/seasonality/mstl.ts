/**
 * MSTL: STL extended to several seasonal periods, computed as R's `forecast::mstl()` computes it.
 *
 * Reference: Bandara, K., Hyndman, R. J., & Bergmeir, C. (2021). MSTL: A Seasonal-Trend
 * Decomposition Algorithm for Time Series with Multiple Seasonal Patterns. arXiv:2107.13462;
 * and the `mstl()` function of R's forecast package (Hyndman et al.).
 *
 * The periods are sorted ascending and those the series cannot hold more than twice are dropped.
 * Each iteration then visits the periods in turn: it adds that period's current seasonal back to
 * the deseasonalised series, fits STL with that period, takes the new seasonal and subtracts it
 * again. The trend is the trend of the very last STL fit, and the remainder is what the trend and
 * the seasonals leave of the values. Box-Cox transformation (forecast's `lambda`) is not offered.
 */
import {
  checkPeriod,
  resolveStlOptions,
  StlError,
  stlResolved,
  toFiniteArray,
  type StlOptions,
} from './stl.ts';

/** Options passed on to every STL fit inside MSTL. */
export type MstlStlOptions = Omit<StlOptions, 'period' | 'seasonalWindow' | 'start'>;

export interface MstlOptions {
  /** Seasonal periods (integers >= 2, no duplicates), in any order. */
  periods: readonly number[];
  /**
   * Seasonal windows. One value applies to every period. An array gives one window per entry of
   * `periods`, in the order given. Default: 7 + 4 * i for the i-th (1-based) of the periods kept,
   * ascending (11, 15, 19, ...), as forecast's `s.window = 7 + 4 * seq(6)`.
   */
  seasonalWindows?: number | 'periodic' | readonly (number | 'periodic')[];
  /** Passes over all periods (forecast's `iterate`), an integer >= 1; default 2. */
  iterations?: number;
  /** Further STL options for every fit (robust, degrees, trend window, ...). */
  stl?: MstlStlOptions;
}

export interface MstlSeasonal {
  period: number;
  values: Float64Array;
}

export interface MstlResult {
  trend: Float64Array;
  /** One seasonal component per period used, ascending by period. */
  seasonals: MstlSeasonal[];
  /** values - trend - sum of the seasonals. */
  remainder: Float64Array;
  /** The periods fitted, ascending. */
  periodsUsed: number[];
  /** The periods left out because the series holds at most two of their cycles. */
  periodsDropped: number[];
}

/** Decomposes `values` into a trend, one seasonal per period, and a remainder. */
export function mstl(values: ArrayLike<number>, options: MstlOptions): MstlResult {
  const y = toFiniteArray(values, 'MSTL');
  const n = y.length;
  const { periods } = options;
  if (!Array.isArray(periods) || periods.length === 0) {
    throw new StlError('invalid_option', 'periods must be a non-empty array of integers >= 2', {
      option: 'periods',
      value: periods,
    });
  }
  const seen = new Set<number>();
  for (const p of periods) {
    if (!Number.isInteger(p) || p < 2) {
      throw new StlError('invalid_period', `period must be an integer >= 2, got ${String(p)}`, {
        period: p,
      });
    }
    if (seen.has(p)) {
      throw new StlError('invalid_option', `period ${p} is listed twice`, { period: p });
    }
    seen.add(p);
  }

  const windows = options.seasonalWindows;
  if (Array.isArray(windows) && windows.length !== periods.length) {
    throw new StlError(
      'invalid_option',
      `seasonalWindows has ${windows.length} entries for ${periods.length} periods`,
      { option: 'seasonalWindows', value: windows },
    );
  }
  const windowOf = new Map<number, number | 'periodic' | undefined>();
  periods.forEach((p, i) => {
    windowOf.set(p, Array.isArray(windows) ? windows[i] : (windows as number | 'periodic'));
  });

  const iterations = options.iterations ?? 2;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new StlError(
      'invalid_option',
      `iterations must be an integer >= 1, got ${String(iterations)}`,
      { option: 'iterations', value: iterations },
    );
  }

  const sorted = [...periods].sort((a, b) => a - b);
  const periodsUsed = sorted.filter((p) => n > 2 * p);
  const periodsDropped = sorted.filter((p) => n <= 2 * p);
  if (periodsUsed.length === 0) {
    // The shortest period decides: this reports its length requirement.
    checkPeriod(n, sorted[0]!);
  }

  // Each period's resolved STL parameters are fixed across iterations, so resolve them once.
  const resolved = periodsUsed.map((period, i) => {
    const seasonalWindow = windowOf.get(period) ?? 7 + 4 * (i + 1);
    return resolveStlOptions(n, { ...options.stl, period, seasonalWindow });
  });

  const seasonals = periodsUsed.map(() => new Float64Array(n));
  const deseasonalised = Float64Array.from(y);
  let trend: Float64Array = new Float64Array(n);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let k = 0; k < periodsUsed.length; k++) {
      const seasonal = seasonals[k]!;
      for (let i = 0; i < n; i++) deseasonalised[i] = deseasonalised[i]! + seasonal[i]!;
      const fit = stlResolved(deseasonalised, resolved[k]!);
      seasonal.set(fit.seasonal);
      for (let i = 0; i < n; i++) deseasonalised[i] = deseasonalised[i]! - seasonal[i]!;
      trend = fit.trend;
    }
  }

  const remainder = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = y[i]! - trend[i]!;
    for (const seasonal of seasonals) r -= seasonal[i]!;
    remainder[i] = r;
  }
  return {
    trend,
    seasonals: periodsUsed.map((period, k) => ({ period, values: seasonals[k]! })),
    remainder,
    periodsUsed,
    periodsDropped,
  };
}
