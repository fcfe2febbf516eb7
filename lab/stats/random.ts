/**
 * A small seeded generator so that bootstrap intervals are reproducible from a seed, in the
 * server, the CLI and a notebook alike: xoshiro128** 1.1 (Blackman & Vigna, period 2^128 - 1,
 * 32-bit words, so plain Math.imul and shifts) with its state filled by SplitMix64 from the seed,
 * as its authors recommend. BigInt is used only for those two SplitMix64 steps.
 */
import { LabError } from '../errors.ts';

const M64 = (1n << 64n) - 1n;
const TWO_32 = 0x100000000;
const INV_TWO_32 = 1 / TWO_32; // a power of two: m * INV_TWO_32 is exact

/** One SplitMix64 step: the next state and its output. */
export function splitMix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & M64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return { state: next, value: z ^ (z >> 31n) };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** From four 32-bit state words (not all zero); `SeededRandom.fromSeed` is the usual way in. */
  constructor(state: readonly [number, number, number, number]) {
    if (state.every((w) => w === 0)) {
      throw new LabError('invalid_request', 'SeededRandom: the state must not be all zero');
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0) as [
      number,
      number,
      number,
      number,
    ];
  }

  /** `seed` is a whole number in [0, 2^53 - 1]. */
  static fromSeed(seed: number): SeededRandom {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new LabError(
        'invalid_request',
        `seed must be a whole number in [0, 2^53 - 1], got ${String(seed)}`,
      );
    }
    const a = splitMix64(BigInt(seed));
    const b = splitMix64(a.state);
    const word = (v: bigint, shift: bigint) => Number((v >> shift) & 0xffffffffn);
    return new SeededRandom([
      word(a.value, 0n),
      word(a.value, 32n),
      word(b.value, 0n),
      word(b.value, 32n),
    ]);
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ s1) >>> 0;
    this.s1 = (s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Fills `out` with `out.length` draws of nextIndex(n) — the same numbers, in the same order —
   * with the state held in locals, which is several times faster in the bootstrap's inner loop.
   */
  fillIndices(out: Uint32Array, n: number): void {
    if (n > 0x200000) {
      for (let i = 0; i < out.length; i++) out[i] = this.nextIndex(n);
      return;
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const threshold = (TWO_32 - n) % n;
    for (let i = 0; i < out.length; i++) {
      let m: number;
      do {
        const x = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        m = x * n;
      } while (m >>> 0 < threshold);
      out[i] = Math.floor(m * INV_TWO_32);
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  /**
   * Uniform whole number in [0, n). For n <= 2^21 (where x * n stays exact below 2^53) this is
   * Lemire's multiply-and-reject, exactly unbiased with one draw; above, floor(n * nextDouble()),
   * whose bias is below n / 2^53.
   */
  nextIndex(n: number): number {
    if (n <= 0x200000) {
      let m = this.nextUint32() * n;
      if (m >>> 0 < n) {
        const threshold = (TWO_32 - n) % n;
        while (m >>> 0 < threshold) m = this.nextUint32() * n;
      }
      return Math.floor(m * INV_TWO_32);
    }
    return Math.floor(this.nextDouble() * n);
  }
}
