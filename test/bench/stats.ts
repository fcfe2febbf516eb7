/**
 * Timings of lab/stats on sizes the product meets: `npx tsx test/bench/stats.ts`.
 * Not part of the suite (timings on a shared CI machine are not assertions).
 */
import { bootstrapCi, prAuc, rocAuc, SeededRandom } from '../../lab/index.ts';

function data(n: number, seed: number) {
  const rng = SeededRandom.fromSeed(seed);
  const labels = new Uint8Array(n);
  const riskA = new Float64Array(n);
  const riskB = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.nextDouble() < 0.1 ? 1 : 0;
    riskA[i] = Math.round((rng.nextDouble() + 0.4 * labels[i]!) * 1e4) / 1e4;
    riskB[i] = Math.round((rng.nextDouble() + 0.3 * labels[i]!) * 100) / 100;
  }
  return { labels, riskA, riskB };
}

function time(label: string, f: () => unknown, runs = 5): void {
  f(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  console.log(
    `${label}: median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU ` +
      `(min ${Math.min(...wall).toFixed(1)} ms wall)`,
  );
}

const big = data(1_200_000, 1);
time('rocAuc, 1,200,000 rows', () => rocAuc(big.riskA, big.labels));
time('prAuc, 1,200,000 rows', () => prAuc(big.riskA, big.labels));
const sixty = data(60_000, 2);
time('rocAuc, 60,000 rows', () => rocAuc(sixty.riskA, sixty.labels), 21);
time(
  'bootstrapCi(rocAuc), 1,000 reps x 60,000 rows',
  () => bootstrapCi(rocAuc, sixty.riskA, sixty.labels, { reps: 1000, seed: 1 }),
  3,
);
time(
  'bootstrapCi(rocAuc A - rocAuc B, paired), 1,000 reps x 60,000 rows',
  () =>
    bootstrapCi((a, b, y) => rocAuc(a, y) - rocAuc(b, y), sixty.riskA, sixty.riskB, sixty.labels, {
      reps: 1000,
      seed: 1,
    }),
  3,
);
