import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic, type LogisticFit } from '../../../lab/index.ts';
import { expectClose, reference, type LogisticReference } from './reference.ts';

const fits = reference.logistic.fits.map(
  (f) => [`${f.input}, l2 = ${f.l2}, standardize = ${f.standardize}`, f] as const,
);

function fitFor(f: LogisticReference): LogisticFit {
  const input = reference.logistic.inputs[f.input]!;
  return fitLogistic(input.X, input.y, { l2: f.l2, standardize: f.standardize });
}

/** [intercept, ...coefficients] on the scale the reference was fitted on. */
function fitted(fit: LogisticFit, standardize: boolean): number[] {
  return standardize
    ? [fit.standardizedIntercept, ...fit.standardizedCoefficients]
    : [fit.intercept, ...fit.coefficients];
}

/** Largest difference, relative to the size of the reference vector (at least 1). */
function relativeGap(actual: number[], expected: number[]): number {
  const scale = Math.max(1, ...expected.map(Math.abs));
  return Math.max(...expected.map((e, i) => Math.abs(actual[i]! - e))) / scale;
}

/** sum of log-loss + l2/2 ||w||^2 on the original features, computed here independently. */
function objective(X: number[][], y: number[], b0: number, w: number[], l2: number): number {
  let f = 0;
  X.forEach((row, i) => {
    const eta = row.reduce((s, x, j) => s + x * w[j]!, b0);
    f += Math.log1p(Math.exp(-Math.abs(eta))) + Math.max(eta, 0) - y[i]! * eta;
  });
  return f + (l2 / 2) * w.reduce((s, c) => s + c * c, 0);
}

describe('fitLogistic against sklearn LogisticRegression ' + reference.sklearn, () => {
  it.each(fits)('%s: converges, and agrees with newton-cg to 1e-7', (_name, f) => {
    const fit = fitFor(f);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThanOrEqual(15);
    const ncg = [f.newton_cg.intercept, ...f.newton_cg.coefficients];
    expect(relativeGap(fitted(fit, f.standardize), ncg)).toBeLessThanOrEqual(1e-7);
  });

  // lbfgs with tol=1e-10 stops on its ftol (64 eps) test with gradient components up to 1e-4
  // (8e-4 on raw features), so its coefficients are only good to ~1e-5 of their size. The raw
  // fit with a constant column is worse still: the constant and the intercept are collinear and
  // lbfgs crawls along that valley (it reports 5e-5 for a coefficient whose optimum is exactly 0).
  const lbfgsTolerance = (f: LogisticReference) =>
    !f.standardize && f.input === 'constant_column_300' ? 2e-4 : 1e-5;

  it.each(fits)('%s: agrees with lbfgs to within its stopping accuracy', (_name, f) => {
    const fit = fitFor(f);
    const lbfgs = f.standardize
      ? [f.standardized_intercept!, ...f.standardized_coefficients!]
      : [f.intercept, ...f.coefficients];
    expect(relativeGap(fitted(fit, f.standardize), lbfgs)).toBeLessThanOrEqual(lbfgsTolerance(f));
    // And it is at least as good a minimiser of that objective, which it reports correctly.
    const { X, y } = reference.logistic.inputs[f.input]!;
    const rows = f.standardize ? standardized(X, fit) : X;
    const [b0, ...w] = fitted(fit, f.standardize);
    const ours = objective(rows, y, b0!, w, f.l2);
    const theirs = objective(rows, y, lbfgs[0]!, lbfgs.slice(1), f.l2);
    expect(ours).toBeLessThanOrEqual(theirs * (1 + 1e-13));
    expect(Math.abs(fit.objective - ours)).toBeLessThanOrEqual(1e-12 * ours);
    // Predictions on the first 20 rows.
    expectClose(predictLogistic(fit, X.slice(0, 20)), f.predict_proba_first_20, 2e-5, 'p');
  });

  it.each(fits.filter(([, f]) => f.standardize))(
    '%s: StandardScaler means and scales; original-scale coefficients',
    (_name, f) => {
      const fit = fitFor(f);
      expectClose(fit.means, f.means!, 1e-12 * Math.max(...f.means!.map(Math.abs)), 'means');
      expectClose(fit.scales, f.scales!, 1e-12 * Math.max(...f.scales!.map(Math.abs)), 'scales');
      // coefficient j = standardized j / scale j and the intercept absorbs the means, exactly
      // as the script derives them from sklearn's standardized fit.
      fit.coefficients.forEach((c, j) => {
        expect(c).toBe(f.scales![j] === 0 ? 0 : fit.standardizedCoefficients[j]! / fit.scales[j]!);
        const expected = f.coefficients[j]!;
        expect(Math.abs(c - expected)).toBeLessThanOrEqual(
          (lbfgsTolerance(f) * Math.max(1, ...f.standardized_coefficients!.map(Math.abs))) /
            (f.scales![j] || 1),
        );
      });
    },
  );
});

/** X z-scored with the fit's means and scales (constant columns become 0). */
function standardized(X: number[][], fit: LogisticFit): number[][] {
  return X.map((row) =>
    row.map((x, j) => (fit.scales[j] === 0 ? 0 : (x - fit.means[j]!) / fit.scales[j]!)),
  );
}

describe('fitLogistic by hand', () => {
  // One binary feature, no penalty: the fit is the log-odds in each group. x = 0: 3 of 4
  // churned, log-odds ln 3; x = 1: 1 of 4, ln(1/3). So intercept ln 3, coefficient -2 ln 3.
  const X = [[0], [0], [0], [0], [1], [1], [1], [1]];
  const y = [1, 1, 1, 0, 1, 0, 0, 0];

  it('recovers group log-odds without a penalty, standardised or not', () => {
    for (const standardize of [false, true]) {
      const fit = fitLogistic(X, y, { l2: 0, standardize });
      expect(fit.intercept).toBeCloseTo(Math.log(3), 12);
      expect(fit.coefficients[0]).toBeCloseTo(-2 * Math.log(3), 12);
      expect([...predictLogistic(fit, [[0], [1]])].map((p) => +p.toFixed(12))).toEqual([
        0.75, 0.25,
      ]);
    }
    const fit = fitLogistic(X, y, { l2: 0 });
    expect(fit.means).toEqual([0.5]);
    expect(fit.scales).toEqual([0.5]); // population sd of 0,0,0,0,1,1,1,1
    expect(fit.standardizedCoefficients[0]).toBeCloseTo(-Math.log(3), 12);
  });

  it('shrinks the coefficient but not the intercept as l2 grows', () => {
    const weak = fitLogistic(X, y, { l2: 1, standardize: false });
    const strong = fitLogistic(X, y, { l2: 1e6, standardize: false });
    expect(Math.abs(weak.coefficients[0]!)).toBeLessThan(2 * Math.log(3));
    expect(Math.abs(strong.coefficients[0]!)).toBeLessThan(1e-5);
    // With the coefficient ~0 the unpenalised intercept fits the overall rate, 1/2: logit 0.
    expect(Math.abs(strong.intercept)).toBeLessThan(1e-5);
  });

  it('holds constant columns at 0 when standardising and says which they are', () => {
    const Xc = X.map(([x], i) => [x!, 4, i % 3]);
    const fit = fitLogistic(Xc, y, { l2: 0.5 });
    expect(fit.constantColumns).toEqual([1]);
    expect(fit.scales[1]).toBe(0);
    expect(fit.coefficients[1]).toBe(0);
    expect(fit.standardizedCoefficients[1]).toBe(0);
    expect(fitLogistic(Xc, y, { l2: 0.5, standardize: false }).constantColumns).toEqual([1]);
  });

  it('accepts Float64Array rows and boolean labels', () => {
    const fit = fitLogistic(
      X.map((r) => Float64Array.from(r)),
      y.map(Boolean),
      { l2: 0.1 },
    );
    expect(fit.coefficients).toEqual(fitLogistic(X, y, { l2: 0.1 }).coefficients);
  });

  it('reports non-convergence on separable data without a penalty', () => {
    const fit = fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], { l2: 0, maxIter: 5 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(5);
    expect(fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], { l2: 0.1 }).converged).toBe(true);
  });

  it('explains a singular problem, bad shapes, values and classes', () => {
    expect(() =>
      fitLogistic(
        X.map(([x]) => [x!, x!]),
        y,
        { l2: 0 },
      ),
    ).toThrow(
      'fitLogistic: the Hessian is singular: with l2 = 0 collinear or constant columns have no ' +
        'unique coefficients; set l2 > 0 or drop them',
    );
    expect(() => fitLogistic([[1, 2], [3]], [0, 1])).toThrow(
      'fitLogistic: X[1] has 1 features, X[0] has 2',
    );
    expect(() => fitLogistic([[1], [NaN]], [0, 1])).toThrow(
      'fitLogistic: X[1][0] is NaN; features must be finite',
    );
    expect(() => fitLogistic([[1], [2]], [0, 1, 1])).toThrow(
      'fitLogistic: X and y differ in length (2 vs 3)',
    );
    expect(() => fitLogistic([[1], [2]], [1, 1])).toThrow(
      'fitLogistic: needs both classes, got 2 churned (1) and 0 not churned (0)',
    );
    expect(() => fitLogistic([[1], [2]], [0, 1], { l2: -1 })).toThrow(
      'fitLogistic: l2 must be >= 0, got -1',
    );
    const fit = fitLogistic(X, y);
    expect(() => predictLogistic(fit, [[1, 2]])).toThrow(
      'predictLogistic: X[0] has 2 features, the fit has 1',
    );
  });
});
