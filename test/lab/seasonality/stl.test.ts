import { describe, expect, it } from 'vitest';
import {
  partialSort,
  resolveStlOptions,
  robustnessWeights,
  stl,
  StlError,
  type StlOptions,
} from '../../../lab/seasonality/index.ts';
import { expectClose, maxAbsDiff, optionsOf, reference, stlCase } from './reference.ts';

// Tolerance against R: absolute, 1e-6 on every element of every component. (The values compared
// are CO2 concentrations near 350, temperatures near 50 and synthetic values near 60; the port
// repeats R's floating-point operations in the same order, so the differences are in fact 0.)
const TOLERANCE = 1e-6;

function thrown(f: () => unknown): StlError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(StlError);
    return error as StlError;
  }
  throw new Error('expected an StlError');
}

describe(`stl() against R's stats::stl() (${reference.r_version})`, () => {
  it('the fixture covers even and odd periods, periodic, robust and explicit parameters', () => {
    const periods = new Set(reference.stl.map((c) => c.period));
    expect(periods).toEqual(new Set([12, 7]));
    expect(reference.stl.some((c) => c.args['s.window'] === 'periodic')).toBe(true);
    expect(reference.stl.some((c) => c.args.robust === true)).toBe(true);
    expect(reference.stl.some((c) => c.args['t.window'] !== undefined)).toBe(true);
    expect(reference.stl.some((c) => c.start !== 0)).toBe(true);
  });

  for (const c of reference.stl) {
    describe(`${c.name} (n = ${c.values.length}, period ${c.period}, ${JSON.stringify(c.args)})`, () => {
      it('seasonal, trend, remainder and weights equal R to 1e-6 (absolute)', () => {
        const fit = stl(c.values, optionsOf(c));
        expectClose(fit.seasonal, c.seasonal, TOLERANCE, 'seasonal');
        expectClose(fit.trend, c.trend, TOLERANCE, 'trend');
        expectClose(fit.remainder, c.remainder, TOLERANCE, 'remainder');
        expectClose(fit.weights, c.weights, TOLERANCE, 'weights');
      });

      it("resolved parameters equal R's $win, $deg, $jump, $inner and $outer", () => {
        const r = resolveStlOptions(c.values.length, optionsOf(c));
        expect({
          win: { s: r.seasonalWindow, t: r.trendWindow, l: r.lowpassWindow },
          deg: { s: r.seasonalDegree, t: r.trendDegree, l: r.lowpassDegree },
          jump: { s: r.seasonalJump, t: r.trendJump, l: r.lowpassJump },
          inner: r.inner,
          outer: r.outer,
        }).toEqual({ win: c.win, deg: c.deg, jump: c.jump, inner: c.inner, outer: c.outer });
      });
    });
  }

  it('an even period (12, monthly CO2) and an odd period (7, daily) both match', () => {
    for (const name of ['co2_swindow7', 'daily203_swindow7']) {
      const c = stlCase(name);
      const fit = stl(c.values, optionsOf(c));
      expect(maxAbsDiff(fit.seasonal, c.seasonal)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(fit.trend, c.trend)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it("periodic: the seasonal repeats exactly with the period, and R's start phase does not enter", () => {
    const c = stlCase('daily203_periodic_phase3');
    const fit = stl(c.values, optionsOf(c));
    for (let i = 7; i < fit.seasonal.length; i++) {
      expect(fit.seasonal[i]).toBe(fit.seasonal[i - 7]);
    }
    // R averages per cycle(x); a series starting at cycle position 4 groups the same indices
    // (i mod 7) as one starting at position 1, so R returns the same decomposition for both.
    const phase0 = stlCase('daily203_periodic');
    expect(c.start).toBe(3);
    expect(phase0.start).toBe(0);
    expect(phase0.values).toEqual(c.values);
    expect(maxAbsDiff(c.seasonal, phase0.seasonal)).toBe(0);
    expect(maxAbsDiff(c.trend, phase0.trend)).toBe(0);
  });

  it('the components add up to the input and the input is left alone', () => {
    const c = stlCase('nottem_swindow9_robust');
    const values = Float64Array.from(c.values);
    const fit = stl(values, optionsOf(c));
    expect(Array.from(values)).toEqual(c.values);
    for (let i = 0; i < values.length; i++) {
      const sum = fit.seasonal[i]! + fit.trend[i]! + fit.remainder[i]!;
      expect(Math.abs(sum - values[i]!)).toBeLessThanOrEqual(1e-9);
    }
  });
});

describe("defaults, as R's stl() resolves them", () => {
  it('t.window = nextodd(ceiling(1.5 * period / (1 - 1.5 / s.window))), l.window = nextodd(period)', () => {
    const r = resolveStlOptions(468, { period: 12, seasonalWindow: 7 });
    expect(r).toMatchObject({
      trendWindow: 23,
      lowpassWindow: 13,
      seasonalJump: 1,
      trendJump: 3,
      lowpassJump: 2,
      seasonalDegree: 0,
      trendDegree: 1,
      lowpassDegree: 1,
      inner: 2,
      outer: 0,
      periodic: false,
    });
  });

  it('periodic: s.window = 10 n + 1 and s.degree 0, whatever degree is asked', () => {
    const r = resolveStlOptions(203, { period: 7, seasonalWindow: 'periodic', seasonalDegree: 1 });
    expect(r).toMatchObject({ seasonalWindow: 2031, seasonalDegree: 0, seasonalJump: 204 });
    expect(r.trendWindow).toBe(11);
  });

  it('robust: inner 1 and outer 15 unless given; lowpassDegree follows trendDegree', () => {
    expect(resolveStlOptions(100, { period: 7, seasonalWindow: 7, robust: true })).toMatchObject({
      inner: 1,
      outer: 15,
    });
    expect(
      resolveStlOptions(100, { period: 7, seasonalWindow: 7, robust: true, outer: 3 }),
    ).toMatchObject({ inner: 1, outer: 3 });
    expect(
      resolveStlOptions(100, { period: 7, seasonalWindow: 7, trendDegree: 0 }).lowpassDegree,
    ).toBe(0);
  });

  it('even windows are reported as given (R reports them so) and fitted as the next odd one', () => {
    const c = stlCase('nottem_explicit_robust');
    expect(c.args['s.window']).toBe(6);
    expect(resolveStlOptions(c.values.length, optionsOf(c)).seasonalWindow).toBe(6);
    const asSeven = stl(c.values, { ...optionsOf(c), seasonalWindow: 7, seasonalJump: 1 });
    expectClose(asSeven.seasonal, c.seasonal, TOLERANCE, 'seasonal with window 7');
  });
});

describe('errors', () => {
  const base: StlOptions = { period: 12, seasonalWindow: 7 };
  const series = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i) + i / 10);

  it('a series of at most two full periods is too short, and the message says its length and the period', () => {
    const error = thrown(() => stl(series(24), base));
    expect(error.code).toBe('too_short');
    expect(error.message).toContain('length 24');
    expect(error.message).toContain('period 12');
    expect(error.message).toContain('at least 25 values');
    expect(error.details).toEqual({ length: 24, period: 12, minimum: 25 });
    expect(stl(series(25), base).trend).toHaveLength(25);
  });

  it('NaN and infinite values are refused with their index', () => {
    const values = series(40);
    values[17] = NaN;
    const error = thrown(() => stl(values, base));
    expect(error.code).toBe('invalid_values');
    expect(error.message).toContain('index 17');
    expect(error.message).toContain('NaN');
    values[17] = 1;
    values[3] = -Infinity;
    expect(thrown(() => stl(values, base)).message).toContain('index 3');
  });

  it('the period must be an integer >= 2', () => {
    for (const period of [1, 0, -3, 2.5, NaN]) {
      const error = thrown(() => stl(series(40), { ...base, period }));
      expect(error.code).toBe('invalid_period');
      expect(error.message).toContain('period must be an integer >= 2');
    }
  });

  it('bad windows, degrees, jumps and iterations are refused', () => {
    const bad: Partial<StlOptions>[] = [
      { seasonalWindow: 1 },
      { seasonalWindow: 7.5 },
      { seasonalWindow: Infinity },
      { trendWindow: 0 },
      { trendWindow: 20.5 },
      { lowpassWindow: -1 },
      { seasonalJump: 0 },
      { trendJump: 1.5 },
      { inner: 0 },
      { outer: -1 },
    ];
    for (const options of bad) {
      const error = thrown(() => stl(series(40), { ...base, ...options }));
      expect(error.code, JSON.stringify(options)).toBe('invalid_option');
      expect(error.message).toContain(Object.keys(options)[0]!);
    }
    const degree = thrown(() => stl(series(40), { ...base, trendDegree: 2 as unknown as 0 | 1 }));
    expect(degree.message).toBe('trendDegree must be 0 or 1, got 2');
    const unknown = thrown(() =>
      stl(series(40), { ...base, seasonalWindow: 'weekly' as unknown as 'periodic' }),
    );
    expect(unknown.code).toBe('invalid_option');
  });
});

describe("the robustness median: R's partial sort, not an exact median", () => {
  // stlrwt takes M = (a[n/2 + 1] + a[n - n/2]) / 2 after psort(a, ind = [n/2 + 1, n - n/2]). For
  // even n that passes the two positions in descending order, and psort, which expects them
  // ascending, can leave one of them out of place.

  for (const c of reference.psort) {
    it(`partialSort reorders ${c.name} exactly as R's compiled psort does`, () => {
      const a = Float64Array.from(c.input);
      partialSort(a, -1, a.length, c.ind, c.ind.length);
      expect(Array.from(a)).toEqual(c.output);
    });
  }

  it('on 12 values with descending positions R places 10 at position 7: median 8, not 6.5', () => {
    const c = reference.psort.find((p) => p.name === 'perm12_descending')!;
    expect(c.ind).toEqual([7, 6]);
    expect((c.output[6]! + c.output[5]!) / 2).toBe(8);
    const exact = [...c.input].sort((x, y) => x - y);
    expect((exact[6]! + exact[5]!) / 2).toBe(6.5);
    const ascending = reference.psort.find((p) => p.name === 'perm12_ascending')!;
    expect(ascending.output).toEqual(exact);
  });

  for (const c of reference.stlrwt) {
    it(`robustnessWeights equals R's stlrwt on ${c.name}; 'exact' ${c.y.length % 2 === 0 ? 'can differ' : 'agrees (odd n)'}`, () => {
      expectClose(robustnessWeights(c.y, c.fit), c.rw, 1e-15, 'weights');
      const exact = robustnessWeights(c.y, c.fit, 'exact');
      if (c.y.length % 2 === 1) expectClose(exact, c.rw, 1e-15, 'exact-median weights');
    });
  }

  it("on the 12 residuals R's weights use 6 M = 48 (M = 8), the exact median would give 39", () => {
    const c = reference.stlrwt.find((p) => p.name === 'perm12')!;
    // Residual 12 at index 11: (1 - (12 / 48)^2)^2 = 0.87890625.
    expect(c.rw[11]).toBe(0.87890625);
    const exact = robustnessWeights(c.y, c.fit, 'exact');
    expect(exact[11]).toBeCloseTo((1 - (12 / 39) ** 2) ** 2, 15);
  });

  it("robust STL on CO2 with s.window = 13 needs R's median: an exact median moves the fit by more than 1e-3", () => {
    const c = stlCase('co2_swindow13_robust');
    const asR = stl(c.values, optionsOf(c));
    const exact = stl(c.values, { ...optionsOf(c), robustMedian: 'exact' });
    expect(maxAbsDiff(asR.trend, c.trend)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(asR.weights, c.weights)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(exact.trend, c.trend)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(exact.weights, c.weights)).toBeGreaterThan(1e-2);
  });

  it('where the partial sort finds the exact median, both rules give R’s robust fit', () => {
    // Even length but no misplaced median in any iteration (CO2 periodic, nottem), and odd length.
    for (const name of [
      'co2_periodic_robust',
      'nottem_swindow9_robust',
      'daily203_swindow7_robust',
    ]) {
      const c = stlCase(name);
      const exact = stl(c.values, { ...optionsOf(c), robustMedian: 'exact' });
      expect(maxAbsDiff(exact.seasonal, c.seasonal), name).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(exact.trend, c.trend), name).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(exact.weights, c.weights), name).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
