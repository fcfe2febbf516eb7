/**
 * Counter-based randomness in SQL. Every random number is a pure function of
 * (seed, account, counter, stream), so results do not depend on threads, row order or how DuckDB
 * splits work, and the same seed always gives the same data.
 *
 * DuckDB's variadic `hash(a, b)` combines its arguments with XOR, so hash(x, 1) XOR hash(x, 2) is
 * the same constant for every x: two streams drawn that way would be tied together. We chain
 * instead: hash(hash(seedHash XOR account) XOR key), where hash() of a single UBIGINT is a full
 * 64-bit MurmurHash finalizer (a bijection with good avalanche), and key packs the counter and
 * the stream id as counter * 256 + stream.
 */

/** Stream ids: one per independent random quantity. Never renumber (it changes every data set). */
export const STREAM = {
  segment: 1,
  plan: 2,
  region: 3,
  industry: 4,
  owner: 5,
  start: 6,
  established: 7,
  arr: 8,
  seatPrice: 9,
  base: 10,
  adoptionStyle: 11,
  emailStyle: 12,
  billing: 13,
  loginStyle: 14,
  eventStyle: 15,
  breadthStyle: 16,
  healthAr: 20,
  shock: 21,
  shockSize: 22,
  renew: 30,
  expand: 31,
  expandSize: 32,
  cancel: 33,
  writeOff: 34,
  usage: 40,
  usageCounts: 41,
  ticket: 50,
  ticketDay: 51,
  ticketTime: 52,
  ticketPriority: 53,
  ticketDuration: 54,
  ticketCsat: 55,
  ticketCsatScore: 56,
  ticketProblem: 57,
  engagement: 60,
  engagementDay: 61,
  engagementCount: 62,
  engagementEscalation: 63,
  engagementEvent: 64,
  engagementCommunity: 65,
  invoiceLate: 70,
  invoiceDelay: 71,
  npsDay: 80,
  npsResponse: 81,
  npsScore: 82,
  csatPick: 83,
  csatDay: 84,
  csatScore: 85,
  milestoneNever: 90,
  milestoneTime: 91,
  apiCalls: 100,
  pqs: 101,
} as const;
export type StreamName = keyof typeof STREAM;

/** SQL that defines the random macros for one seed. `seed` must be a validated safe integer. */
export function randomMacrosSql(seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`bad seed ${seed}`);
  return `
CREATE OR REPLACE MACRO rnd_hash(a, k) AS
  hash(xor(hash(xor(hash(CAST(${seed} AS UBIGINT)), CAST(a AS UBIGINT))), CAST(k AS UBIGINT)));
CREATE OR REPLACE MACRO rnd_key(t, s) AS (CAST(t AS UBIGINT) << 8) + CAST(s AS UBIGINT);
-- top 53 bits, shifted by half a step: strictly inside (0, 1), so ln() is always finite
CREATE OR REPLACE MACRO u53(h) AS (CAST(h >> 11 AS DOUBLE) + 0.5) / 9007199254740992.0;
CREATE OR REPLACE MACRO rnd_unif(a, t, s) AS u53(rnd_hash(a, rnd_key(t, s)));
-- Box-Muller from a hash and its re-hash; the cos and sin halves are independent normals
CREATE OR REPLACE MACRO hnorm(h) AS sqrt(-2 * ln(u53(h))) * cos(2 * pi() * u53(hash(h)));
CREATE OR REPLACE MACRO hnorm2(h) AS sqrt(-2 * ln(u53(h))) * sin(2 * pi() * u53(hash(h)));
CREATE OR REPLACE MACRO rnd_norm(a, t, s) AS hnorm(rnd_hash(a, rnd_key(t, s)));
CREATE OR REPLACE MACRO rnd_norm2(a, t, s) AS hnorm2(rnd_hash(a, rnd_key(t, s)));
CREATE OR REPLACE MACRO sigmoid(x) AS 1 / (1 + exp(-(x)));
`;
}

/** A uniform in (0, 1) for (account, counter, stream), as SQL. */
export function unif(account: string, counter: string, stream: StreamName): string {
  return `rnd_unif(${account}, ${counter}, ${STREAM[stream]})`;
}

/** A standard normal for (account, counter, stream), as SQL; `second` gives the independent twin. */
export function norm(account: string, counter: string, stream: StreamName, second = false): string {
  return `${second ? 'rnd_norm2' : 'rnd_norm'}(${account}, ${counter}, ${STREAM[stream]})`;
}

/** `CASE seg WHEN 0 THEN a WHEN 1 THEN b ELSE c END` for a per-segment constant. */
export function bySegment(values: readonly [number, number, number], column = 'seg'): string {
  return `(CASE ${column} WHEN 0 THEN ${values[0]} WHEN 1 THEN ${values[1]} ELSE ${values[2]} END)`;
}

/** Picks the index of a weighted choice from a uniform, as SQL (weights need not sum to 1). */
export function pick(uniformSql: string, weights: readonly number[]): string {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let cumulative = 0;
  const arms = weights.slice(0, -1).map((weight, index) => {
    cumulative += weight / total;
    return `WHEN ${uniformSql} < ${cumulative} THEN ${index}`;
  });
  return `(CASE ${arms.join(' ')} ELSE ${weights.length - 1} END)`;
}

/**
 * SQL for a Binomial(n, p) draw by inverse CDF from the uniform `u`: the count of cumulative
 * probabilities P(X <= j), j < n, that lie below u. `u` and `p` should be column names (each is
 * repeated in the expression). Small n only: the expression grows with n squared.
 */
export function binomialSql(u: string, p: string, n: number): string {
  const choose = (k: number) => {
    let value = 1;
    for (let i = 1; i <= k; i++) value = (value * (n - i + 1)) / i;
    return value;
  };
  const terms = Array.from(
    { length: n },
    (_, j) => `${choose(j)} * pow(${p}, ${j}) * pow(1 - ${p}, ${n - j})`,
  );
  return `(${terms.map((_, j) => `CAST(${u} > ${terms.slice(0, j + 1).join(' + ')} AS INTEGER)`).join(' + ')})`;
}
