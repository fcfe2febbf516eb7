import { describe, expect, it } from 'vitest';
import { quantileSorted } from '../../../lab/stats/quantile.ts';
import { reference } from './reference.ts';

describe('quantileSorted against np.quantile (numpy ' + reference.numpy + ')', () => {
  it.each(reference.quantile.map((c) => [c.values.length, c] as const))(
    'n = %i: bit for bit at every q',
    (_n, c) => {
      expect(c.q.map((q) => quantileSorted(c.values, q))).toEqual(c.quantile);
    },
  );

  it('interpolates linearly between order statistics (Hyndman & Fan type 7)', () => {
    const sorted = [1, 2, 4, 8];
    // (n - 1) q = 1.5: halfway between 2 and 4.
    expect(quantileSorted(sorted, 0.5)).toBe(3);
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 1)).toBe(8);
    expect(quantileSorted([5], 0.3)).toBe(5);
  });
});
