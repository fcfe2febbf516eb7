import { describe, expect, it } from 'vitest';
import { calibrationTable, liftTable } from '../../../lab/index.ts';
import { reference } from './reference.ts';

describe('liftTable', () => {
  it.each(reference.lift.map((c) => [c.case, c.bins, c] as const))(
    '%s, %i bins: counts and churned per bin as computed independently with scipy rankdata',
    (name, bins, c) => {
      const input = reference.ranking[name]!;
      const rows = liftTable(input.risk, input.labels, bins);
      expect(rows.map((r) => r.count)).toEqual(c.count);
      expect(rows.map((r) => r.positives)).toEqual(c.positives);
    },
  );

  it('derives rate, lift, capture and cumulative capture from the counts', () => {
    // Riskiest first: 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (0), 0.5 (1), 0.4 (0) ... two rows per bin.
    const risk = [0.4, 0.9, 0.5, 0.8, 0.6, 0.7];
    const labels = [0, 1, 1, 1, 0, 0];
    const rows = liftTable(risk, labels, 3);
    expect(rows).toEqual([
      {
        bin: 1,
        count: 2,
        positives: 2,
        rate: 1,
        lift: 2,
        capture: 2 / 3,
        cumulativeCapture: 2 / 3,
        minRisk: 0.8,
        maxRisk: 0.9,
      },
      {
        bin: 2,
        count: 2,
        positives: 0,
        rate: 0,
        lift: 0,
        capture: 0,
        cumulativeCapture: 2 / 3,
        minRisk: 0.6,
        maxRisk: 0.7,
      },
      {
        bin: 3,
        count: 2,
        positives: 1,
        rate: 0.5,
        lift: 1,
        capture: 1 / 3,
        cumulativeCapture: 1,
        minRisk: 0.4,
        maxRisk: 0.5,
      },
    ]);
  });

  it('keeps ties together in the bin of their average position', () => {
    // Riskiest first, positions 0..5: 9 | 5 5 5 | 1 1. The 5s sit at 1..3, average 2, and with
    // n = 6, 3 bins, floor(2 * 3 / 6) = 1: all three go to bin 2, leaving the 1s alone in bin 3.
    const rows = liftTable([5, 1, 5, 9, 1, 5], [1, 0, 0, 1, 0, 1], 3);
    expect(rows.map((r) => r.count)).toEqual([1, 3, 2]);
    // The 5s at positions 0..2 (average 1) of n = 4 with 2 bins: floor(1 * 2 / 4) = 0, bin 1.
    expect(liftTable([5, 5, 5, 1], [1, 0, 0, 0], 2).map((r) => r.count)).toEqual([3, 1]);
  });

  it('keeps empty bins, with null rate, lift and risk range', () => {
    const rows = liftTable([2, 2, 2, 2], [1, 0, 0, 0], 3);
    expect(rows.map((r) => r.count)).toEqual([0, 4, 0]);
    expect(rows[0]).toMatchObject({ rate: null, lift: null, minRisk: null, capture: 0 });
    expect(rows[1]).toMatchObject({ rate: 0.25, lift: 1, capture: 1, cumulativeCapture: 1 });
    expect(rows[2]).toMatchObject({ count: 0, rate: null, cumulativeCapture: 1 });
  });

  it('has bins of sizes differing by at most one without ties, riskiest first', () => {
    const n = 1003;
    const risk = Array.from({ length: n }, (_, i) => (i * 7919) % n); // a permutation of 0..n-1
    const labels = risk.map((r) => (r % 3 === 0 ? 1 : 0));
    const rows = liftTable(risk, labels, 10);
    for (const r of rows) expect([100, 101]).toContain(r.count);
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(n);
    for (let b = 1; b < 10; b++) expect(rows[b]!.maxRisk!).toBeLessThan(rows[b - 1]!.minRisk!);
    expect(rows[9]!.cumulativeCapture).toBe(1);
  });

  it('refuses bad bins and data without a churned row', () => {
    expect(() => liftTable([1, 2], [1, 0], 0)).toThrow(
      'liftTable: bins must be a whole number >= 1, got 0',
    );
    expect(() => liftTable([1, 2], [1, 0], 2.5)).toThrow(
      'liftTable: bins must be a whole number >= 1, got 2.5',
    );
    expect(() => liftTable([1, 2], [0, 0])).toThrow(
      'liftTable: needs at least one churned row (label 1), got 0 churned (1) and 2 not churned (0)',
    );
  });
});

describe(
  'calibrationTable against sklearn.calibration.calibration_curve ' + reference.sklearn,
  () => {
    const cases = reference.calibration.cases.map((c) => [c.input, c.strategy, c.bins, c] as const);

    it.each(cases)('%s, %s, %i bins: exactly', (name, strategy, bins, c) => {
      const input = reference.calibration.inputs[name]!;
      const rows = calibrationTable(input.predicted, input.labels, bins, { strategy });
      expect(rows.map((r) => r.lower)).toEqual(c.edges.slice(0, -1));
      expect(rows.map((r) => r.upper)).toEqual(c.edges.slice(1));
      expect(rows.map((r) => r.count)).toEqual(c.count);
      expect(rows.map((r) => r.positives)).toEqual(c.positives);
      const filled = rows.filter((r) => r.count > 0);
      expect(filled.map((r) => r.observedRate)).toEqual(c.prob_true);
      expect(filled.map((r) => r.meanPredicted)).toEqual(c.prob_pred);
      expect(rows.filter((r) => r.count === 0).every((r) => r.meanPredicted === null)).toBe(true);
    });

    it('puts a value equal to an inner edge in the lower bin', () => {
      // 10 uniform edges are i * 0.1: 0.2 is the edge 2 * 0.1 and goes down to bin 2;
      // 0.30000000000000004 is the edge 3 * 0.1 and stays in bin 3 with 0.3; 0.31 is above it.
      const rows = calibrationTable([0.2, 0.3, 0.30000000000000004, 0.31], [0, 0, 1, 1], 10);
      expect(rows[1]).toMatchObject({ count: 1, positives: 0, lower: 0.1, upper: 0.2 });
      expect(rows[2]).toMatchObject({ count: 2, positives: 1, upper: 0.30000000000000004 });
      expect(rows[3]).toMatchObject({ count: 1, positives: 1, meanPredicted: 0.31 });
    });

    it("bins risk scores by their own quantiles with strategy 'quantile'", () => {
      const risk = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100, not probabilities
      const labels = risk.map((r) => (r > 80 ? 1 : 0));
      const rows = calibrationTable(risk, labels, 10, { strategy: 'quantile' });
      expect(rows.map((r) => r.count)).toEqual(Array(10).fill(10));
      expect(rows[0]).toMatchObject({ lower: 1, upper: 10.9, meanPredicted: 5.5 });
      expect(rows.map((r) => r.observedRate)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    });

    it('needs probabilities for the uniform strategy and names the offender', () => {
      expect(() => calibrationTable([0.2, 1.5], [0, 1])).toThrow(
        "calibrationTable: predicted[1] is 1.5, outside [0, 1]; the 'uniform' strategy needs " +
          "probabilities (use { strategy: 'quantile' } to bin risk scores by their quantiles)",
      );
      expect(() => calibrationTable([0.2, NaN], [0, 1])).toThrow(
        'calibrationTable: predicted[1] is NaN; scores must be finite numbers',
      );
      expect(() => calibrationTable([0.2], [0, 1])).toThrow(
        'calibrationTable: predicted and labels differ in length (1 vs 2)',
      );
      expect(() => calibrationTable([], [])).toThrow('calibrationTable: no rows');
      expect(() => calibrationTable([0.5], ['1' as unknown as number])).toThrow(
        'calibrationTable: labels[0] is 1; labels must be 1/true (churned) or 0/false',
      );
    });

    it('matches expected counts with one class only (calibration needs no second class)', () => {
      const rows = calibrationTable([0.1, 0.9], [0, 0], 2);
      expect(rows.map((r) => r.observedRate)).toEqual([0, 0]);
    });
  },
);
