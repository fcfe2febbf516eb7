/**
 * Ascending in-place sort of finite doubles, the hot spot of every ranking statistic and so of
 * every bootstrap of one. V8's Float64Array#sort takes ~4.5 ms for 54,000 values; this takes
 * about a third of that:
 *
 * - Already ascending input (which bootstrapCi arranges for its first array) is detected in one
 *   pass and left alone.
 * - Otherwise each double becomes its order-preserving 64-bit image (flip every bit of a negative,
 *   only the sign bit of the rest), split into a high and a low word. An LSD radix sort on the
 *   high word (three 11-bit digits, skipping digits every key shares) orders all keys whose high
 *   words differ; runs of equal high words — real ties, or values closer than ~1e-6 relative —
 *   are then ordered by their low words. Exact for every finite double.
 * - Small arrays use the built-in sort, where the histograms would cost more than they save.
 *
 * Like Float64Array#sort it puts -0 before +0; callers that group ties with === see one group.
 * Values must be finite or infinite, not NaN (the statistics reject NaN before sorting).
 */
const RADIX_MIN = 2048;
const BITS = 11;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;
const SIGN = 0x80000000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function sortAscending(values: Float64Array): Float64Array {
  const n = values.length;
  if (isAscending(values)) return values;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  const counts = new Uint32Array(3 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    const l = words[2 * i]!;
    const negative = h & SIGN;
    const key = (hi[i] = negative ? ~h : h | SIGN);
    lo[i] = negative ? ~l : l;
    counts[key & MASK]!++;
    counts[BUCKETS + ((key >>> BITS) & MASK)]!++;
    counts[2 * BUCKETS + (key >>> (2 * BITS))]!++;
  }
  let hiSpare = new Uint32Array(n);
  let loSpare = new Uint32Array(n);
  const offsets = new Uint32Array(BUCKETS);
  for (let digit = 0; digit < 3; digit++) {
    if (!prefixSums(counts, digit * BUCKETS, offsets, n)) continue; // every key shares it
    const shift = digit * BITS;
    for (let i = 0; i < n; i++) {
      const key = hi[i]!;
      const at = offsets[(key >>> shift) & MASK]!++;
      hiSpare[at] = key;
      loSpare[at] = lo[i]!;
    }
    [hi, hiSpare] = [hiSpare, hi];
    [lo, loSpare] = [loSpare, lo];
  }
  sortRunsByLowWord(hi, lo);
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const l = lo[i]!;
    const positive = h & SIGN;
    words[2 * i + 1] = positive ? h & ~SIGN : ~h;
    words[2 * i] = positive ? l : ~l;
  }
  return values;
}

function isAscending(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > values[i]!) return false;
  return true;
}

/** Bucket start offsets for one digit; false when one bucket holds every key (nothing to do). */
function prefixSums(counts: Uint32Array, base: number, offsets: Uint32Array, n: number): boolean {
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const c = counts[base + b]!;
    if (c === n) return false;
    offsets[b] = sum;
    sum += c;
  }
  return true;
}

/** Within each run of equal high words, order the low words (the high words are all equal). */
function sortRunsByLowWord(hi: Uint32Array, lo: Uint32Array): void {
  const n = hi.length;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && hi[end] === hi[start]) end++;
    if (end - start <= 16) {
      for (let i = start + 1; i < end; i++) {
        const v = lo[i]!;
        let j = i - 1;
        for (; j >= start && lo[j]! > v; j--) lo[j + 1] = lo[j]!;
        lo[j + 1] = v;
      }
    } else {
      lo.subarray(start, end).sort();
    }
    start = end;
  }
}
