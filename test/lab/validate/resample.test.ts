import { describe, expect, it } from 'vitest';
import { prAuc, rocAuc, SeededRandom } from '../../../lab/stats/index.ts';
import {
  bootstrapRankings,
  bootstrapRankingsParallel,
  percentileInterval,
  quantileOfSorted,
  toRanking,
  weightedRanking,
  type Replicates,
} from '../../../lab/validate/resample.ts';

/** Rows with many ties (risk on a coarse grid), sorted riskiest first, in `accounts` clusters. */
function sample(n: number, accounts: number, seed: number) {
  const random = SeededRandom.fromSeed(seed);
  const rows = Array.from({ length: n }, () => {
    const risk = random.nextIndex(20);
    return {
      risk,
      label: random.nextDouble() < 0.1 + risk / 40 ? 1 : 0,
      account: random.nextIndex(accounts),
    };
  }).sort((a, b) => b.risk - a.risk);
  return {
    risk: Float64Array.from(rows, (r) => r.risk),
    label: Uint8Array.from(rows, (r) => r.label),
    account: Int32Array.from(rows, (r) => r.account),
  };
}

describe('weighted ranking statistics', () => {
  it('equal rocAuc and prAuc of lab/stats with every weight 1', () => {
    const { risk, label, account } = sample(2000, 300, 1);
    const ranking = toRanking(risk, label, account);
    const value = weightedRanking(ranking, new Float64Array(300).fill(1));
    expect(value.auc).toBeCloseTo(rocAuc(risk, label), 14);
    expect(value.ap).toBeCloseTo(prAuc(risk, label), 14);
  });

  it('count an account drawn k times k times: equal to the statistics on the expanded rows', () => {
    const { risk, label, account } = sample(1500, 200, 2);
    const ranking = toRanking(risk, label, account);
    const random = SeededRandom.fromSeed(9);
    const weights = new Float64Array(200);
    for (let k = 0; k < 200; k++) weights[random.nextIndex(200)]! += 1;
    const expanded: number[] = [];
    for (let i = 0; i < risk.length; i++) {
      for (let k = 0; k < weights[account[i]!]!; k++) expanded.push(i);
    }
    const value = weightedRanking(ranking, weights);
    const r = expanded.map((i) => risk[i]!);
    const l = expanded.map((i) => label[i]!);
    expect(value.auc).toBeCloseTo(rocAuc(r, l), 13);
    expect(value.ap).toBeCloseTo(prAuc(r, l), 13);
  });

  it('is NaN when a resample holds one class only', () => {
    const ranking = toRanking(
      Float64Array.of(3, 2, 1),
      Uint8Array.of(1, 0, 0),
      Int32Array.of(0, 1, 1),
    );
    expect(weightedRanking(ranking, Float64Array.of(0, 3))).toMatchObject({ auc: NaN, ap: NaN });
    expect(weightedRanking(ranking, Float64Array.of(2, 0)).auc).toBeNaN();
    expect(weightedRanking(ranking, Float64Array.of(1, 1))).toMatchObject({ auc: 1, ap: 1 });
  });

  it('needs rows sorted riskiest first', () => {
    expect(() =>
      toRanking(Float64Array.of(1, 2), Uint8Array.of(0, 1), Int32Array.of(0, 0)),
    ).toThrow('toRanking: rows must be sorted riskiest first (row 1)');
  });
});

describe('account bootstrap', () => {
  it('draws the same resamples from the same seed, for every ranking alike', () => {
    const { risk, label, account } = sample(1000, 100, 3);
    const ranking = toRanking(risk, label, account);
    const accounts = Int32Array.from(new Set(account));
    const a = bootstrapRankings([ranking, ranking], accounts, { reps: 30, seed: 4 });
    const b = bootstrapRankings([ranking], accounts, { reps: 30, seed: 4 });
    expect(a.auc[0]).toEqual(b.auc[0]);
    expect(a.auc[1]).toEqual(a.auc[0]);
    expect(a.ap[0]).toEqual(b.ap[0]);
    const c = bootstrapRankings([ranking], accounts, { reps: 30, seed: 5 });
    expect(c.auc[0]).not.toEqual(a.auc[0]);
  });

  /** The same replicates down to the bits, so -0, NaN payloads and the last ulp all count. */
  function expectSameBits(got: Replicates, expected: Replicates) {
    const bits = (v: Float64Array) => Array.from(new BigUint64Array(v.slice().buffer));
    for (const key of ['auc', 'ap'] as const) {
      expect(got[key]).toHaveLength(expected[key].length);
      got[key].forEach((values, m) => expect(bits(values)).toEqual(bits(expected[key][m]!)));
    }
  }

  /** Rankings of two models over the same rows, and of each restricted to a segment. */
  function parallelInput() {
    const n = 20_000;
    const { risk, label, account: dense } = sample(n, 3000, 11);
    // Account indices with gaps (odd ones have no rows), as when some accounts were never scored.
    const account = dense.map((a) => a * 2);
    const random = SeededRandom.fromSeed(12);
    // A second model: the same rows ranked by noisier risk (still with ties).
    const noisy = Array.from({ length: n }, (_, i) => ({
      risk: risk[i]! + random.nextIndex(5),
      label: label[i]!,
      account: account[i]!,
    })).sort((a, b) => b.risk - a.risk);
    const inSegment = (a: number) => a % 3 !== 0;
    const segment = (rows: { risk: number; label: number; account: number }[]) =>
      rows.filter((row) => inSegment(row.account));
    const rows = Array.from({ length: n }, (_, i) => ({
      risk: risk[i]!,
      label: label[i]!,
      account: account[i]!,
    }));
    const rank = (rs: { risk: number; label: number; account: number }[]) =>
      toRanking(
        Float64Array.from(rs, (r) => r.risk),
        Uint8Array.from(rs, (r) => r.label),
        Int32Array.from(rs, (r) => r.account),
      );
    const rankings = [rank(rows), rank(noisy), rank(segment(rows)), rank(segment(noisy))];
    const accounts = Int32Array.from(new Set(account));
    return { rankings, accounts };
  }

  it('gives bit-for-bit the single-threaded replicates on worker threads', async () => {
    const { rankings, accounts } = parallelInput();
    const options = { reps: 40, seed: 13 };
    const expected = bootstrapRankings(rankings, accounts, options);
    for (const threads of [1, 2, 3]) {
      const got = await bootstrapRankingsParallel(rankings, accounts, {
        ...options,
        threads,
        minWork: 0,
      });
      expectSameBits(got, expected);
    }
  });

  it('gives NaN replicates where the single-threaded loop does, on worker threads', async () => {
    // Account 0 only churned and account 1 never did: half the resamples hold one class only.
    const ranking = toRanking(
      Float64Array.of(3, 2, 2, 1),
      Uint8Array.of(1, 1, 0, 0),
      Int32Array.of(0, 0, 1, 1),
    );
    const accounts = Int32Array.of(0, 1);
    const options = { reps: 30, seed: 3 };
    const expected = bootstrapRankings([ranking], accounts, options);
    expect(expected.auc[0]!.some(Number.isNaN)).toBe(true);
    const got = await bootstrapRankingsParallel([ranking], accounts, {
      ...options,
      threads: 2,
      minWork: 0,
    });
    expectSameBits(got, expected);
  });

  it('reports every resample once, in increasing order, on worker threads', async () => {
    const { rankings, accounts } = parallelInput();
    const seen: [number, number][] = [];
    await bootstrapRankingsParallel(rankings, accounts, {
      reps: 25,
      seed: 1,
      threads: 3,
      minWork: 0,
      onRep: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual(Array.from({ length: 25 }, (_, k) => [k + 1, 25]));
  });

  it('runs small work on the calling thread', async () => {
    const { risk, label, account } = sample(1000, 100, 3);
    const ranking = toRanking(risk, label, account);
    const accounts = Int32Array.from(new Set(account));
    const options = { reps: 30, seed: 4 };
    const got = await bootstrapRankingsParallel([ranking], accounts, { ...options, threads: 4 });
    expect(got).toEqual(bootstrapRankings([ranking], accounts, options));
  });

  it('gives numpy-style percentile intervals over the defined replicates', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([10, 20, 30, 40, 50], 0.025)).toBe(11);
    const interval = percentileInterval(0.7, Float64Array.of(0.6, NaN, 0.8, 0.7, 0.5, 0.9));
    expect(interval).toEqual({
      estimate: 0.7,
      low: quantileOfSorted([0.5, 0.6, 0.7, 0.8, 0.9], 0.025),
      high: quantileOfSorted([0.5, 0.6, 0.7, 0.8, 0.9], 0.975),
      level: 0.95,
      reps: 6,
      skipped: 1,
    });
    expect(percentileInterval(0.7, null)).toEqual({
      estimate: 0.7,
      low: null,
      high: null,
      level: 0.95,
      reps: 0,
      skipped: 0,
    });
  });
});
