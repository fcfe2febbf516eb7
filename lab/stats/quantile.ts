/**
 * numpy's default ('linear', Hyndman & Fan type 7) quantile of sorted values, written with the
 * same floating-point operations as numpy 1.24 (`_quantile` and `_lerp`), so that bin edges and
 * bootstrap intervals agree with numpy bit for bit, not just to a tolerance: a quantile edge that
 * lands one ulp off a data value would move that value to the next bin.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return sorted[n - 1]!;
  const previous = Math.floor(virtual);
  const gamma = virtual - previous;
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
