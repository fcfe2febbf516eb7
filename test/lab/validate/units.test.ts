import { describe, expect, it } from 'vitest';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { SeededRandom } from '../../../lab/stats/index.ts';
import { equalWeightsBaseline } from '../../../lab/validate/baseline.ts';
import { backtestCacheKey } from '../../../lab/validate/cache-key.ts';
import { rocPoints } from '../../../lab/validate/curves.ts';
import type { ModelRows } from '../../../lab/validate/figures.ts';
import { snapshotDates } from '../../../lab/validate/settings.ts';
import { entry, signalModel } from '../models.ts';

describe('backtestCacheKey', () => {
  const settings = { from: '2025-01-01', to: '2025-12-31', every: 30, horizon: 90 };

  it('is the same for the same settings however they are spelled', () => {
    const key = backtestCacheKey('m', 'd', settings);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      backtestCacheKey('m', 'd', {
        horizon: 90,
        bootstrap: { seed: 1, reps: 200 },
        segments: true,
        every: 30,
        to: '2025-12-31',
        from: '2025-01-01',
      }),
    ).toBe(key);
  });

  it('changes with the model, the data and every setting', () => {
    const key = backtestCacheKey('m', 'd', settings);
    const others = [
      backtestCacheKey('m2', 'd', settings),
      backtestCacheKey('m', 'd2', settings),
      backtestCacheKey('m', 'd', { ...settings, horizon: 60 }),
      backtestCacheKey('m', 'd', { ...settings, segments: false }),
      backtestCacheKey('m', 'd', { ...settings, bootstrap: { reps: 200, seed: 2 } }),
      backtestCacheKey('m', 'd', { ...settings, dataEnd: '2026-01-01' }),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  it('rejects settings a backtest would reject', () => {
    expect(() => backtestCacheKey('m', 'd', { ...settings, every: 0 })).toThrow(
      'invalid settings: every: Too small: expected number to be >=1',
    );
    expect(() => backtestCacheKey('m', 'd', { ...settings, extra: 1 })).toThrow(
      /invalid settings: \(settings\): Unrecognized key: "extra"/,
    );
  });
});

describe('snapshot dates', () => {
  it('end on `to` and step back `every` days, not before `from`', () => {
    expect(snapshotDates({ from: '2024-01-01', to: '2024-03-31', every: 30 })).toEqual([
      '2024-01-01',
      '2024-01-31',
      '2024-03-01',
      '2024-03-31',
    ]);
    expect(snapshotDates({ from: '2024-01-02', to: '2024-03-31', every: 30 })).toEqual([
      '2024-01-31',
      '2024-03-01',
      '2024-03-31',
    ]);
  });
});

describe('ROC points for charts', () => {
  function rows(n: number): ModelRows {
    const random = SeededRandom.fromSeed(1);
    const risk = Float64Array.from({ length: n }, () => random.nextDouble())
      .sort()
      .reverse();
    const label = Uint8Array.from(risk, (r) => (random.nextDouble() < r * 0.3 ? 1 : 0));
    const zeros = () => new Float64Array(n);
    return {
      risk,
      label,
      account: new Int32Array(n),
      segment: new Int32Array(n),
      band: new Uint8Array(n),
      arr: zeros(),
      arrLost: zeros(),
    };
  }

  it('keeps at most 200 points spread along the curve, from (0, 0) to (1, 1)', () => {
    const points = rocPoints(rows(50_000));
    expect(points.length).toBeLessThanOrEqual(200);
    expect(points.length).toBeGreaterThan(150);
    expect(points[0]).toEqual({ fpr: 0, tpr: 0, score: null });
    expect(points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    for (let i = 1; i < points.length; i++) {
      const step = points[i]!.fpr + points[i]!.tpr - points[i - 1]!.fpr - points[i - 1]!.tpr;
      expect(step).toBeGreaterThan(0);
      expect(step).toBeLessThan(0.05);
    }
  });

  it('keeps every point of a small curve', () => {
    const points = rocPoints(rows(30));
    expect(points.length).toBe(31);
  });
});

describe('the equal-weights baseline', () => {
  it('takes every metric once, its direction from the first model that uses it', () => {
    const first = signalModel([
      ['a', 1, [entry('x', 5), entry('y', 1, { method: 'percentile' }, 'lower_is_better')]],
    ]);
    const second = signalModel([
      [
        'b',
        3,
        [entry('y', 2), entry('z', 1, { method: 'minmax', min: 0, max: 1 }, 'lower_is_better')],
      ],
    ]);
    const baseline = equalWeightsBaseline([first, second]);
    expect(baseline.name).toBe('equal-weights');
    expect(baseline.components).toHaveLength(1);
    expect(
      baseline.components[0]!.metrics.map((m) => [m.metric, m.weight, m.direction, m.normalize]),
    ).toEqual([
      ['signal:x:latest', 1, 'higher_is_better', { method: 'percentile', within: 'segment' }],
      ['signal:y:latest', 1, 'lower_is_better', { method: 'percentile', within: 'segment' }],
      ['signal:z:latest', 1, 'lower_is_better', { method: 'percentile', within: 'segment' }],
    ]);
  });

  it('covers the shipped model metric for metric', () => {
    const balanced = defaultModels()[0]!;
    const baseline = equalWeightsBaseline([balanced]);
    expect(baseline.components[0]!.metrics.map((m) => m.metric)).toEqual(
      balanced.components.flatMap((c) => c.metrics.map((m) => m.metric)),
    );
    expect(baseline.bands).toEqual(balanced.bands);
  });
});
