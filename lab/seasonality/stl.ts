/**
 * STL: Seasonal-Trend decomposition by Loess, computed as R's `stats::stl()` computes it.
 *
 * Reference: Cleveland, R. B., Cleveland, W. S., McRae, J. E., & Terpenning, I. (1990). STL: A
 * seasonal-trend decomposition procedure based on loess. Journal of Official Statistics, 6(1),
 * 3–73.
 *
 * The numerical core follows the structure of the netlib STL routines that R calls (`stl`,
 * `stlstp`, `stlss`, `stless`, `stlest`, `stlfts`, `stlma`, `stlrwt`, `psort`) step for step,
 * including their edge rules: spans raised to at least 3 and made odd, the loess bandwidth widened
 * when the span exceeds the series, the reuse of the last window for the final point of a jumped
 * smooth, and the robustness median taken by the same partial sort (see `partialSort`). The
 * argument handling and defaults are those of R's `stl()` wrapper, and so is its post-step for
 * `'periodic'`: the seasonal is replaced by the mean of each cycle position and the remainder is
 * recomputed as value - seasonal - trend.
 *
 * Indexing: the routines below keep the 1-based loop bounds of the original. Each array argument
 * comes with a `base` such that element `i` (1-based) of the logical vector is `array[base + i]`;
 * passing `offset - 1` as the base makes a logical vector start at `array[offset]`. That lets the
 * five work columns live in one Float64Array without sub-array objects.
 */

export type StlErrorCode = 'invalid_values' | 'invalid_period' | 'too_short' | 'invalid_option';

/** The error stl(), mstl() and decomposeDaily() raise for input they cannot decompose. */
export class StlError extends Error {
  readonly code: StlErrorCode;
  readonly details: unknown;

  constructor(code: StlErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'StlError';
    this.code = code;
    this.details = details ?? null;
  }
}

export type LoessDegree = 0 | 1;

export interface StlOptions {
  /** Number of observations per cycle (R: `frequency(x)`); an integer >= 2. */
  period: number;
  /** Span (in cycles) of the seasonal smoother (R: `s.window`), or 'periodic'. */
  seasonalWindow: number | 'periodic';
  /** R: `s.degree`, default 0 (forced to 0 when periodic). */
  seasonalDegree?: LoessDegree;
  /** R: `t.window`, default nextodd(ceiling(1.5 * period / (1 - 1.5 / seasonalWindow))). */
  trendWindow?: number;
  /** R: `t.degree`, default 1. */
  trendDegree?: LoessDegree;
  /** R: `l.window`, default nextodd(period). */
  lowpassWindow?: number;
  /** R: `l.degree`, default trendDegree. */
  lowpassDegree?: LoessDegree;
  /** R: `s.jump`, default ceiling(seasonalWindow / 10). */
  seasonalJump?: number;
  /** R: `t.jump`, default ceiling(trendWindow / 10). */
  trendJump?: number;
  /** R: `l.jump`, default ceiling(lowpassWindow / 10). */
  lowpassJump?: number;
  /** Inner loop passes (R: `inner`), default 1 when robust, else 2. */
  inner?: number;
  /** Robustness iterations (R: `outer`), default 15 when robust, else 0. */
  outer?: number;
  /** Only changes the defaults of `inner` and `outer`, as in R. */
  robust?: boolean;
  /**
   * How the robustness weights take the median of the absolute residuals. 'r' (default): as R
   * does, by a partial sort whose result on some even-length series is not the exact median (see
   * `robustnessWeights`). 'exact': the exact median. Only robust fits (outer > 0) are affected.
   */
  robustMedian?: RobustMedian;
}

export type RobustMedian = 'r' | 'exact';

/** The parameters a fit runs with, as R reports them in `$win`, `$deg`, `$jump`, `$inner`, `$outer`. */
export interface ResolvedStlOptions {
  period: number;
  periodic: boolean;
  /** R's `$win["s"]`: 10 * n + 1 when periodic. The core raises each window to >= 3 and odd. */
  seasonalWindow: number;
  trendWindow: number;
  lowpassWindow: number;
  seasonalDegree: LoessDegree;
  trendDegree: LoessDegree;
  lowpassDegree: LoessDegree;
  seasonalJump: number;
  trendJump: number;
  lowpassJump: number;
  inner: number;
  outer: number;
  robustMedian: RobustMedian;
}

export interface StlResult {
  seasonal: Float64Array;
  trend: Float64Array;
  remainder: Float64Array;
  /** Robustness weights used in the final pass; all 1 when outer = 0. */
  weights: Float64Array;
}

/** R's `nextodd`: round, then add 1 when even. */
function nextOdd(x: number): number {
  let r = roundHalfEven(x);
  if (r % 2 === 0) r += 1;
  return r;
}

/** R's `round(x)` (IEC 60559: halves to even). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function isInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

function optionError(message: string, details?: unknown): StlError {
  return new StlError('invalid_option', message, details);
}

function checkWindow(name: string, value: number, min: number): number {
  if (!isInteger(value) || value < min) {
    throw optionError(`${name} must be an integer >= ${min}, got ${String(value)}`, {
      option: name,
      value,
    });
  }
  return value;
}

function checkDegree(name: string, value: unknown): LoessDegree {
  if (value !== 0 && value !== 1) {
    throw optionError(`${name} must be 0 or 1, got ${String(value)}`, { option: name, value });
  }
  return value;
}

/** Throws unless `period` is an integer >= 2 and a series of length `n` holds more than two cycles. */
export function checkPeriod(n: number, period: number): void {
  if (!isInteger(period) || period < 2) {
    throw new StlError('invalid_period', `period must be an integer >= 2, got ${String(period)}`, {
      period,
    });
  }
  if (n <= 2 * period) {
    throw new StlError(
      'too_short',
      `series of length ${n} is too short for period ${period}: STL needs more than two full ` +
        `periods, i.e. at least ${2 * period + 1} values (R: "series is not periodic or has ` +
        `less than two periods")`,
      { length: n, period, minimum: 2 * period + 1 },
    );
  }
}

/**
 * The parameters stl() uses for a series of length `n`, with R's defaults and R's checks. The
 * windows, degrees and jumps are those R reports in `$win`, `$deg` and `$jump`.
 */
export function resolveStlOptions(n: number, options: StlOptions): ResolvedStlOptions {
  const { period } = options;
  checkPeriod(n, period);

  let periodic = false;
  let seasonalWindow: number;
  let seasonalDegree = checkDegree('seasonalDegree', options.seasonalDegree ?? 0);
  if (options.seasonalWindow === 'periodic') {
    periodic = true;
    seasonalWindow = 10 * n + 1;
    seasonalDegree = 0;
  } else {
    seasonalWindow = checkWindow('seasonalWindow', options.seasonalWindow, 2);
  }
  const trendDegree = checkDegree('trendDegree', options.trendDegree ?? 1);
  const lowpassDegree = checkDegree('lowpassDegree', options.lowpassDegree ?? trendDegree);

  const trendWindow =
    options.trendWindow === undefined
      ? nextOdd(Math.ceil((1.5 * period) / (1 - 1.5 / seasonalWindow)))
      : checkWindow('trendWindow', options.trendWindow, 1);
  const lowpassWindow =
    options.lowpassWindow === undefined
      ? nextOdd(period)
      : checkWindow('lowpassWindow', options.lowpassWindow, 1);

  const jump = (name: string, given: number | undefined, window: number): number =>
    given === undefined ? Math.ceil(window / 10) : checkWindow(name, given, 1);
  const robust = options.robust ?? false;
  const inner = options.inner ?? (robust ? 1 : 2);
  const outer = options.outer ?? (robust ? 15 : 0);
  checkWindow('inner', inner, 1);
  checkWindow('outer', outer, 0);
  const robustMedian = options.robustMedian ?? 'r';
  if (robustMedian !== 'r' && robustMedian !== 'exact') {
    throw optionError(`robustMedian must be 'r' or 'exact', got ${String(robustMedian)}`, {
      option: 'robustMedian',
      value: robustMedian,
    });
  }

  return {
    period,
    periodic,
    seasonalWindow,
    trendWindow,
    lowpassWindow,
    seasonalDegree,
    trendDegree,
    lowpassDegree,
    seasonalJump: jump('seasonalJump', options.seasonalJump, seasonalWindow),
    trendJump: jump('trendJump', options.trendJump, trendWindow),
    lowpassJump: jump('lowpassJump', options.lowpassJump, lowpassWindow),
    inner,
    outer,
    robustMedian,
  };
}

/** Copies `values` into a Float64Array, throwing at the first value that is not finite. */
/**
 * A copy of `values` as a Float64Array; throws StlError 'invalid_values' naming the first value
 * that is not a finite number (`method` names the caller in the message).
 */
export function toFiniteArray(values: ArrayLike<number>, method = 'STL'): Float64Array {
  const n = values.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StlError(
        'invalid_values',
        `value at index ${i} is ${String(v)}: ${method} needs finite values everywhere ` +
          `(fill gaps first, e.g. with decomposeDaily)`,
        { index: i, value: v },
      );
    }
    y[i] = v;
  }
  return y;
}

/** Decomposes `values` into seasonal + trend + remainder, as R's `stl()` does. */
export function stl(values: ArrayLike<number>, options: StlOptions): StlResult {
  const y = toFiniteArray(values);
  const resolved = resolveStlOptions(y.length, options);
  return stlResolved(y, resolved);
}

/** stl() on finite values with options already resolved; `y` is not modified. */
export function stlResolved(y: Float64Array, o: ResolvedStlOptions): StlResult {
  const n = y.length;
  const np = o.period;
  const seasonal = new Float64Array(n);
  const trend = new Float64Array(n);
  const weights = new Float64Array(n);

  stlCore(
    y,
    n,
    np,
    o.seasonalWindow,
    o.trendWindow,
    o.lowpassWindow,
    o.seasonalDegree,
    o.trendDegree,
    o.lowpassDegree,
    o.seasonalJump,
    o.trendJump,
    o.lowpassJump,
    o.inner,
    o.outer,
    o.robustMedian === 'exact',
    weights,
    seasonal,
    trend,
  );

  if (o.periodic) {
    // Each cycle position gets the mean of its seasonal values (R: tapply(seasonal, cycle(x),
    // mean)[cycle(x)]), computed as R's mean(): the sum divided by the count, then corrected by the
    // mean deviation. The positions group the indices by i mod period whatever phase the series
    // starts at (cycle(x) only labels the groups), so the phase does not enter.
    const sums = new Float64Array(np);
    const counts = new Float64Array(np);
    for (let i = 0; i < n; i++) {
      const c = i % np;
      sums[c] = sums[c]! + seasonal[i]!;
      counts[c] = counts[c]! + 1;
    }
    for (let c = 0; c < np; c++) sums[c] = sums[c]! / counts[c]!;
    const corrections = new Float64Array(np);
    for (let i = 0; i < n; i++) {
      const c = i % np;
      corrections[c] = corrections[c]! + (seasonal[i]! - sums[c]!);
    }
    for (let c = 0; c < np; c++) sums[c] = sums[c]! + corrections[c]! / counts[c]!;
    for (let i = 0; i < n; i++) seasonal[i] = sums[i % np]!;
  }

  const remainder = new Float64Array(n);
  for (let i = 0; i < n; i++) remainder[i] = y[i]! - seasonal[i]! - trend[i]!;
  return { seasonal, trend, remainder, weights };
}

// ---- numerical core ---------------------------------------------------------------------------

/**
 * The outer (robustness) loop: one inner-loop run without weights, then `no` runs each with
 * bisquare weights from the previous fit. `rw` ends as the weights of the final run (all 1 when
 * no = 0); `season` and `trend` receive the decomposition.
 */
function stlCore(
  y: Float64Array,
  n: number,
  np: number,
  ns: number,
  nt: number,
  nl: number,
  isdeg: number,
  itdeg: number,
  ildeg: number,
  nsjump: number,
  ntjump: number,
  nljump: number,
  ni: number,
  no: number,
  exactMedian: boolean,
  rw: Float64Array,
  season: Float64Array,
  trend: Float64Array,
): void {
  trend.fill(0);
  let newns = Math.max(3, ns);
  let newnt = Math.max(3, nt);
  let newnl = Math.max(3, nl);
  if (newns % 2 === 0) newns += 1;
  if (newnt % 2 === 0) newnt += 1;
  if (newnl % 2 === 0) newnl += 1;
  const newnp = Math.max(2, np);

  // work(n + 2 * np, 5), column-major as in the original.
  const rows = n + 2 * newnp;
  const work = new Float64Array(rows * 5);

  let userw = false;
  for (let k = 0; ;) {
    stlstp(y, n, newnp, newns, newnt, newnl, isdeg, itdeg, ildeg, nsjump, ntjump, nljump, ni);
    k += 1;
    if (k > no) break;
    for (let i = 1; i <= n; i++) work[i - 1] = trend[i - 1]! + season[i - 1]!;
    stlrwt(y, -1, n, work, -1, rw, -1, exactMedian);
    userw = true;
  }
  if (no <= 0) rw.fill(1);

  /**
   * One run of the inner loop (`ni` passes): detrend, smooth the cycle-subseries, low-pass filter
   * them, take the seasonal as their difference, then smooth the deseasonalised series for the
   * trend. Spans are already odd and >= 3 here.
   */
  function stlstp(
    y: Float64Array,
    n: number,
    np: number,
    ns: number,
    nt: number,
    nl: number,
    isdeg: number,
    itdeg: number,
    ildeg: number,
    nsjump: number,
    ntjump: number,
    nljump: number,
    ni: number,
  ): void {
    // Bases of work(1, c) for the columns c = 1..5; y, rw, season and trend have base -1.
    const w1 = -1;
    const w2 = rows - 1;
    const w3 = 2 * rows - 1;
    const w4 = 3 * rows - 1;
    const w5 = 4 * rows - 1;
    for (let j = 1; j <= ni; j++) {
      for (let i = 1; i <= n; i++) work[w1 + i] = y[i - 1]! - trend[i - 1]!;
      stlss(
        work,
        w1,
        n,
        np,
        ns,
        isdeg,
        nsjump,
        userw,
        rw,
        -1,
        work,
        w2,
        work,
        w3,
        work,
        w4,
        work,
        w5,
        season,
        -1,
      );
      stlfts(work, w2, n + 2 * np, np, work, w3, work, w1);
      stless(work, w3, n, nl, ildeg, nljump, false, work, w4, work, w1, work, w5);
      for (let i = 1; i <= n; i++) season[i - 1] = work[w2 + np + i]! - work[w1 + i]!;
      for (let i = 1; i <= n; i++) work[w1 + i] = y[i - 1]! - season[i - 1]!;
      stless(work, w1, n, nt, itdeg, ntjump, userw, rw, -1, trend, -1, work, w3);
    }
  }
}

/**
 * Loess smoothing of y(1..n) with span `len` and degree `ideg`, evaluated every `njump` points and
 * linearly interpolated in between; the result goes to ys(1..n). `res` is scratch for weights.
 */
function stless(
  y: Float64Array,
  yb: number,
  n: number,
  len: number,
  ideg: number,
  njump: number,
  userw: boolean,
  rw: Float64Array,
  rwb: number,
  ys: Float64Array,
  ysb: number,
  res: Float64Array,
  resb: number,
): void {
  if (n < 2) {
    ys[ysb + 1] = y[yb + 1]!;
    return;
  }
  const newnj = Math.min(njump, n - 1);
  let nleft = 0;
  let nright = 0;
  let fit: number;

  if (len >= n) {
    nleft = 1;
    nright = n;
    for (let i = 1; i <= n; i += newnj) {
      fit = stlest(y, yb, n, len, ideg, i, nleft, nright, res, resb, userw, rw, rwb);
      ys[ysb + i] = Number.isNaN(fit) ? y[yb + i]! : fit;
    }
  } else if (newnj === 1) {
    const nsh = Math.trunc((len + 1) / 2);
    nleft = 1;
    nright = len;
    for (let i = 1; i <= n; i++) {
      if (i > nsh && nright !== n) {
        nleft += 1;
        nright += 1;
      }
      fit = stlest(y, yb, n, len, ideg, i, nleft, nright, res, resb, userw, rw, rwb);
      ys[ysb + i] = Number.isNaN(fit) ? y[yb + i]! : fit;
    }
  } else {
    const nsh = Math.trunc((len + 1) / 2);
    for (let i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      fit = stlest(y, yb, n, len, ideg, i, nleft, nright, res, resb, userw, rw, rwb);
      ys[ysb + i] = Number.isNaN(fit) ? y[yb + i]! : fit;
    }
  }

  if (newnj !== 1) {
    for (let i = 1; i <= n - newnj; i += newnj) {
      const delta = (ys[ysb + i + newnj]! - ys[ysb + i]!) / newnj;
      for (let j = i + 1; j <= i + newnj - 1; j++) ys[ysb + j] = ys[ysb + i]! + delta * (j - i);
    }
    const k = Math.trunc((n - 1) / newnj) * newnj + 1;
    if (k !== n) {
      // The last point reuses the window of the last evaluated point, as the original does.
      fit = stlest(y, yb, n, len, ideg, n, nleft, nright, res, resb, userw, rw, rwb);
      ys[ysb + n] = Number.isNaN(fit) ? y[yb + n]! : fit;
      if (k !== n - 1) {
        const delta = (ys[ysb + n]! - ys[ysb + k]!) / (n - k);
        for (let j = k + 1; j <= n - 1; j++) ys[ysb + j] = ys[ysb + k]! + delta * (j - k);
      }
    }
  }
}

/**
 * The loess estimate at abscissa `xs` from y(nleft..nright): tricube weights over the half-width
 * h (widened by (len - n) / 2 when the span exceeds the series), times the robustness weights when
 * `userw`, and a local line when `ideg` = 1 and the abscissae spread enough. Returns NaN when all
 * weights vanish (the original's `ok = .false.`); `w` receives the final weights.
 */
function stlest(
  y: Float64Array,
  yb: number,
  n: number,
  len: number,
  ideg: number,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
  wb: number,
  userw: boolean,
  rw: Float64Array,
  rwb: number,
): number {
  const range = n - 1;
  let h = Math.max(xs - nleft, nright - xs);
  if (len > n) h += Math.trunc((len - n) / 2);
  const h9 = 0.999 * h;
  const h1 = 0.001 * h;
  let a = 0;
  for (let j = nleft; j <= nright; j++) {
    const r = Math.abs(j - xs);
    if (r <= h9) {
      let wj: number;
      if (r <= h1) {
        wj = 1;
      } else {
        const q = r / h;
        const c = 1 - q * q * q;
        wj = c * c * c;
      }
      if (userw) wj = rw[rwb + j]! * wj;
      w[wb + j] = wj;
      a += wj;
    } else {
      w[wb + j] = 0;
    }
  }
  if (a <= 0) return NaN;

  // The passes below are the original's, fused where one pass's result is not needed by the next
  // element: the same operations on each element, the sums accumulated in the same order.
  let ys = 0;
  if (h > 0 && ideg > 0) {
    let mean = 0;
    for (let j = nleft; j <= nright; j++) {
      const wj = w[wb + j]! / a;
      w[wb + j] = wj;
      mean += wj * j;
    }
    let b = xs - mean;
    let c = 0;
    for (let j = nleft; j <= nright; j++) {
      const d = j - mean;
      c += w[wb + j]! * (d * d);
    }
    if (Math.sqrt(c) > 0.001 * range) {
      b = b / c;
      for (let j = nleft; j <= nright; j++) {
        const wj = w[wb + j]! * (b * (j - mean) + 1);
        w[wb + j] = wj;
        ys += wj * y[yb + j]!;
      }
      return ys;
    }
    for (let j = nleft; j <= nright; j++) ys += w[wb + j]! * y[yb + j]!;
    return ys;
  }
  for (let j = nleft; j <= nright; j++) {
    const wj = w[wb + j]! / a;
    w[wb + j] = wj;
    ys += wj * y[yb + j]!;
  }
  return ys;
}

/**
 * Seasonal smoothing: each of the `np` cycle-subseries of y(1..n) is loess-smoothed and
 * extrapolated one cycle at each end, giving season(1..n + 2 * np). work1..work4 are scratch
 * (work2 needs k + 2 elements, the others k, for k the longest subseries).
 */
function stlss(
  y: Float64Array,
  yb: number,
  n: number,
  np: number,
  ns: number,
  isdeg: number,
  nsjump: number,
  userw: boolean,
  rw: Float64Array,
  rwb: number,
  season: Float64Array,
  sb: number,
  work1: Float64Array,
  w1b: number,
  work2: Float64Array,
  w2b: number,
  work3: Float64Array,
  w3b: number,
  work4: Float64Array,
  w4b: number,
): void {
  for (let j = 1; j <= np; j++) {
    const k = Math.trunc((n - j) / np) + 1;
    for (let i = 1; i <= k; i++) work1[w1b + i] = y[yb + (i - 1) * np + j]!;
    if (userw) {
      for (let i = 1; i <= k; i++) work3[w3b + i] = rw[rwb + (i - 1) * np + j]!;
    }
    // work2(2..k+1) gets the smooth; work2(1) and work2(k+2) the values one cycle beyond.
    stless(work1, w1b, k, ns, isdeg, nsjump, userw, work3, w3b, work2, w2b + 1, work4, w4b);
    const nright = Math.min(ns, k);
    let fit = stlest(work1, w1b, k, ns, isdeg, 0, 1, nright, work4, w4b, userw, work3, w3b);
    work2[w2b + 1] = Number.isNaN(fit) ? work2[w2b + 2]! : fit;
    const nleft = Math.max(1, k - ns + 1);
    fit = stlest(work1, w1b, k, ns, isdeg, k + 1, nleft, k, work4, w4b, userw, work3, w3b);
    work2[w2b + k + 2] = Number.isNaN(fit) ? work2[w2b + k + 1]! : fit;
    for (let m = 1; m <= k + 2; m++) season[sb + (m - 1) * np + j] = work2[w2b + m]!;
  }
}

/**
 * The low-pass filter's moving averages: of lengths np, np and 3 in turn, taking x(1..n) to
 * trend(1..n - 2 * np); `work` is scratch.
 */
function stlfts(
  x: Float64Array,
  xb: number,
  n: number,
  np: number,
  trend: Float64Array,
  tb: number,
  work: Float64Array,
  wb: number,
): void {
  stlma(x, xb, n, np, trend, tb);
  stlma(trend, tb, n - np + 1, np, work, wb);
  stlma(work, wb, n - 2 * np + 2, 3, trend, tb);
}

/** Moving average of length `len` over x(1..n), written to ave(1..n - len + 1). */
function stlma(
  x: Float64Array,
  xb: number,
  n: number,
  len: number,
  ave: Float64Array,
  ab: number,
): void {
  const newn = n - len + 1;
  const flen = len;
  let v = 0;
  for (let i = 1; i <= len; i++) v += x[xb + i]!;
  ave[ab + 1] = v / flen;
  if (newn > 1) {
    let k = len;
    let m = 0;
    for (let j = 2; j <= newn; j++) {
      k += 1;
      m += 1;
      v = v - x[xb + m]! + x[xb + k]!;
      ave[ab + j] = v / flen;
    }
  }
}

/**
 * Bisquare robustness weights rw(i) = B(|y(i) - fit(i)| / (6 * M)), B(u) = (1 - u^2)^2 for
 * |u| < 1, where M is the median of the absolute residuals: the mean of the order statistics at
 * positions n/2 + 1 and n - (n/2 + 1) + 1, placed by `partialSort`. For odd n both positions are
 * the middle one and M is exact. For even n the two positions reach the partial sort in
 * descending order, which it does not expect, so one of them can be left out of place and M can
 * differ from the exact median. That is the original's behaviour and R's; with `exactMedian` the
 * exact median is used instead.
 */
function stlrwt(
  y: Float64Array,
  yb: number,
  n: number,
  fit: Float64Array,
  fb: number,
  rw: Float64Array,
  rwb: number,
  exactMedian: boolean,
): void {
  for (let i = 1; i <= n; i++) rw[rwb + i] = Math.abs(y[yb + i]! - fit[fb + i]!);
  const mid1 = Math.trunc(n / 2) + 1;
  const mid2 = n - mid1 + 1;
  let cmad: number;
  if (exactMedian) {
    const sorted = rw.slice(rwb + 1, rwb + n + 1).sort();
    cmad = 3 * (sorted[mid1 - 1]! + sorted[mid2 - 1]!);
  } else {
    MID[0] = mid1;
    MID[1] = mid2;
    partialSort(rw, rwb, n, MID, 2);
    cmad = 3 * (rw[rwb + mid1]! + rw[rwb + mid2]!);
  }
  const c9 = 0.999 * cmad;
  const c1 = 0.001 * cmad;
  for (let i = 1; i <= n; i++) {
    const r = Math.abs(y[yb + i]! - fit[fb + i]!);
    if (r <= c1) {
      rw[rwb + i] = 1;
    } else if (r <= c9) {
      const u = r / cmad;
      const b = 1 - u * u;
      rw[rwb + i] = b * b;
    } else {
      rw[rwb + i] = 0;
    }
  }
}

/**
 * The robustness weights STL derives from a fit (R's `stlrwt`): bisquare weights of the absolute
 * residuals scaled by six times their median, the median taken as `robustMedian` says.
 */
export function robustnessWeights(
  values: ArrayLike<number>,
  fit: ArrayLike<number>,
  robustMedian: RobustMedian = 'r',
): Float64Array {
  const y = toFiniteArray(values);
  const f = toFiniteArray(fit);
  if (f.length !== y.length) {
    throw optionError(`fit has length ${f.length}, values ${y.length}`);
  }
  const rw = new Float64Array(y.length);
  if (y.length > 0) stlrwt(y, -1, y.length, f, -1, rw, -1, robustMedian === 'exact');
  return rw;
}

const MID = new Int32Array(2);

// Stacks of the partial sort: pending segments and the ranges of target positions they hold. The
// larger part of each split is the one stacked, so the depth stays below log2(n) + 1.
const STACK_SIZE = 64;
const stackLower = new Int32Array(STACK_SIZE);
const stackUpper = new Int32Array(STACK_SIZE);
const stackIndLower = new Int32Array(STACK_SIZE);
const stackIndUpper = new Int32Array(STACK_SIZE);

/**
 * Partial quicksort of a(1..n) (the original's `psort`, Singleton's algorithm): afterwards the
 * elements at the target positions ind(1..ni) are meant to be those a full sort would put there.
 * Segments are split around a median-of-three pivot; a segment without target positions is not
 * sorted further, and segments of at most 11 elements are finished by insertion sort. The target
 * positions are assumed ascending; when they are not, a position can be dropped from the segment
 * that holds it (see stlrwt). `ind` holds 1-based positions at ind[0 .. ni - 1].
 */
export function partialSort(
  a: Float64Array,
  ab: number,
  n: number,
  ind: ArrayLike<number>,
  ni: number,
): void {
  if (n < 2 || ni <= 0) return;
  const il = stackLower;
  const iu = stackUpper;
  const indl = stackIndLower;
  const indu = stackIndUpper;

  let jl = 1;
  let ju = ni;
  indl[1] = 1;
  indu[1] = ni;
  let i = 1;
  let j = n;
  let m = 1;

  // Labels of the original: 161 the outer loop's test, 166 popping a segment, 173 the loop over
  // large segments, 10 one split, 174 the insertion sort of a small segment.
  const OUTER = 161;
  const POP = 166;
  const LARGE = 173;
  const SPLIT = 10;
  const SMALL = 174;
  let state = OUTER;

  for (;;) {
    switch (state) {
      case OUTER:
        state = i < j ? SPLIT : POP;
        break;

      case POP:
        m -= 1;
        if (m === 0) return;
        i = il[m]!;
        j = iu[m]!;
        jl = indl[m]!;
        ju = indu[m]!;
        state = jl <= ju ? LARGE : POP;
        break;

      case LARGE:
        state = j - i > 10 ? SPLIT : SMALL;
        break;

      case SPLIT: {
        let k = i;
        const ij = Math.trunc((i + j) / 2);
        let t = a[ab + ij]!;
        if (a[ab + i]! > t) {
          a[ab + ij] = a[ab + i]!;
          a[ab + i] = t;
          t = a[ab + ij]!;
        }
        let l = j;
        if (a[ab + j]! < t) {
          a[ab + ij] = a[ab + j]!;
          a[ab + j] = t;
          t = a[ab + ij]!;
          if (a[ab + i]! > t) {
            a[ab + ij] = a[ab + i]!;
            a[ab + i] = t;
            t = a[ab + ij]!;
          }
        }
        for (;;) {
          l -= 1;
          if (a[ab + l]! <= t) {
            const tt = a[ab + l]!;
            do {
              k += 1;
            } while (!(a[ab + k]! >= t));
            if (k > l) break;
            a[ab + l] = a[ab + k]!;
            a[ab + k] = tt;
          }
        }

        indl[m] = jl;
        indu[m] = ju;
        const p = m;
        m += 1;
        state = LARGE;
        if (l - i <= j - k) {
          // Stack the right part [k, j]; go on with the left part [i, l].
          il[p] = k;
          iu[p] = j;
          j = l;
          for (;;) {
            if (jl > ju) {
              state = POP;
              break;
            }
            if (ind[ju - 1]! > j) ju -= 1;
            else break;
          }
          if (state !== POP) indl[p] = ju + 1;
        } else {
          // Stack the left part [i, l]; go on with the right part [k, j].
          il[p] = i;
          iu[p] = l;
          i = k;
          for (;;) {
            if (jl > ju) {
              state = POP;
              break;
            }
            if (ind[jl - 1]! < i) jl += 1;
            else break;
          }
          if (state !== POP) indu[p] = jl - 1;
        }
        break;
      }

      case SMALL:
        if (i !== 1) {
          // a(i - 1) is no larger than anything in [i, j], so it stops the insertion scan.
          i -= 1;
          for (;;) {
            i += 1;
            if (i === j) break;
            const t = a[ab + i + 1]!;
            if (a[ab + i]! > t) {
              let k = i;
              do {
                a[ab + k + 1] = a[ab + k]!;
                k -= 1;
              } while (!(t >= a[ab + k]!));
              a[ab + k + 1] = t;
            }
          }
          state = POP;
        } else {
          state = OUTER;
        }
        break;

      default:
        return;
    }
  }
}
