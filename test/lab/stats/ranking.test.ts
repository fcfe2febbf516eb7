import { describe, expect, it } from 'vitest';
import {
  LabError,
  prAuc,
  riskFromHealth,
  rocAuc,
  rocCurve,
  UndefinedStatisticError,
} from '../../../lab/index.ts';
import { expectClose, reference } from './reference.ts';

const cases = Object.entries(reference.ranking);

describe('rocAuc, prAuc and rocCurve against scikit-learn ' + reference.sklearn, () => {
  it.each(cases)('%s: roc_auc_score and average_precision_score to 1e-9', (_name, c) => {
    expect(Math.abs(rocAuc(c.risk, c.labels) - c.roc_auc)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(prAuc(c.risk, c.labels) - c.average_precision)).toBeLessThanOrEqual(1e-9);
  });

  it.each(cases)('%s: roc_curve(drop_intermediate=False) element by element', (name, c) => {
    const curve = rocCurve(Float64Array.from(c.risk), c.labels);
    const ref = c.roc_curve;
    expectClose(curve.fpr, ref.fpr, 1e-12, `${name} fpr`);
    expectClose(curve.tpr, ref.tpr, 1e-12, `${name} tpr`);
    // scikit-learn 1.2 puts max + 1 first; we (and scikit-learn >= 1.3) put +Infinity.
    expect(curve.thresholds[0]).toBe(Infinity);
    expect(ref.thresholds[0]).toBe(ref.thresholds[1]! + 1);
    expectClose(curve.thresholds.subarray(1), ref.thresholds.slice(1), 0, `${name} thresholds`);
  });

  it('accepts boolean labels and typed arrays alike', () => {
    const c = reference.ranking['continuous_5000']!;
    const booleans = c.labels.map((y) => y === 1);
    expect(rocAuc(Float64Array.from(c.risk), booleans)).toBe(rocAuc(c.risk, c.labels));
    expect(prAuc(Float64Array.from(c.risk), booleans)).toBe(prAuc(c.risk, c.labels));
  });

  it('does not depend on the order of the rows', () => {
    const c = reference.ranking['int_ties_200']!;
    const order = c.risk.map((_, i) => (i * 73) % c.risk.length); // 73 is prime to 200
    const risk = order.map((i) => c.risk[i]!);
    const labels = order.map((i) => c.labels[i]!);
    expect(rocAuc(risk, labels)).toBe(rocAuc(c.risk, c.labels));
    expect(prAuc(risk, labels)).toBe(prAuc(c.risk, c.labels));
  });
});

describe('hand-worked cases', () => {
  it('AUC of [0.1, 0.4, 0.35, 0.8] vs [0, 0, 1, 1] is 3 of 4 pairs = 0.75', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts a tie between a churned and a retained row as one half', () => {
    // Pairs (pos, neg): (0.5, 0.5) tie = 0.5, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1.
    expect(rocAuc([0.5, 0.5, 0.9, 0.2], [1, 0, 1, 0])).toBe(3.5 / 4);
    expect(rocAuc([3, 3, 3], [1, 0, 0])).toBe(0.5);
  });

  it('is 0 for a perfectly reversed ranking and 1 for a perfect one', () => {
    expect(rocAuc([0.9, 0.8, 0.1], [0, 0, 1])).toBe(0);
    expect(rocAuc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
  });

  it('average precision: step-wise, ties entering together', () => {
    // Riskiest first: 0.9 (churned) -> precision 1, recall 1/2; then 0.5 (retained) and
    // 0.5 (churned) together -> precision 2/3, recall 1. AP = 1/2 * 1 + 1/2 * 2/3.
    expect(prAuc([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 15);
    // All tied: one threshold, precision = prevalence.
    expect(prAuc([1, 1, 1, 1], [1, 0, 0, 0])).toBe(0.25);
    // No retained rows at all: every threshold has precision 1.
    expect(prAuc([0.2, 0.7], [1, 1])).toBe(1);
  });

  it('ROC curve: a point per distinct score, starting at (0, 0) above every score', () => {
    const { fpr, tpr, thresholds } = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect([...thresholds]).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect([...tpr]).toEqual([0, 0.5, 0.5, 1, 1]);
    expect([...fpr]).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('treats -0 and +0 as the same score', () => {
    expect(rocAuc([-0, 0], [1, 0])).toBe(0.5);
    expect(rocCurve([-0, 0, 1], [1, 0, 1]).thresholds.length).toBe(3);
  });
});

describe('the direction of scores', () => {
  it('health must be flipped: the same ranking read as health gives 1 - AUC', () => {
    const health = [90, 20, 55, 70, 35];
    const churned = [0, 1, 0, 1, 1];
    const risk = riskFromHealth(health);
    expect([...risk]).toEqual([10, 80, 45, 30, 65]);
    expect(rocAuc(risk, churned)).toBe(5 / 6);
    expect(rocAuc(health, churned)).toBe(1 / 6); // = 1 - 5/6: read the wrong way round
    expect(riskFromHealth(12.5)).toBe(87.5);
  });

  it('riskFromHealth refuses values that are not health scores', () => {
    expect(() => riskFromHealth([50, 101])).toThrow(
      'riskFromHealth: health[1] is 101; health scores run from 0 to 100',
    );
    expect(() => riskFromHealth(-1)).toThrow(
      'riskFromHealth: health is -1; health scores run from 0 to 100',
    );
    expect(() => riskFromHealth([NaN])).toThrow(
      'riskFromHealth: health[0] is NaN; scores must be finite numbers',
    );
  });
});

describe('errors name the call, the argument and the problem', () => {
  it('lengths differ', () => {
    expect(() => rocAuc([0.1, 0.2, 0.3], [0, 1])).toThrow(
      'rocAuc: risk and labels differ in length (3 vs 2)',
    );
  });

  it('a score is not finite', () => {
    expect(() => prAuc([0.1, NaN, 0.3], [0, 1, 1])).toThrow(
      'prAuc: risk[1] is NaN; scores must be finite numbers',
    );
    expect(() => rocCurve([0.1, Infinity], [0, 1])).toThrow(
      'rocCurve: risk[1] is Infinity; scores must be finite numbers',
    );
  });

  it('a label is not 0/1/boolean', () => {
    expect(() => rocAuc([0.1, 0.2, 0.3], [0, 2, 1])).toThrow(
      'rocAuc: labels[1] is 2; labels must be 1/true (churned) or 0/false',
    );
  });

  it('one class only: an UndefinedStatisticError, which is a LabError', () => {
    const attempt = () => rocAuc([0.1, 0.2], [1, 1]);
    expect(attempt).toThrow('rocAuc: needs both classes, got 2 churned (1) and 0 not churned (0)');
    expect(attempt).toThrow(UndefinedStatisticError);
    expect(attempt).toThrow(LabError);
    expect(() => rocCurve([], [])).toThrow(
      'rocCurve: needs both classes, got 0 churned (1) and 0 not churned (0)',
    );
    expect(() => prAuc([0.1, 0.2], [0, 0])).toThrow(
      'prAuc: needs at least one churned row (label 1), got 0 churned (1) and 2 not churned (0)',
    );
  });
});
