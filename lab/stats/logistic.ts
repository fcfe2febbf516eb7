/**
 * L2-regularised logistic regression by Newton's method (IRLS) with a backtracking line search.
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
  /** Newton iterations at most. Default 100. */
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

  const means = new Array<number>(p).fill(0);
  const scales = new Array<number>(p).fill(1);
  const constantColumns: number[] = [];
  for (let j = 0; j < p; j++) {
    const first = X[0]![j]!;
    let constant = true;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = X[i]![j]!;
      constant &&= v === first;
      sum += v;
    }
    if (constant) constantColumns.push(j);
    if (!standardize) continue;
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (X[i]![j]! - mean) ** 2;
    means[j] = mean;
    scales[j] = constant ? 0 : Math.sqrt(squares / n);
  }
  const active = [...Array(p).keys()].filter((j) => !(standardize && scales[j] === 0));

  // Design matrix, row-major, column 0 the intercept.
  const d = active.length + 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    z[i * d] = 1;
    active.forEach((j, k) => (z[i * d + k + 1] = (X[i]![j]! - means[j]!) / scales[j]!));
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

function objective(
  z: Float64Array,
  y: Float64Array,
  beta: Float64Array,
  n: number,
  d: number,
  l2: number,
): number {
  let f = 0;
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let k = 0; k < d; k++) eta += z[i * d + k]! * beta[k]!;
    f += softplus(eta) - y[i]! * eta;
  }
  let penalty = 0;
  for (let k = 1; k < d; k++) penalty += beta[k]! ** 2;
  return f + (l2 / 2) * penalty;
}

interface NewtonResult {
  beta: Float64Array;
  objective: number;
  iterations: number;
  converged: boolean;
}

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
  let f = objective(z, y, beta, n, d, l2);
  for (let iteration = 1; iteration <= maxIter; iteration++) {
    const gradient = new Float64Array(d);
    const hessian = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let eta = 0;
      for (let k = 0; k < d; k++) eta += z[row + k]! * beta[k]!;
      const prob = sigmoid(eta);
      const residual = prob - y[i]!;
      const weight = prob * (1 - prob);
      for (let a = 0; a < d; a++) {
        const za = z[row + a]!;
        gradient[a]! += za * residual;
        const wa = za * weight;
        for (let b = 0; b <= a; b++) hessian[a * d + b]! += wa * z[row + b]!;
      }
    }
    for (let k = 1; k < d; k++) {
      gradient[k]! += l2 * beta[k]!;
      hessian[k * d + k]! += l2;
    }
    const step = solveSpd(hessian, gradient, d);
    if (step === null) return null;
    const small = step.every((s, k) => Math.abs(s) <= tol * (1 + Math.abs(beta[k]!)));
    // Backtracking (Armijo) keeps every step downhill far from the optimum, where a full Newton
    // step on a nearly separable data set can overshoot. Near the optimum the decrease a Newton
    // step promises (slope / 2) drops below the rounding error of f itself, and Armijo would
    // backtrack to nothing; there the full step is safe (quadratic convergence) and is taken.
    const slope = step.reduce((sum, s, k) => sum + s * gradient[k]!, 0);
    const withinRounding = slope <= 1e-12 * (1 + Math.abs(f));
    let t = 1;
    for (let halvings = 0; ; halvings++) {
      const candidate = beta.map((b, k) => b - t * step[k]!);
      const fCandidate = objective(z, y, candidate, n, d, l2);
      if (small || withinRounding || fCandidate <= f - 1e-4 * t * slope) {
        beta = candidate;
        f = fCandidate;
        break;
      }
      if (halvings === 60) return { beta, objective: f, iterations: iteration, converged: false };
      t /= 2;
    }
    if (small) return { beta, objective: f, iterations: iteration, converged: true };
  }
  return { beta, objective: f, iterations: maxIter, converged: false };
}
