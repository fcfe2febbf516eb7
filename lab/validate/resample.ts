import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SeededRandom } from '../stats/index.ts';

/**
 * Bootstrap intervals for ROC AUC and average precision by resampling ACCOUNTS, not rows.
 *
 * A backtest holds one row per account and snapshot date, and the rows of one account are
 * strongly correlated (its score and its churn change slowly), so resampling rows as if they were
 * independent would give intervals that are too narrow. Each resample draws as many accounts as
 * there are, with replacement, and keeps all rows of each drawn account as often as it was drawn
 * (the cluster bootstrap). Rows are never copied: a resample is a weight per account, and the
 * statistics are computed in one pass over rows sorted riskiest first with their tie groups.
 * Comparisons use the same weights for every model, so their differences are paired. Segment
 * figures come from the same resamples of the whole portfolio, restricted to the segment's rows
 * (so a segment's size varies from resample to resample, as it would in another portfolio).
 */

/** Rows sorted riskiest first, with where each group of tied risk ends. */
export interface Ranking {
  /**
   * Per row, account * 4 + LAST_BIT when it is the last of its group of tied risk + LABEL_BIT
   * when it churned: one array to stream through per resample rather than two. Account indices
   * stay far below 2^29, so it fits.
   */
  code: Int32Array;
}

const LABEL_BIT = 1;
const LAST_BIT = 2;

export function toRanking(risk: Float64Array, label: Uint8Array, account: Int32Array): Ranking {
  const n = risk.length;
  // Shared memory, so bootstrap worker threads read the rows without a copy.
  const code = new Int32Array(new SharedArrayBuffer(n * Int32Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && risk[i + 1]! > risk[i]!) {
      throw new RangeError(`toRanking: rows must be sorted riskiest first (row ${i + 1})`);
    }
    const last = i + 1 === n || risk[i + 1] !== risk[i];
    code[i] = account[i]! * 4 + (last ? LAST_BIT : 0) + (label[i] ? LABEL_BIT : 0);
  }
  return { code };
}

/**
 * Weighted ROC AUC (Mann-Whitney, ties one half) and average precision (as scikit-learn's, tied
 * rows entering together) in one pass over the rows. With every weight 1 they equal rocAuc and
 * prAuc of lab/stats; weight k counts an account's rows k times. NaN when a class has no weight.
 *
 * One pass suffices because 2U = sum over groups g of p_g (2 * negatives below g + q_g)
 * = 2 P N - sum_g p_g (2 * negatives up to and including g - q_g), where p_g, q_g are the
 * weighted positives and negatives of group g and P, N their totals. Weights are whole numbers,
 * so every sum is an exact integer in doubles.
 */
export function weightedRanking(
  ranking: Ranking,
  weights: ArrayLike<number>,
): { auc: number; ap: number } {
  const { code } = ranking;
  let positives = 0;
  let negatives = 0;
  let correction = 0;
  let apSum = 0;
  let p = 0;
  let q = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    const w = weights[c >> 2]!;
    if (c & LABEL_BIT) p += w;
    else q += w;
    if (c & LAST_BIT) {
      positives += p;
      negatives += q;
      correction += p * (2 * negatives - q);
      if (p > 0) apSum += p * (positives / (positives + negatives));
      p = 0;
      q = 0;
    }
  }
  if (positives === 0) return { auc: NaN, ap: NaN };
  const pairs = 2 * positives * negatives;
  return { auc: negatives === 0 ? NaN : (pairs - correction) / pairs, ap: apSum / positives };
}

/** numpy's default (linear) quantile of sorted values, q in [0, 1]. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
}

export interface Replicates {
  /** [ranking][rep]: weighted AUC and AP of each ranking on each resample (NaN: undefined). */
  auc: Float64Array[];
  ap: Float64Array[];
}

/** Weights of one resample: weight[account] = how often the account was drawn. */
export type ResampleWeights = Uint16Array | Uint32Array;

/** Account indices run from 0 to the largest listed one. */
function weightsSize(accounts: Int32Array): number {
  return accounts.reduce((max, a) => Math.max(max, a + 1), 0);
}

export function newResampleWeights(accounts: Int32Array): ResampleWeights {
  const size = weightsSize(accounts);
  // A weight counts draws, so it never exceeds accounts.length. The narrowest array that holds it
  // takes a quarter of the cache of doubles: the weights are read in random order by every pass,
  // and on a busy machine (other processes competing for the cache) that halved the passes' time.
  return accounts.length <= 0xffff ? new Uint16Array(size) : new Uint32Array(size);
}

/**
 * Draws the next resample from `random` into `weights` (`draws` is scratch space of
 * accounts.length). Every resample consumes the random source the same way, so skipping one
 * (skipResample) and drawing the next gives the same weights as drawing both.
 */
export function drawResample(
  random: SeededRandom,
  accounts: Int32Array,
  draws: Uint32Array,
  weights: ResampleWeights,
): void {
  weights.fill(0);
  // The same draws as nextIndex one at a time, several times faster.
  random.fillIndices(draws, accounts.length);
  for (let k = 0; k < draws.length; k++) weights[accounts[draws[k]!]!]! += 1;
}

/** Advances `random` past one resample without counting its weights. */
export function skipResample(random: SeededRandom, accounts: Int32Array, draws: Uint32Array): void {
  random.fillIndices(draws, accounts.length);
}

export interface BootstrapOptions {
  reps: number;
  seed: number;
  onRep?: (done: number, total: number) => void;
}

/**
 * Draws `reps` account resamples from `seed` and evaluates every ranking on each: several
 * models, and subsets of their rows such as segments, all on the same resamples. `accounts`
 * lists the account indices that can be drawn (those with rows).
 */
export function bootstrapRankings(
  rankings: readonly Ranking[],
  accounts: Int32Array,
  options: BootstrapOptions,
): Replicates {
  const random = SeededRandom.fromSeed(options.seed);
  const weights = newResampleWeights(accounts);
  const draws = new Uint32Array(accounts.length);
  const auc = rankings.map(() => new Float64Array(options.reps));
  const ap = rankings.map(() => new Float64Array(options.reps));
  for (let r = 0; r < options.reps; r++) {
    drawResample(random, accounts, draws, weights);
    rankings.forEach((ranking, m) => {
      const value = weightedRanking(ranking, weights);
      auc[m]![r] = value.auc;
      ap[m]![r] = value.ap;
    });
    options.onRep?.(r + 1, options.reps);
  }
  return { auc, ap };
}

/** What a bootstrap worker thread receives; every array lives in shared memory. */
export interface BootstrapWorkerData {
  codes: Int32Array[];
  accounts: Int32Array;
  reps: number;
  seed: number;
  /** [0]: the next resample to take; every thread takes resamples from it until none is left. */
  next: Int32Array;
  /** [ranking * reps + rep]. */
  auc: Float64Array;
  ap: Float64Array;
}

/** Messages from a bootstrap worker thread: one per resample evaluated, then one at the end. */
export type BootstrapWorkerMessage = { kind: 'rep' } | { kind: 'done' };

/**
 * Takes resamples from the shared counter until none is left and evaluates every ranking on each,
 * writing into the shared results. Resamples are taken in increasing order, so the thread's own
 * random source (seeded like everyone's) only moves forward, past the resamples other threads
 * took, and every resample gets exactly the weights the single-threaded loop gives it.
 */
export function evaluateResamplesFromCounter(data: BootstrapWorkerData, onRep: () => void): void {
  const { accounts, reps } = data;
  const rankings = data.codes.map((code) => ({ code }));
  const random = SeededRandom.fromSeed(data.seed);
  const weights = newResampleWeights(accounts);
  const draws = new Uint32Array(accounts.length);
  let drawn = 0;
  for (;;) {
    const r = Atomics.add(data.next, 0, 1);
    if (r >= reps) return;
    for (; drawn < r; drawn++) skipResample(random, accounts, draws);
    drawResample(random, accounts, draws, weights);
    drawn++;
    rankings.forEach((ranking, m) => {
      const value = weightedRanking(ranking, weights);
      data.auc[m * reps + r] = value.auc;
      data.ap[m * reps + r] = value.ap;
    });
    onRep();
  }
}

function shared(code: Int32Array): Int32Array {
  if (code.buffer instanceof SharedArrayBuffer) return code;
  const copy = new Int32Array(new SharedArrayBuffer(code.byteLength));
  copy.set(code);
  return copy;
}

/**
 * Below this many row visits (rows of every ranking times reps), worker threads cost more than
 * they save: starting two (each loading the TypeScript loader) takes about 0.3 s, and a row visit
 * about 2.5 to 5 ns, so 200 million visits take 0.5 to 1 s on one thread.
 */
const MIN_PARALLEL_WORK = 200_000_000;

/**
 * bootstrapRankings on worker threads, with bit-for-bit the same result whatever their number:
 * every resample is drawn from the same seeded sequence as in the single-threaded loop, and each
 * (ranking, resample) figure is computed by the same code on the same weights. The calling thread
 * only relays progress, so a server stays responsive meanwhile (letting it evaluate resamples too
 * measured no faster: it gains the workers' start-up, about 0.25 s, and loses to other load).
 * With `threads` 1, or less work than `minWork` row visits (rows of every ranking times reps), it
 * runs bootstrapRankings on the calling thread: starting workers would cost more than they save.
 */
export async function bootstrapRankingsParallel(
  rankings: readonly Ranking[],
  accounts: Int32Array,
  options: BootstrapOptions & { threads?: number; minWork?: number },
): Promise<Replicates> {
  const { reps } = options;
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(availableParallelism(), 4)));
  const workers = Math.min(threads, reps);
  const work = rankings.reduce((sum, ranking) => sum + ranking.code.length, 0) * reps;
  if (workers < 2 || work < (options.minWork ?? MIN_PARALLEL_WORK)) {
    return bootstrapRankings(rankings, accounts, options);
  }
  // Validate the seed here, so a bad one fails as in bootstrapRankings rather than in a worker.
  SeededRandom.fromSeed(options.seed);
  const data: BootstrapWorkerData = {
    codes: rankings.map((ranking) => shared(ranking.code)),
    accounts: shared(accounts),
    reps,
    seed: options.seed,
    next: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    auc: new Float64Array(new SharedArrayBuffer(rankings.length * reps * 8)),
    ap: new Float64Array(new SharedArrayBuffer(rankings.length * reps * 8)),
  };
  let done = 0;
  const pool: Worker[] = [];
  try {
    const finished = Array.from({ length: workers }, () => {
      const worker = new Worker(new URL('./bootstrap-worker.mjs', import.meta.url), {
        workerData: data,
      });
      pool.push(worker);
      return new Promise<void>((resolve, reject) => {
        let complete = false;
        worker.on('message', (message: BootstrapWorkerMessage) => {
          if (message.kind === 'rep') {
            done++;
            options.onRep?.(done, reps);
          } else {
            complete = true;
            resolve();
          }
        });
        worker.on('error', (error) =>
          reject(new Error(`bootstrap worker failed: ${error.message}`, { cause: error })),
        );
        worker.on('messageerror', (error) =>
          reject(new Error(`bootstrap worker message failed: ${error.message}`, { cause: error })),
        );
        worker.on('exit', (code) => {
          if (!complete)
            reject(new Error(`bootstrap worker exited (code ${code}) before finishing`));
        });
      });
    });
    await Promise.all(finished);
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  if (done !== reps) throw new Error(`bootstrap: ${done} of ${reps} resamples evaluated`);
  return {
    auc: rankings.map((_, m) => data.auc.slice(m * reps, (m + 1) * reps)),
    ap: rankings.map((_, m) => data.ap.slice(m * reps, (m + 1) * reps)),
  };
}

export interface Interval {
  estimate: number;
  /** Percentile interval (numpy linear quantiles) of the defined replicates; null without any. */
  low: number | null;
  high: number | null;
  level: number;
  /** Resamples drawn, and those on which the statistic was undefined (one class only). */
  reps: number;
  skipped: number;
}

export function percentileInterval(
  estimate: number,
  replicates: Float64Array | null,
  level = 0.95,
): Interval {
  const defined = replicates ? replicates.filter((v) => Number.isFinite(v)).sort() : null;
  const reps = replicates?.length ?? 0;
  if (!defined || defined.length === 0) {
    return { estimate, low: null, high: null, level, reps, skipped: reps };
  }
  const tail = (1 - level) / 2;
  return {
    estimate,
    low: quantileOfSorted(defined, tail),
    high: quantileOfSorted(defined, 1 - tail),
    level,
    reps,
    skipped: reps - defined.length,
  };
}
