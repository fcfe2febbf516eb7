/**
 * Calibration: is a predicted churn probability of 0.3 followed by churn about 30% of the time?
 * `predicted` is RISK (higher = more likely to churn): a probability, or any risk score with the
 * 'quantile' strategy.
 */
import {
  checkBins,
  checkFinite,
  checkSameLength,
  invalid,
  labelAt,
  type Labels,
  type Scores,
} from './inputs.ts';
import { quantileSorted } from './quantile.ts';
import { sortAscending } from './sort.ts';

export interface CalibrationOptions {
  /**
   * 'uniform' (default): equal-width bins over [0, 1]; every prediction must be a probability.
   * 'quantile': bins at the 0, 1/bins, ..., 1 quantiles of the predictions themselves (deciles
   * for 10 bins), so any finite risk score can be binned; mean predicted is then a mean score.
   */
  strategy?: 'uniform' | 'quantile';
}

export interface CalibrationRow {
  /** 1 = lowest predictions. */
  bin: number;
  /** Edges: the bin holds lower < p <= upper (the first bin also p <= lower). */
  lower: number;
  upper: number;
  count: number;
  /** Churned rows in the bin. */
  positives: number;
  /** Mean prediction in the bin; null when empty. */
  meanPredicted: number | null;
  /** positives / count; null when empty. */
  observedRate: number | null;
}

/**
 * One row per bin, lowest predictions first, empty bins included (null means) so the table
 * always has `bins` rows. Matches sklearn.calibration.calibration_curve(y, p, n_bins, strategy)
 * exactly: its prob_pred and prob_true are our non-empty rows' meanPredicted and observedRate.
 * To match it bit for bit the edges are computed as numpy computes them (np.linspace, or
 * np.percentile for 'quantile'), a value equal to an edge goes to the lower bin (searchsorted),
 * and sums run in input order (bincount).
 */
export function calibrationTable(
  predicted: Scores,
  labels: Labels,
  bins = 10,
  options: CalibrationOptions = {},
): CalibrationRow[] {
  const fn = 'calibrationTable';
  const strategy = options.strategy ?? 'uniform';
  checkBins(fn, bins);
  const n = predicted.length;
  checkSameLength(fn, ['predicted', 'labels'], n, labels.length);
  if (n === 0) throw invalid(fn, 'no rows');
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    checkFinite(fn, 'predicted', p, i);
    if (strategy === 'uniform' && (p < 0 || p > 1)) {
      throw invalid(
        fn,
        `predicted[${i}] is ${p}, outside [0, 1]; the 'uniform' strategy needs probabilities ` +
          `(use { strategy: 'quantile' } to bin risk scores by their quantiles)`,
        { index: i },
      );
    }
  }
  const edges = strategy === 'quantile' ? quantileEdges(predicted, bins) : uniformEdges(bins);
  const count = new Float64Array(bins);
  const positives = new Float64Array(bins);
  const sums = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    const b = countInnerEdgesBelow(edges, p);
    count[b]!++;
    positives[b]! += labelAt(fn, labels, i);
    sums[b]! += p;
  }
  return Array.from({ length: bins }, (_, b) => {
    const c = count[b]!;
    return {
      bin: b + 1,
      lower: edges[b]!,
      upper: edges[b + 1]!,
      count: c,
      positives: positives[b]!,
      meanPredicted: c > 0 ? sums[b]! / c : null,
      observedRate: c > 0 ? positives[b]! / c : null,
    };
  });
}

function fractions(bins: number): Float64Array {
  // np.linspace(0, 1, bins + 1): i * (1 / bins), the last point set to 1 exactly.
  const step = 1 / bins;
  const f = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) f[i] = i * step;
  f[bins] = 1;
  return f;
}

function uniformEdges(bins: number): Float64Array {
  return fractions(bins);
}

function quantileEdges(predicted: Scores, bins: number): Float64Array {
  const sorted = sortAscending(Float64Array.from(predicted));
  // calibration_curve calls np.percentile(p, linspace * 100), which divides by 100 again.
  return fractions(bins).map((f) => quantileSorted(sorted, (f * 100) / 100));
}

/** np.searchsorted(edges[1:-1], p, side='left'): how many inner edges are strictly below p. */
function countInnerEdgesBelow(edges: Float64Array, p: number): number {
  let lo = 1;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
