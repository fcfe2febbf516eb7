import { describe, expect, it } from 'vitest';
import {
  dailyPeriods,
  decomposeDaily,
  fillGaps,
  mstl,
  stl,
  StlError,
  type MstlOptions,
} from '../../../lab/seasonality/index.ts';
import { expectClose, maxAbsDiff, reference, type MstlCase } from './reference.ts';

// Tolerance against R: absolute, 1e-6 on every element of every component.
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

function optionsOf(c: MstlCase): MstlOptions {
  const options: MstlOptions = { periods: c.periods };
  if (c.args['s.window'] !== undefined) options.seasonalWindows = c.args['s.window'];
  if (c.args.iterate !== undefined) options.iterations = c.args.iterate;
  if (c.args.robust !== undefined) options.stl = { robust: c.args.robust };
  return options;
}

/** Trend + weekly + yearly sines and a small deterministic wobble, with the true components. */
function synthetic(n: number) {
  const trend = new Float64Array(n);
  const weekly = new Float64Array(n);
  const yearly = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    trend[i] = 200 + 0.05 * i + 3 * Math.sin((2 * Math.PI * i) / 1500);
    weekly[i] = 6 * Math.sin((2 * Math.PI * i) / 7) + 2 * Math.cos((4 * Math.PI * i) / 7);
    yearly[i] = 15 * Math.sin((2 * Math.PI * i) / 365) + 4 * Math.cos((4 * Math.PI * i) / 365);
    values[i] = trend[i]! + weekly[i]! + yearly[i]! + 0.3 * Math.sin(i * 1.618 + (i % 5));
  }
  return { values, trend, weekly, yearly };
}

describe(`mstl() against R's forecast::mstl() (forecast ${reference.forecast_version}, ${reference.r_version})`, () => {
  it('the fixture has MSTL cases', () => {
    expect(reference.mstl.length).toBeGreaterThan(0);
  });

  for (const c of reference.mstl) {
    it(`${c.name}: trend, seasonals and remainder equal R to 1e-6 (absolute)`, () => {
      const fit = mstl(c.values, optionsOf(c));
      expect(fit.periodsUsed).toEqual(c.periods_used);
      expect(fit.periodsDropped).toEqual(
        [...c.periods].sort((a, b) => a - b).filter((p) => !c.periods_used.includes(p)),
      );
      expectClose(fit.trend, c.trend, TOLERANCE, 'trend');
      expect(fit.seasonals.map((s) => s.period)).toEqual(c.seasonals.map((s) => s.period));
      fit.seasonals.forEach((s, k) => {
        expectClose(s.values, c.seasonals[k]!.values, TOLERANCE, `seasonal ${s.period}`);
      });
      expectClose(fit.remainder, c.remainder, TOLERANCE, 'remainder');
    });
  }
});

describe('mstl(): independent checks', () => {
  it('with one period it is stl() with the same seasonal window', () => {
    const { values } = synthetic(400);
    for (const seasonalWindow of [11, 'periodic'] as const) {
      const single = mstl(values, { periods: [7], seasonalWindows: seasonalWindow });
      const direct = stl(values, { period: 7, seasonalWindow });
      expect(maxAbsDiff(single.trend, direct.trend)).toBeLessThanOrEqual(1e-9);
      expect(maxAbsDiff(single.seasonals[0]!.values, direct.seasonal)).toBeLessThanOrEqual(1e-9);
      expect(maxAbsDiff(single.remainder, direct.remainder)).toBeLessThanOrEqual(1e-9);
    }
    // The default window for the first period is 7 + 4 = 11.
    const byDefault = mstl(values, { periods: [7] });
    const eleven = stl(values, { period: 7, seasonalWindow: 11 });
    expect(maxAbsDiff(byDefault.seasonals[0]!.values, eleven.seasonal)).toBeLessThanOrEqual(1e-9);
  });

  it('recovers trend, weekly and yearly components of a synthetic series', () => {
    const truth = synthetic(1460);
    const fit = mstl(truth.values, { periods: [7, 365] });
    expect(fit.periodsUsed).toEqual([7, 365]);
    // Away from the ends, where loess extrapolates.
    const inner = (a: ArrayLike<number>) => Array.from(a).slice(60, -60);
    const rms = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const x = inner(a);
      const y = inner(b);
      return Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / x.length);
    };
    expect(rms(fit.seasonals[0]!.values, truth.weekly)).toBeLessThan(0.5);
    expect(rms(fit.seasonals[1]!.values, truth.yearly)).toBeLessThan(1.5);
    expect(rms(fit.trend, truth.trend)).toBeLessThan(1);
    // Against amplitudes of 6 (weekly) and 15 (yearly): the components are not mixed up.
    expect(maxAbsDiff(inner(fit.seasonals[0]!.values), inner(truth.weekly))).toBeLessThan(1.5);
    expect(maxAbsDiff(inner(fit.seasonals[1]!.values), inner(truth.yearly))).toBeLessThan(3);
  });

  it('trend + seasonals + remainder equals the input to 1e-9', () => {
    const { values } = synthetic(1100);
    for (const options of [
      { periods: [7, 365] },
      { periods: [365, 7, 30], iterations: 3 },
      { periods: [7, 30], stl: { robust: true } },
    ] satisfies MstlOptions[]) {
      const fit = mstl(values, options);
      for (let i = 0; i < values.length; i++) {
        let sum = fit.trend[i]! + fit.remainder[i]!;
        for (const s of fit.seasonals) sum += s.values[i]!;
        expect(Math.abs(sum - values[i]!)).toBeLessThanOrEqual(1e-9);
      }
    }
  });

  it('drops periods the series holds at most twice, ascending; none left is an error', () => {
    const { values } = synthetic(730);
    const fit = mstl(values, { periods: [365, 7] });
    expect(fit.periodsUsed).toEqual([7]);
    expect(fit.periodsDropped).toEqual([365]);
    const error = thrown(() => mstl(values.slice(0, 20), { periods: [12, 30] }));
    expect(error.code).toBe('too_short');
    expect(error.message).toContain('length 20');
    expect(error.message).toContain('period 12');
  });

  it('an array of windows goes with the periods in the order given', () => {
    const { values } = synthetic(1100);
    const a = mstl(values, { periods: [30, 7], seasonalWindows: [21, 9] });
    const b = mstl(values, { periods: [7, 30], seasonalWindows: [9, 21] });
    expect(maxAbsDiff(a.trend, b.trend)).toBe(0);
  });

  it('refuses bad periods, windows and iterations', () => {
    const { values } = synthetic(200);
    expect(thrown(() => mstl(values, { periods: [] })).code).toBe('invalid_option');
    expect(thrown(() => mstl(values, { periods: [7, 7] })).message).toContain('listed twice');
    expect(thrown(() => mstl(values, { periods: [1.5] })).code).toBe('invalid_period');
    expect(thrown(() => mstl(values, { periods: [7], iterations: 0 })).code).toBe('invalid_option');
    expect(
      thrown(() => mstl(values, { periods: [7, 30], seasonalWindows: [9] })).message,
    ).toContain('seasonalWindows has 1 entries for 2 periods');
    const withNaN = Float64Array.from(values);
    withNaN[5] = NaN;
    expect(thrown(() => mstl(withNaN, { periods: [7] })).message).toContain('index 5');
  });
});

describe('decomposeDaily()', () => {
  it('chooses [7, 365] from 730 points, [7] from 28, and refuses fewer than 28', () => {
    expect(dailyPeriods(28)).toEqual([7]);
    expect(dailyPeriods(729)).toEqual([7]);
    expect(dailyPeriods(730)).toEqual([7, 365]);
    const error = thrown(() => decomposeDaily(Array.from({ length: 27 }, (_, i) => i)));
    expect(error.code).toBe('too_short');
    expect(error.message).toContain('length 27');
    expect(error.message).toContain('28');
  });

  it('fits the yearly period once the series holds more than two years', () => {
    const { values } = synthetic(731);
    const fit = decomposeDaily(Array.from(values));
    expect(fit.periodsUsed).toEqual([7, 365]);
    const exactlyTwoYears = decomposeDaily(Array.from(values.slice(0, 730)));
    expect(exactlyTwoYears.periodsUsed).toEqual([7]);
    expect(exactlyTwoYears.periodsDropped).toEqual([365]);
    const short = decomposeDaily(Array.from(values.slice(0, 28)));
    expect(short.periodsUsed).toEqual([7]);
  });

  it('equals mstl() when there are no gaps', () => {
    const { values } = synthetic(800);
    const fit = decomposeDaily(Array.from(values));
    const direct = mstl(values, { periods: [7, 365] });
    expect(fit.filled).toEqual([]);
    expect(maxAbsDiff(fit.trend, direct.trend)).toBe(0);
    expect(maxAbsDiff(fit.remainder, direct.remainder)).toBe(0);
  });

  it('fills gaps linearly inside, with the nearest value at the ends, and reports them', () => {
    const { values, filled } = fillGaps([null, NaN, 4, 6, null, null, 12, undefined, 20, null]);
    expect(Array.from(values)).toEqual([4, 4, 4, 6, 8, 10, 12, 16, 20, 20]);
    expect(filled).toEqual([0, 1, 4, 5, 7, 9]);
  });

  it('fits the filled series and leaves the remainder NaN where a value was missing', () => {
    const { values } = synthetic(120);
    const withGaps: (number | null)[] = Array.from(values);
    for (const i of [0, 30, 31, 32, 119]) withGaps[i] = null;
    const fit = decomposeDaily(withGaps);
    expect(fit.filled).toEqual([0, 30, 31, 32, 119]);
    expect(fit.values[0]).toBe(values[1]);
    expect(fit.values[119]).toBe(values[118]);
    expect(fit.values[31]).toBeCloseTo(values[29]! + (values[33]! - values[29]!) / 2, 12);
    for (let i = 0; i < 120; i++) {
      if (fit.filled.includes(i)) {
        expect(fit.remainder[i]).toBeNaN();
      } else {
        const sum = fit.trend[i]! + fit.seasonals[0]!.values[i]! + fit.remainder[i]!;
        expect(Math.abs(sum - values[i]!)).toBeLessThanOrEqual(1e-9);
      }
    }
    const direct = mstl(fit.values, { periods: [7] });
    expect(maxAbsDiff(fit.trend, direct.trend)).toBe(0);
  });

  it('refuses a series with no values or with infinite values', () => {
    const empty = thrown(() => decomposeDaily(Array.from({ length: 40 }, () => null)));
    expect(empty.code).toBe('invalid_values');
    expect(empty.message).toContain('no values');
    const values: number[] = Array.from({ length: 40 }, (_, i) => i);
    values[9] = Infinity;
    expect(thrown(() => decomposeDaily(values)).message).toContain('index 9');
  });

  it('passes options on to MSTL', () => {
    const { values } = synthetic(100);
    const fit = decomposeDaily(Array.from(values), {
      seasonalWindows: 'periodic',
      stl: { robust: true },
    });
    const direct = mstl(values, {
      periods: [7],
      seasonalWindows: 'periodic',
      stl: { robust: true },
    });
    expect(maxAbsDiff(fit.seasonals[0]!.values, direct.seasonals[0]!.values)).toBe(0);
  });
});
