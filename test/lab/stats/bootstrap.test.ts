import { describe, expect, it } from 'vitest';
import {
  bootstrapCi,
  LabError,
  prAuc,
  rocAuc,
  SeededRandom,
  UndefinedStatisticError,
} from '../../../lab/index.ts';
import { expectClose, reference } from './reference.ts';

const b = reference.bootstrap;

describe('bootstrapCi on the reference index sets (scikit-learn ' + reference.sklearn + ')', () => {
  const sets = { indexSets: b.index_sets, level: b.level };

  it('AUC: every replicate to 1e-9, the interval as np.quantile of them', () => {
    const result = bootstrapCi(rocAuc, b.risk_a, b.labels, sets);
    expect(Math.abs(result.estimate - b.estimate.auc_a)).toBeLessThanOrEqual(1e-9);
    expectClose(result.replicates, b.replicates.auc_a, 1e-9, 'AUC replicates');
    expectClose([result.low, result.high], b.interval.auc_a, 1e-12, 'interval');
    expect(result).toMatchObject({ reps: 40, skipped: 0, level: 0.9 });
  });

  it('average precision: replicates to 1e-9', () => {
    const result = bootstrapCi(prAuc, b.risk_a, b.labels, sets);
    expectClose(result.replicates, b.replicates.ap_a, 1e-9, 'AP replicates');
    expectClose([result.low, result.high], b.interval.ap_a, 1e-12, 'interval');
  });

  it('a paired difference of AUCs: the same rows for both models in each resample', () => {
    const result = bootstrapCi(
      (a, bb, y) => rocAuc(a, y) - rocAuc(bb, y),
      b.risk_a,
      b.risk_b,
      b.labels.map(Boolean),
      sets,
    );
    expect(Math.abs(result.estimate - b.estimate.auc_diff)).toBeLessThanOrEqual(1e-9);
    expectClose(result.replicates, b.replicates.auc_diff, 1e-9, 'difference replicates');
    expectClose([result.low, result.high], b.interval.auc_diff, 1e-12, 'interval');
  });

  it('skips and counts resamples where the statistic is undefined (one class only)', () => {
    const { risk, labels, index_sets, auc } = b.tiny;
    const result = bootstrapCi(rocAuc, risk, labels, { indexSets: index_sets });
    expect(result.skipped).toBe(auc.filter((v) => v === null).length);
    expect(result.skipped).toBe(3);
    auc.forEach((v, r) => {
      if (v === null) expect(result.replicates[r]).toBeNaN();
      else expect(Math.abs(result.replicates[r]! - v)).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe('bootstrapCi with a seed', () => {
  const rng = SeededRandom.fromSeed(11);
  const n = 400;
  const labels = Array.from({ length: n }, () => (rng.nextDouble() < 0.3 ? 1 : 0));
  const risk = labels.map((y) => rng.nextDouble() + 0.5 * y);

  it('is reproducible for a seed and differs between seeds', () => {
    const a = bootstrapCi(rocAuc, risk, labels, { reps: 200, seed: 1 });
    const again = bootstrapCi(rocAuc, Float64Array.from(risk), labels, { reps: 200, seed: 1 });
    const other = bootstrapCi(rocAuc, risk, labels, { reps: 200, seed: 2 });
    expect(again).toEqual(a);
    expect(other.low).not.toBe(a.low);
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    expect(a.estimate).toBe(rocAuc(risk, labels));
  });

  it('draws rows with SeededRandom.fromSeed(seed).nextIndex(n), n per resample', () => {
    // A statistic that reveals the resample: the sum of drawn row numbers (row order-free).
    const rows = Array.from({ length: 50 }, (_, i) => i);
    const result = bootstrapCi((x) => x.reduce((s, v) => s + v, 0), rows, { reps: 3, seed: 9 });
    const draws = SeededRandom.fromSeed(9);
    for (let r = 0; r < 3; r++) {
      let sum = 0;
      for (let i = 0; i < 50; i++) sum += draws.nextIndex(50);
      expect(result.replicates[r]).toBe(sum);
    }
  });

  it('passes rows sorted by the first array, drawn rows repeated, arrays kept paired', () => {
    const first = [0.3, 0.1, 0.2, 0.1];
    const tag = [30, 11, 20, 12]; // identifies the row
    let seen: number[][] = [];
    bootstrapCi(
      (a, t) => {
        seen = [[...a], [...t]];
        return 0;
      },
      first,
      tag,
      { indexSets: [[2, 0, 3, 3]] },
    );
    expect(seen).toEqual([
      [0.1, 0.1, 0.2, 0.3],
      [12, 12, 20, 30],
    ]);
  });

  it('gives a zero-width interval for the AUC difference of a model with itself', () => {
    const result = bootstrapCi((a, bb, y) => rocAuc(a, y) - rocAuc(bb, y), risk, risk, labels, {
      reps: 100,
      seed: 3,
    });
    expect([result.low, result.high, result.estimate]).toEqual([0, 0, 0]);
  });

  it('has the spread of the sampling distribution and covers the true AUC as promised', () => {
    // Binormal: retained ~ N(0, 1), churned ~ N(1, 1), so the true AUC is Phi(1 / sqrt 2).
    // 300 simulated data sets of 50 churned and 100 retained rows, a 90% interval each.
    const trueAuc = 0.7602499389065233; // scipy.stats.norm.cdf(1 / sqrt(2))
    const sim = SeededRandom.fromSeed(77);
    const normal = () =>
      Math.sqrt(-2 * Math.log(1 - sim.nextDouble())) * Math.cos(2 * Math.PI * sim.nextDouble());
    const sd = (v: ArrayLike<number>) => {
      const m = Array.from(v).reduce((s, x) => s + x, 0) / v.length;
      return Math.sqrt(Array.from(v).reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
    };
    const y = Array.from({ length: 150 }, (_, i) => (i < 50 ? 1 : 0));
    const trials = 300;
    const estimates: number[] = [];
    let bootstrapSd = 0;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const x = y.map((v) => normal() + v);
      const ci = bootstrapCi(rocAuc, x, y, { reps: 300, seed: t, level: 0.9 });
      estimates.push(ci.estimate);
      bootstrapSd += sd(ci.replicates) / trials;
      if (ci.low <= trueAuc && trueAuc <= ci.high) covered++;
    }
    // The bootstrap spread estimates the real spread of the AUC across data sets (~0.041).
    expect(bootstrapSd / sd(estimates)).toBeGreaterThan(0.9);
    expect(bootstrapSd / sd(estimates)).toBeLessThan(1.1);
    // 90% nominal; percentile intervals undercover slightly at this size (0.88 in a 400-trial
    // run); the standard error of a 300-trial rate is ~1.7 points.
    expect(covered / trials).toBeGreaterThan(0.83);
    expect(covered / trials).toBeLessThan(0.96);
  });
});

describe('bootstrapCi errors', () => {
  const y = [0, 1, 0, 1];
  const x = [0.1, 0.8, 0.3, 0.6];

  it('checks its arguments', () => {
    const call = bootstrapCi as unknown as (...args: unknown[]) => unknown;
    expect(() => call(rocAuc, { seed: 1 })).toThrow(
      'bootstrapCi: give at least one data array before the options',
    );
    expect(() => bootstrapCi(rocAuc, x, [0, 1], { seed: 1 })).toThrow(
      'bootstrapCi: data array 1 has length 2, array 0 has 4',
    );
    expect(() => bootstrapCi(rocAuc, [], [], { seed: 1 })).toThrow('bootstrapCi: no rows');
    expect(() => bootstrapCi(rocAuc, x, y, { seed: 1, level: 95 })).toThrow(
      'bootstrapCi: level must be in (0, 1), got 95',
    );
    expect(() => bootstrapCi(rocAuc, x, y, { seed: 1, reps: 0 })).toThrow(
      'bootstrapCi: reps must be a whole number >= 1, got 0',
    );
    expect(() => bootstrapCi(rocAuc, x, y, { seed: -3 })).toThrow(
      'seed must be a whole number in [0, 2^53 - 1], got -3',
    );
    expect(() => bootstrapCi(rocAuc, x, y, { indexSets: [[0, 1, 2]] })).toThrow(
      'bootstrapCi: indexSets[0] has length 3, the data have 4 rows',
    );
    expect(() => bootstrapCi(rocAuc, x, y, { indexSets: [[0, 1, 2, 4]] })).toThrow(
      'bootstrapCi: indexSets[0][3] is 4, not a row index in [0, 4)',
    );
  });

  it('propagates an undefined statistic on the full data and errors that are not about definedness', () => {
    expect(() => bootstrapCi(rocAuc, x, [0, 0, 0, 0], { seed: 1 })).toThrow(
      UndefinedStatisticError,
    );
    expect(() => bootstrapCi(() => NaN, x, { seed: 1 })).toThrow(
      'bootstrapCi: the statistic is NaN on the full data',
    );
    let calls = 0;
    const failing = () => {
      if (calls++ > 0) throw new LabError('invalid_request', 'boom');
      return 1;
    };
    expect(() => bootstrapCi(failing, x, { seed: 1 })).toThrow('boom');
  });

  it('fails when every resample is undefined', () => {
    expect(() =>
      bootstrapCi(rocAuc, [0.1, 0.2], [1, 0], {
        indexSets: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toThrow('bootstrapCi: the statistic is undefined on all 2 resamples');
  });
});
