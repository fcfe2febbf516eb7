import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../lab/index.ts';
import { splitMix64 } from '../../../lab/stats/random.ts';
import { sortAscending } from '../../../lab/stats/sort.ts';
import { reference } from './reference.ts';

describe('SeededRandom', () => {
  it('xoshiro128** 1.1 matches the reference C implementation', () => {
    // Output of Blackman & Vigna's xoshiro128starstar.c (version 1.1, output from s[1]) from
    // state {1, 2, 3, 4}, as quoted in the Rust rand_xoshiro crate's reference test. (Version
    // 1.0 multiplied s[0] and starts 5760, 40320, 70819200: a different generator.)
    const rng = new SeededRandom([1, 2, 3, 4]);
    const expected = [
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597,
      4258142804,
    ];
    expect(expected.map(() => rng.nextUint32())).toEqual(expected);
  });

  it('SplitMix64 matches the reference C implementation', () => {
    // splitmix64.c from seed 1477776061723855037, as quoted in rand_xoshiro's reference test.
    let state = 1477776061723855037n;
    const out: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      const step = splitMix64(state);
      state = step.state;
      out.push(step.value);
    }
    expect(out).toEqual([
      1985237415132408290n,
      2979275885539914483n,
      13511426838097143398n,
      8488337342461049707n,
    ]);
  });

  it.each(reference.random.uint32.map((r) => [r.seed, r] as const))(
    'seed %d: the same words as the Python transcription in make_reference.py',
    (seed, r) => {
      const rng = SeededRandom.fromSeed(seed);
      expect(r.values.map(() => rng.nextUint32())).toEqual(r.values);
    },
  );

  it.each(reference.random.indices.map((r) => [r.seed, r.n, r] as const))(
    'seed %d, n = %d: the same row indices as the Python transcription',
    (seed, n, r) => {
      const rng = SeededRandom.fromSeed(seed);
      expect(r.values.map(() => rng.nextIndex(n))).toEqual(r.values);
    },
  );

  it('draws indices uniformly (chi-square, 10 cells, 100,000 draws)', () => {
    const rng = SeededRandom.fromSeed(2024);
    for (const n of [10, 3_000_000]) {
      const cells = new Array<number>(10).fill(0);
      for (let i = 0; i < 100_000; i++) {
        const k = rng.nextIndex(n);
        if (!(k >= 0 && k < n && Number.isInteger(k)))
          throw new Error(`index ${k} out of [0, ${n})`);
        cells[Math.floor((k * 10) / n)]!++;
      }
      const chi2 = cells.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
      expect(chi2).toBeLessThan(27.88); // the 0.999 quantile of chi-square with 9 df
    }
  });

  it('nextDouble is in [0, 1) with mean 1/2', () => {
    const rng = SeededRandom.fromSeed(5);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.nextDouble();
      if (!(u >= 0 && u < 1)) throw new Error(`${u} is outside [0, 1)`);
      sum += u;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.003); // ~3 standard errors
  });

  it('refuses seeds that are not whole numbers in [0, 2^53 - 1] and an all-zero state', () => {
    for (const seed of [-1, 1.5, 2 ** 53, NaN]) {
      expect(() => SeededRandom.fromSeed(seed)).toThrow(
        `seed must be a whole number in [0, 2^53 - 1], got ${seed}`,
      );
    }
    expect(() => new SeededRandom([0, 0, 0, 0])).toThrow(
      'SeededRandom: the state must not be all zero',
    );
  });
});

describe('sortAscending', () => {
  const rng = SeededRandom.fromSeed(99);
  const make = (n: number, f: () => number) => Float64Array.from({ length: n }, f);

  const generators: [string, () => number][] = [
    ['uniform [0, 1)', () => rng.nextDouble()],
    ['mixed signs and magnitudes', () => (rng.nextDouble() - 0.5) * 10 ** (rng.nextIndex(40) - 20)],
    ['heavy ties', () => rng.nextIndex(7) - 3],
    ['huge and subnormal', () => [1e308, -1e308, 5e-324, -5e-324, 0, 2.2e-308][rng.nextIndex(6)]!],
    ['all equal', () => 0.25],
  ];
  it.each(generators)(
    '%s: the same order as Float64Array#sort, radix and small paths',
    (_name, f) => {
      for (const n of [0, 1, 5, 2047, 2048, 5000, 70000]) {
        const values = make(n, f);
        const expected = Float64Array.from(values).sort();
        expect(sortAscending(values)).toEqual(expected);
      }
    },
  );

  it('sorts a subarray in place without touching its neighbours', () => {
    const buffer = make(3000, () => rng.nextDouble());
    const before = Float64Array.from(buffer);
    const middle = buffer.subarray(500, 2500);
    sortAscending(middle);
    expect(middle).toEqual(Float64Array.from(before.subarray(500, 2500)).sort());
    expect(buffer.subarray(0, 500)).toEqual(before.subarray(0, 500));
    expect(buffer.subarray(2500)).toEqual(before.subarray(2500));
  });
});
