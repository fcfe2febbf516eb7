/**
 * The reference values made by test/fixtures/stats/make_reference.py (scikit-learn, numpy,
 * scipy) and a few comparison helpers. Regenerate the JSON with that script, never by hand.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface RankingCase {
  risk: number[];
  labels: number[];
  roc_auc: number;
  average_precision: number;
  roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
}

export interface CalibrationCase {
  input: string;
  strategy: 'uniform' | 'quantile';
  bins: number;
  prob_true: number[];
  prob_pred: number[];
  edges: number[];
  count: number[];
  positives: number[];
}

export interface LogisticReference {
  input: string;
  l2: number;
  standardize: boolean;
  n_iter: number;
  intercept: number;
  coefficients: number[];
  standardized_intercept?: number;
  standardized_coefficients?: number[];
  means?: number[];
  scales?: number[];
  predict_proba_first_20: number[];
  /** How far lbfgs stopped from the optimum: its largest gradient component. */
  max_abs_gradient: number;
  /** The same fit by sklearn's newton-cg, on the fitted (standardised or raw) scale. */
  newton_cg: { intercept: number; coefficients: number[]; max_abs_gradient: number };
}

export interface Reference {
  generated_by: string;
  python: string;
  numpy: string;
  scipy: string;
  sklearn: string;
  ranking: Record<string, RankingCase>;
  lift: { case: string; bins: number; count: number[]; positives: number[] }[];
  calibration: {
    inputs: Record<string, { predicted: number[]; labels: number[] }>;
    cases: CalibrationCase[];
  };
  logistic: {
    inputs: Record<string, { X: number[][]; y: number[] }>;
    fits: LogisticReference[];
  };
  bootstrap: {
    risk_a: number[];
    risk_b: number[];
    labels: number[];
    level: number;
    index_sets: number[][];
    estimate: Record<'auc_a' | 'ap_a' | 'auc_diff', number>;
    replicates: Record<'auc_a' | 'ap_a' | 'auc_diff', number[]>;
    interval: Record<'auc_a' | 'ap_a' | 'auc_diff', [number, number]>;
    tiny: { risk: number[]; labels: number[]; index_sets: number[][]; auc: (number | null)[] };
  };
  quantile: { values: number[]; q: number[]; quantile: number[] }[];
  random: {
    uint32: { seed: number; values: number[] }[];
    indices: { seed: number; n: number; values: number[] }[];
  };
}

export const reference: Reference = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/reference.json', import.meta.url), 'utf8'),
) as Reference;

/** Every element within `tolerance` (absolute), with the index of the first miss in the message. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what = 'values',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(diff)) {
      [worst, at] = [NaN, i];
      break;
    }
    if (diff > worst) [worst, at] = [diff, i];
  }
  expect(worst, `${what}: largest difference at [${at}]`).toBeLessThanOrEqual(tolerance);
}
