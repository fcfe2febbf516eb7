/**
 * Solves A x = b for a symmetric positive-definite A (d x d, row-major, lower triangle read) by
 * Cholesky. Returns null when A is not numerically positive definite, so the caller can say why
 * in its own terms.
 */
export function solveSpd(a: Float64Array, b: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        // Relative test: a pivot that is rounding noise means a singular matrix.
        if (!(sum > 1e-13 * Math.abs(a[i * d + i]!)) || !(sum > 0)) return null;
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
      }
    }
  }
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * d + k]! * x[k]!;
    x[i] = sum / l[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let sum = x[i]!;
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i]! * x[k]!;
    x[i] = sum / l[i * d + i]!;
  }
  return x;
}
