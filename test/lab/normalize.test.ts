import { describe, expect, it } from 'vitest';
import { scoreModel } from '../../lab/model/score.ts';
import { withTables, signalRows, type SignalAccount, type Rows } from './helpers.ts';
import { entry, signalModel } from './models.ts';

const T = '2024-03-31';

/** Normalised values of the single metric x, by account. */
async function normalized(
  accounts: SignalAccount[],
  normalize: unknown,
  direction: 'higher_is_better' | 'lower_is_better' = 'higher_is_better',
  rows: Rows = signalRows(accounts),
  asOf: string[] = [T],
): Promise<Record<string, number | null>> {
  const model = signalModel([['only', 1, [entry('x', 1, normalize, direction)]]]);
  return withTables(rows, async (connection, tables) => {
    const result = await scoreModel(connection, { model, asOf, tables });
    return Object.fromEntries(
      result.rows.map((row) => [
        asOf.length > 1 ? `${row.as_of} ${row.account_id}` : row.account_id,
        row.metrics[0]!.normalized,
      ]),
    );
  });
}

const accounts = (values: Record<string, number | null>, segments: Record<string, string> = {}) =>
  Object.entries(values).map(([account, x]) => ({
    account,
    segment: segments[account] ?? 'SMB',
    values: { x },
  }));
const PERCENTILE = { method: 'percentile', within: 'all' };

describe('percentile normalisation (mid-rank)', () => {
  it('gives ties the mean of their ranks and ignores missing values', async () => {
    // Non-null n = 4. A: 0 below -> 0. B, C: 1 below, 2 equal -> 100 * (1 + 0.5) / 3 = 50.
    // D: 3 below -> 100. E has no value.
    const values = { A: 10, B: 20, C: 20, D: 30, E: null };
    expect(await normalized(accounts(values), PERCENTILE)).toEqual({
      A: 0,
      B: 50,
      C: 50,
      D: 100,
      E: null,
    });
    // lower_is_better is 100 minus that.
    expect(await normalized(accounts(values), PERCENTILE, 'lower_is_better')).toEqual({
      A: 100,
      B: 50,
      C: 50,
      D: 0,
      E: null,
    });
  });

  it('gives 50 to all-equal values and to a single account', async () => {
    expect(await normalized(accounts({ A: 7, B: 7, C: 7 }), PERCENTILE)).toEqual({
      A: 50,
      B: 50,
      C: 50,
    });
    expect(await normalized(accounts({ A: 3 }), PERCENTILE)).toEqual({ A: 50 });
  });

  it('spaces unique values evenly: 100 * n_below / (n - 1)', async () => {
    // n = 5: 0, 25, 50, 75, 100 whatever the gaps between values.
    const result = await normalized(accounts({ A: -4, B: 0, C: 1, D: 1000, E: 1001 }), PERCENTILE);
    expect(result).toEqual({ A: 0, B: 25, C: 50, D: 75, E: 100 });
  });

  it('ranks within the segment (a segment of one gets 50)', async () => {
    const values = { A: 1, B: 2, C: 100 };
    const segments = { C: 'Enterprise' };
    expect(
      await normalized(accounts(values, segments), { method: 'percentile', within: 'segment' }),
    ).toEqual({ A: 0, B: 100, C: 50 });
    expect(await normalized(accounts(values, segments), PERCENTILE)).toEqual({
      A: 0,
      B: 50,
      C: 100,
    });
  });

  it('ranks among the accounts active at each date only', async () => {
    // C starts 2024-03-01: at 02-15 it is not ranked although it has a value then.
    const rows: Rows = {
      accounts: [
        { account_id: 'A', segment: 'SMB', start_date: '2024-01-01' },
        { account_id: 'B', segment: 'SMB', start_date: '2024-01-01' },
        { account_id: 'C', segment: 'SMB', start_date: '2024-03-01' },
      ],
      outcomes: [],
      signals: [
        { account_id: 'A', date: '2024-02-10', signal: 'x', value: 1 },
        { account_id: 'B', date: '2024-02-10', signal: 'x', value: 2 },
        { account_id: 'C', date: '2024-02-10', signal: 'x', value: 0 },
        { account_id: 'A', date: '2024-03-10', signal: 'x', value: 5 },
      ],
    };
    // 02-15: A 1, B 2 -> 0, 100. 03-15: A 5, B 2, C 0 -> 100, 50, 0.
    expect(
      await normalized([], PERCENTILE, 'higher_is_better', rows, ['2024-02-15', '2024-03-15']),
    ).toEqual({
      '2024-02-15 A': 0,
      '2024-02-15 B': 100,
      '2024-03-15 A': 100,
      '2024-03-15 B': 50,
      '2024-03-15 C': 0,
    });
  });
});

describe('minmax normalisation', () => {
  it('is linear between min and max and clips beyond them', async () => {
    const values = { A: -5, B: 0, C: 2.5, D: 10, E: 15, F: null };
    const minmax = { method: 'minmax', min: 0, max: 10 };
    expect(await normalized(accounts(values), minmax)).toEqual({
      A: 0,
      B: 0,
      C: 25,
      D: 100,
      E: 100,
      F: null,
    });
    expect(await normalized(accounts(values), minmax, 'lower_is_better')).toEqual({
      A: 100,
      B: 100,
      C: 75,
      D: 0,
      E: 0,
      F: null,
    });
  });
});

describe('thresholds normalisation', () => {
  it('interpolates between points, is exact at knots and flat beyond the ends', async () => {
    const points = {
      method: 'thresholds',
      points: [
        [0, 20],
        [10, 60],
        [20, 100],
      ],
    };
    // -3 and 0: first y (20); 5: halfway 20..60 = 40; 10: 60; 15: 80; 20 and 25: 100.
    expect(
      await normalized(accounts({ A: -3, B: 0, C: 5, D: 10, E: 15, F: 20, G: 25 }), points),
    ).toEqual({ A: 20, B: 20, C: 40, D: 60, E: 80, F: 100, G: 100 });
  });

  it('takes y as the health value whatever the direction (a falling curve for lower_is_better)', async () => {
    const points = {
      method: 'thresholds',
      points: [
        [0.1, 100],
        [0.3, 0],
      ],
    };
    // 0.2 is halfway: 50 (up to rounding, 0.2 is not exact in binary); 0.3 is a knot whose x is
    // not exact in binary either, yet it gives exactly 0; below the first knot, 100.
    const result = await normalized(accounts({ A: 0, B: 0.2, C: 0.3 }), points, 'lower_is_better');
    expect(result.A).toBe(100);
    expect(result.B).toBeCloseTo(50, 9);
    expect(result.C).toBe(0);
  });
});
