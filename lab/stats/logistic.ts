/**
 * L2-regularised logistic regression by Newton's method (IRLS) with a backtracking line search,
 * keeping the Hessian for the last steps once they are small (see newton).
 * y is 1/true = churned, so the fitted probabilities are RISK (higher = more likely to churn), and
 * a positive coefficient means "more of this feature, more churn".
 */
import { solveSpd } from './cholesky.ts';
import { checkSameLength, invalid, labelAt, requireBothClasses, type Labels } from './inputs.ts';

/** Rows of features: X[i][j] is feature j of row i. */
export type FeatureRows = readonly ArrayLike<number>[];

export interface LogisticOptions {
  /** Penalty strength, >= 0: objective = sum of log-loss + (l2 / 2) * ||w||^2; the intercept is
   * not penalised. sklearn's LogisticRegression(C = 1 / l2). Default 1 (sklearn's C = 1). */
  l2?: number;
  /** z-score every feature (population sd, like StandardScaler) before fitting. Default true. */
  standardize?: boolean;
  /** Iterations at most (steps with a fresh or a kept Hessian). Default 100. */
  maxIter?: number;
  /** Converged when every Newton step component is <= tol * (1 + |coefficient|). Default 1e-10. */
  tol?: number;
}

export interface LogisticFit {
  /** On the original feature scale: p = 1 / (1 + exp(-(intercept + coefficients . x))). */
  intercept: number;
  coefficients: number[];
  /** On the z-scored features (equal to the above when standardize is false). */
  standardizedIntercept: number;
  standardizedCoefficients: number[];
  /** Column means and population sds used for z-scoring (0 and 1 without standardize; scale 0
   * marks a constant column). */
  means: number[];
  scales: number[];
  /** Columns whose values are all equal. With standardize they carry no information once
   * centred: their coefficients are exactly 0 and they are left out of the fit. Without
   * standardize they are fitted like any column (collinear with the intercept, penalised). */
  constantColumns: number[];
  standardize: boolean;
  l2: number;
  /** The minimised objective (on the fitted scale). */
  objective: number;
  iterations: number;
  converged: boolean;
}

export function fitLogistic(X: FeatureRows, y: Labels, options: LogisticOptions = {}): LogisticFit {
  const fn = 'fitLogistic';
  const l2 = options.l2 ?? 1;
  const standardize = options.standardize ?? true;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-10;
  if (!(Number.isFinite(l2) && l2 >= 0)) throw invalid(fn, `l2 must be >= 0, got ${l2}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw invalid(fn, `maxIter must be >= 1`);
  if (!(tol > 0)) throw invalid(fn, `tol must be > 0, got ${tol}`);

  const n = X.length;
  checkSameLength(fn, ['X', 'y'], n, y.length);
  const p = readWidth(fn, X);
  const labels = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] = labelAt(fn, y, i);
  requireBothClasses(fn, positives, n - positives);

  const { means, scales, constantColumns } = columnMoments(X, n, p, standardize);
  const active = [...Array(p).keys()].filter((j) => !(standardize && scales[j] === 0));

  // Design matrix, row-major, column 0 the intercept.
  const d = active.length + 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    z[i * d] = 1;
    for (let k = 0; k < active.length; k++) {
      const j = active[k]!;
      z[i * d + k + 1] = (row[j]! - means[j]!) / scales[j]!;
    }
  }

  const result = newton(z, labels, n, d, l2, maxIter, tol);
  if (result === null) {
    throw invalid(
      fn,
      'the Hessian is singular: with l2 = 0 collinear or constant columns have no unique ' +
        'coefficients; set l2 > 0 or drop them',
    );
  }
  const { beta } = result;
  const standardizedCoefficients = new Array<number>(p).fill(0);
  active.forEach((j, k) => (standardizedCoefficients[j] = beta[k + 1]!));
  const coefficients = standardizedCoefficients.map((b, j) => (b === 0 ? 0 : b / scales[j]!));
  const intercept = coefficients.reduce((sum, c, j) => sum - c * means[j]!, beta[0]!);
  return {
    intercept,
    coefficients,
    standardizedIntercept: beta[0]!,
    standardizedCoefficients,
    means,
    scales,
    constantColumns,
    standardize,
    l2,
    objective: result.objective,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/**
 * Column means and population sds (0 and 1 without standardize) and the constant columns. Rows
 * are read one at a time (reading a column at a time strides through memory), each column's sums
 * still taken in row order.
 */
function columnMoments(X: FeatureRows, n: number, p: number, standardize: boolean) {
  const means = new Array<number>(p).fill(0);
  const scales = new Array<number>(p).fill(1);
  const sums = new Float64Array(p);
  const constant = new Uint8Array(p).fill(1);
  const first = X[0];
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    for (let j = 0; j < p; j++) {
      const v = row[j]!;
      if (v !== first![j]) constant[j] = 0;
      sums[j]! += v;
    }
  }
  const constantColumns = [...Array(p).keys()].filter((j) => constant[j] === 1);
  if (!standardize) return { means, scales, constantColumns };
  const squares = new Float64Array(p);
  for (let j = 0; j < p; j++) means[j] = sums[j]! / n;
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    for (let j = 0; j < p; j++) squares[j]! += (row[j]! - means[j]!) ** 2;
  }
  for (let j = 0; j < p; j++) scales[j] = constant[j] ? 0 : Math.sqrt(squares[j]! / n);
  return { means, scales, constantColumns };
}

/** Probability of churn (risk) for each row: 1 / (1 + exp(-(intercept + coefficients . x))). */
export function predictLogistic(
  fit: Pick<LogisticFit, 'intercept' | 'coefficients'>,
  X: FeatureRows,
): Float64Array {
  const p = fit.coefficients.length;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const row = X[i]!;
    if (row.length !== p) {
      throw invalid('predictLogistic', `X[${i}] has ${row.length} features, the fit has ${p}`);
    }
    let eta = fit.intercept;
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(row[j]!)) {
        throw invalid(
          'predictLogistic',
          `X[${i}][${j}] is ${String(row[j])}; features must be finite`,
        );
      }
      eta += fit.coefficients[j]! * row[j]!;
    }
    out[i] = sigmoid(eta);
  }
  return out;
}

function readWidth(fn: string, X: FeatureRows): number {
  const p = X[0]?.length ?? 0;
  X.forEach((row, i) => {
    if (row.length !== p) throw invalid(fn, `X[${i}] has ${row.length} features, X[0] has ${p}`);
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(row[j]!)) {
        throw invalid(fn, `X[${i}][${j}] is ${String(row[j])}; features must be finite`);
      }
    }
  });
  return p;
}

function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** log(1 + exp(eta)) without overflow. */
function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

/** The objective at beta; the linear predictor of every row is left in `eta`. */
function objective(
  z: Float64Array,
  y: Float64Array,
  beta: Float64Array,
  n: number,
  d: number,
  l2: number,
  eta: Float64Array,
): number {
  let f = 0;
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let k = 0; k < d; k++) e += z[i * d + k]! * beta[k]!;
    eta[i] = e;
    f += softplus(e) - y[i]! * e;
  }
  let penalty = 0;
  for (let k = 1; k < d; k++) penalty += beta[k]! ** 2;
  return f + (l2 / 2) * penalty;
}

/** The gradient X'(p - y) at the linear predictor `eta`, penalty not included. */
function gradientOnly(
  z: Float64Array,
  y: Float64Array,
  eta: Float64Array,
  n: number,
  d: number,
): Float64Array {
  const gradient = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const residual = sigmoid(eta[i]!) - y[i]!;
    const row = i * d;
    for (let a = 0; a < d; a++) gradient[a]! += z[row + a]! * residual;
  }
  return gradient;
}

/** Rows per block of the Hessian pass: a block's columns (2 x d x BLOCK_ROWS doubles) stay in L2. */
const BLOCK_ROWS = 256;

/**
 * The gradient X'(p - y) and the lower triangle of the Hessian X'WX at the linear predictor
 * `eta`, penalty not included. The Hessian is the costly part (d^2 / 2 products per row), so rows
 * are taken in blocks, copied column by column, and four entries are accumulated side by side
 * (independent sums keep the processor busy). Every entry still adds its terms one row at a
 * time in row order, exactly as a plain row loop would, so the sums are the same to the bit.
 */
function gradientAndHessian(
  z: Float64Array,
  y: Float64Array,
  eta: Float64Array,
  n: number,
  d: number,
): { gradient: Float64Array; hessian: Float64Array } {
  const gradient = new Float64Array(d);
  const hessian = new Float64Array(d * d);
  const columns = new Float64Array(d * BLOCK_ROWS);
  const weighted = new Float64Array(d * BLOCK_ROWS);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, n - start);
    for (let r = 0; r < rows; r++) {
      const row = (start + r) * d;
      const prob = sigmoid(eta[start + r]!);
      const residual = prob - y[start + r]!;
      const weight = prob * (1 - prob);
      for (let a = 0; a < d; a++) {
        const za = z[row + a]!;
        gradient[a]! += za * residual;
        columns[a * BLOCK_ROWS + r] = za;
        weighted[a * BLOCK_ROWS + r] = za * weight;
      }
    }
    for (let a = 0; a < d; a++) {
      const wa = a * BLOCK_ROWS;
      let b = 0;
      for (; b + 3 <= a; b += 4) {
        const c0 = b * BLOCK_ROWS;
        const c1 = c0 + BLOCK_ROWS;
        const c2 = c1 + BLOCK_ROWS;
        const c3 = c2 + BLOCK_ROWS;
        let h0 = hessian[a * d + b]!;
        let h1 = hessian[a * d + b + 1]!;
        let h2 = hessian[a * d + b + 2]!;
        let h3 = hessian[a * d + b + 3]!;
        for (let r = 0; r < rows; r++) {
          const w = weighted[wa + r]!;
          h0 += w * columns[c0 + r]!;
          h1 += w * columns[c1 + r]!;
          h2 += w * columns[c2 + r]!;
          h3 += w * columns[c3 + r]!;
        }
        hessian[a * d + b] = h0;
        hessian[a * d + b + 1] = h1;
        hessian[a * d + b + 2] = h2;
        hessian[a * d + b + 3] = h3;
      }
      for (; b <= a; b++) {
        const cb = b * BLOCK_ROWS;
        let h = hessian[a * d + b]!;
        for (let r = 0; r < rows; r++) h += weighted[wa + r]! * columns[cb + r]!;
        hessian[a * d + b] = h;
      }
    }
  }
  return { gradient, hessian };
}

interface NewtonResult {
  beta: Float64Array;
  objective: number;
  iterations: number;
  converged: boolean;
}

/** A full step whose largest component (relative to its coefficient) is under this is close
 * enough to the optimum that its Hessian serves for the remaining steps. */
const REUSE_BELOW = 1e-2;

function newton(
  z: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
  l2: number,
  maxIter: number,
  tol: number,
): NewtonResult | null {
  let beta = new Float64Array(d);
  // Start from the intercept-only fit, log(p / (1 - p)) of the share of positives: with centred
  // features it is where the first Newton steps would otherwise spend themselves getting to.
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  beta[0] = Math.log(positives / (n - positives));
  // The linear predictor at beta: the last objective() call is always at the beta kept.
  const eta = new Float64Array(n);
  let f = objective(z, y, beta, n, d, l2, eta);
  // Near the optimum the last Hessian is kept and only the gradient is recomputed (the chord
  // method): each such step costs d instead of d^2 / 2 products per row. Convergence becomes
  // linear, at a rate about the Hessian's relative change since it was kept (on the 50,000-account
  // fit, each such step shrinks the error about thirtyfold), so the last few of a dozen steps
  // cost one Hessian pass instead of several.
  let kept: Float64Array | null = null;
  for (let iteration = 1; iteration <= maxIter; iteration++) {
    let gradient: Float64Array;
    let hessian: Float64Array;
    if (kept) {
      gradient = gradientOnly(z, y, eta, n, d);
      hessian = kept;
    } else {
      ({ gradient, hessian } = gradientAndHessian(z, y, eta, n, d));
      for (let k = 1; k < d; k++) hessian[k * d + k]! += l2;
    }
    for (let k = 1; k < d; k++) gradient[k]! += l2 * beta[k]!;
    const step = solveSpd(hessian, gradient, d);
    if (step === null) return null;
    const size = step.reduce(
      (max, s, k) => Math.max(max, Math.abs(s) / (1 + Math.abs(beta[k]!))),
      0,
    );
    const small = size <= tol;
    // Backtracking (Armijo) keeps every step downhill far from the optimum, where a full Newton
    // step on a nearly separable data set can overshoot. Near the optimum the decrease a Newton
    // step promises (slope / 2) drops below the rounding error of f itself, and Armijo would
    // backtrack to nothing; there the full step is safe (quadratic convergence) and is taken.
    const slope = step.reduce((sum, s, k) => sum + s * gradient[k]!, 0);
    const withinRounding = slope <= 1e-12 * (1 + Math.abs(f));
    let t = 1;
    let accepted = true;
    for (let halvings = 0; ; halvings++) {
      const candidate = beta.map((b, k) => b - t * step[k]!);
      const fCandidate = objective(z, y, candidate, n, d, l2, eta);
      if (small || withinRounding || fCandidate <= f - 1e-4 * t * slope) {
        beta = candidate;
        f = fCandidate;
        break;
      }
      if (kept) {
        // A kept Hessian that no longer gives a full downhill step: stay, and take a fresh one.
        objective(z, y, beta, n, d, l2, eta);
        accepted = false;
        break;
      }
      if (halvings === 60) return { beta, objective: f, iterations: iteration, converged: false };
      t /= 2;
    }
    if (small) return { beta, objective: f, iterations: iteration, converged: true };
    kept = accepted && t === 1 && size < REUSE_BELOW ? hessian : null;
  }
  return { beta, objective: f, iterations: maxIter, converged: false };
}
