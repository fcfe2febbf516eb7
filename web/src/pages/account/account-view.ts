/**
 * What the account page says in words and tables: the contribution table grouped by component,
 * and where a metric's value sits in its segment.
 */
import type { LatestScore, MetricContribution } from '../../api/account.ts';
import { contributionParts, type SegmentSpread } from '../../charts/account.ts';

export interface ContributionGroup {
  component: string;
  /** The component's own score, 0-100. */
  score: number | null;
  /** Its effective weight in the score, 0-1. */
  weight: number | null;
  /** The sum of its metrics' shown contributions. */
  points: number;
  metrics: (MetricContribution & { shown: number | null })[];
}

/**
 * The metrics grouped by component in model order, each with its contribution as shown (null for
 * a metric that did not count). The shown values of all groups add up to the shown score.
 */
export function contributionGroups(latest: LatestScore & { score: number }): ContributionGroup[] {
  const parts = contributionParts(latest.metrics, latest.score);
  const shown = new Map(parts.map((part) => [`${part.component}\u0000${part.metric}`, part.shown]));
  const order = [
    ...latest.components.map((entry) => entry.component),
    ...latest.metrics.map((entry) => entry.component),
  ].filter((component, i, all) => all.indexOf(component) === i);
  return order.map((component) => {
    const entry = latest.components.find((candidate) => candidate.component === component);
    const metrics = latest.metrics
      .filter((metric) => metric.component === component)
      .map((metric) => ({
        ...metric,
        shown: shown.get(`${metric.component}\u0000${metric.metric}`) ?? null,
      }));
    // Summed in tenths, so the subtotal is as exact as the parts.
    const tenths = metrics.reduce((sum, metric) => sum + Math.round((metric.shown ?? 0) * 10), 0);
    return {
      component,
      score: entry?.score ?? null,
      weight: entry?.weight ?? null,
      points: tenths / 10,
      metrics,
    };
  });
}

/** Where the account's value sits among its segment's percentiles, in words. */
export function segmentPosition(distribution: SegmentSpread): string {
  const { value, p10, p25, p50, p75, p90 } = distribution;
  if (value === null) return 'No value for this account';
  if (value < p10) return 'Below the 10th percentile';
  if (value < p25) return 'Between the 10th and 25th percentiles';
  if (value < p50) return 'Between the 25th percentile and the median';
  if (value === p50) return 'At the median';
  if (value <= p75) return 'Between the median and the 75th percentile';
  if (value <= p90) return 'Between the 75th and 90th percentiles';
  return 'Above the 90th percentile';
}

/** A weight 0-1 as a percentage with at most one decimal: 0.125 -> "12.5%". */
export function formatWeight(weight: number): string {
  return `${Number((weight * 100).toFixed(1))}%`;
}
