import { LabError } from '../errors.ts';
import { getMetric } from '../metrics/catalog.ts';
import { parseModel, type Model } from '../model/spec.ts';

/** Metrics whose share of the total |standardised coefficient| is below this are dropped. */
export const DEFAULT_MIN_WEIGHT_SHARE = 0.02;

export interface FittedTerm {
  metric: string;
  /** The catalog family, which becomes the component key. */
  family: string;
  /** On the raw (imputed) scale, and per standard deviation of the metric. */
  coefficient: number;
  standardizedCoefficient: number;
  /** |standardised coefficient| / the sum over all metrics. */
  share: number;
  direction: 'higher_is_better' | 'lower_is_better';
  /** Weight in the model (the kept shares normalised to 100), 0 when dropped. */
  weight: number;
  kept: boolean;
  /** Why a metric was dropped, or null. */
  dropped: string | null;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Turns a logistic regression of churn on metrics into weights: each metric's weight is its
 * |standardised coefficient| (the change in churn log-odds per standard deviation), its direction
 * the coefficient's sign (a negative coefficient on churn: more of it, less churn, so
 * higher_is_better). Metrics below `minShare` of the total are dropped (a constant metric has a
 * coefficient of exactly 0); the rest are normalised to sum to exactly 100 in steps of 0.01
 * (largest remainders: each weight is rounded down, and the hundredths left over go to the
 * weights that lost most in rounding).
 */
export function termsFromFit(
  metrics: readonly string[],
  coefficients: readonly number[],
  standardized: readonly number[],
  minShare = DEFAULT_MIN_WEIGHT_SHARE,
): FittedTerm[] {
  const total = standardized.reduce((sum, b) => sum + Math.abs(b), 0);
  const share = (j: number) => (total > 0 ? Math.abs(standardized[j]!) / total : 0);
  const keptTotal = metrics.reduce((sum, _, j) => sum + (share(j) >= minShare ? share(j) : 0), 0);
  const isKept = (j: number) => share(j) >= minShare && share(j) > 0;
  const exact = metrics.map((_, j) => (isKept(j) ? (10_000 * share(j)) / keptTotal : 0));
  const hundredths = exact.map(Math.floor);
  const left = 10_000 - hundredths.reduce((sum, h) => sum + h, 0);
  [...exact.keys()]
    .filter(isKept)
    .sort((a, b) => exact[b]! - hundredths[b]! - (exact[a]! - hundredths[a]!) || a - b)
    .slice(0, Math.max(0, left))
    .forEach((j) => (hundredths[j]! += 1));
  return metrics.map((metric, j) => {
    const s = share(j);
    const kept = isKept(j);
    return {
      metric,
      family: getMetric(metric).family,
      coefficient: coefficients[j]!,
      standardizedCoefficient: standardized[j]!,
      share: s,
      direction: standardized[j]! < 0 ? 'higher_is_better' : 'lower_is_better',
      weight: kept ? hundredths[j]! / 100 : 0,
      kept,
      dropped: kept
        ? null
        : standardized[j] === 0
          ? 'coefficient 0 (constant in the training rows)'
          : `${(100 * s).toFixed(2)}% of the total weight, under ${(100 * minShare).toFixed(0)}%`,
    };
  });
}

/**
 * An ordinary model from fitted terms: one component per metric family (its weight the sum of its
 * metrics' weights), every metric ranked by percentile within its segment, bands and the
 * missing-value policy copied from `baseline`.
 */
export function modelFromTerms(
  terms: readonly FittedTerm[],
  baseline: Model,
  info: { name: string; description: string },
): Model {
  const kept = terms.filter((term) => term.kept);
  if (kept.length === 0) {
    throw new LabError(
      'invalid_request',
      'the fit gave no metric a weight (every coefficient is 0): there is nothing to build a model from',
    );
  }
  const families = new Map<string, FittedTerm[]>();
  for (const term of kept) families.set(term.family, [...(families.get(term.family) ?? []), term]);
  const weightOf = (list: FittedTerm[]) => list.reduce((sum, term) => sum + term.weight, 0);
  const components = [...families.entries()]
    .sort((a, b) => weightOf(b[1]) - weightOf(a[1]) || a[0].localeCompare(b[0]))
    .map(([family, list]) => ({
      key: family,
      weight: round2(weightOf(list)),
      metrics: [...list]
        .sort((a, b) => b.weight - a.weight || a.metric.localeCompare(b.metric))
        .map((term) => ({
          metric: term.metric,
          weight: term.weight,
          direction: term.direction,
          normalize: { method: 'percentile', within: 'segment' },
        })),
    }));
  return parseModel({
    name: info.name,
    description: info.description,
    bands: baseline.bands,
    missing: baseline.missing,
    components,
  });
}
