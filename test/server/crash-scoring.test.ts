/**
 * Production scoring survives `kill -9`. Real processes (the server, and the `vitals score`
 * backfill) are killed with SIGKILL in the middle of a scoring run, inside the batch after one
 * they reported committed; the state folder is then read as it was left (read-only, which
 * replays the WAL in memory and writes nothing), and the server is restarted on it. Every run is compared with an uninterrupted run
 * on a copy of the same data: scores are bit-for-bit reproducible, so a date either has exactly
 * the rows of the uninterrupted run or none at all.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../data/generator/generate.ts';
import { queryRows } from '../../data/duckdb.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { SESSION_COOKIE } from '../../server/plugins/auth.ts';
import { tempDir } from '../helpers/app.ts';

const SERVER = path.join(ROOT_DIR, 'server', 'main.ts');
const CLI = path.join(ROOT_DIR, 'server', 'cli', 'main.ts');
const ADMIN = { username: 'admin', password: 'vitals-crash-test-password' } as const;
const ACCOUNTS = 200;
/** Small batches, so that a backfill of about 30 weekly dates commits ten times. */
const DATES_PER_BATCH = 3;
const DEMO = { accounts: ACCOUNTS, days: 300, endDate: '2025-06-30' } as const;
/** Generous: other jobs share these 2-core machines. */
const TIMEOUT = 240_000;

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  /** Every line printed so far, stdout and stderr, and when each arrived (ms). */
  lines: string[];
  arrived: number[];
  /** Resolves with the first line passing `test`; rejects if the process exits first. */
  waitFor(test: (line: string) => boolean): Promise<string>;
  /** SIGKILL: no shutdown hook, no flush beyond what DuckDB committed. */
  kill(): Promise<void>;
  /** SIGTERM, and the exit code of the clean shutdown. */
  stop(): Promise<number | null>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running, with their exit, so that a failed test leaves none behind. */
const running = new Map<ReturnType<typeof spawn>, Promise<unknown>>();

async function killRunning() {
  for (const [child, exited] of running) {
    child.kill('SIGKILL');
    await exited;
  }
}

function start(script: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const lines: string[] = [];
  const arrived: number[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  running.set(child, exited);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        arrived.push(Date.now());
        for (const waiter of waiters.filter((w) => w.test(line))) waiter.resolve(line);
      }
    });
  }
  return {
    lines,
    arrived,
    exited,
    waitFor: (test) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find(test);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ test, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`${script} exited (${code ?? signal}):\n${lines.join('\n')}`)),
        );
      }),
    kill: async () => {
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
    },
    stop: async () => {
      child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}

/** A server log line (JSON), or null for anything else. */
function logLine(line: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const isLog = (msg: string) => (line: string) => logLine(line)?.msg === msg;

/**
 * Kills `child` half a batch after it reported a committed batch, so that the kill lands inside
 * the next batch (being computed or stored) rather than between two. A batch's duration is
 * measured on the child's own progress: `batches` batches took `elapsedMs`.
 */
async function killMidBatch(child: Child, elapsedMs: number, batches: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, elapsedMs / batches / 2));
  await child.kill();
}

/** The real server over `dataDir`, with its state in `stateDir`, scoring on start. */
function startServer(dataDir: string, stateDir: string): Child {
  return start(SERVER, [], {
    DATA_DIR: dataDir,
    STATE_DIR: stateDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    SCORE_ON_START: 'true',
    SCORE_BATCH_ROWS: String(ACCOUNTS * DATES_PER_BATCH),
    VITALS_ADMIN_USER: ADMIN.username,
    VITALS_ADMIN_PASSWORD: ADMIN.password,
  });
}

/** `vitals score` backfilling `dates` (weekly) into the state folder, as an operator would. */
function startBackfill(dataDir: string, stateDir: string, dates: string[]): Child {
  return start(CLI, [
    'score',
    ...['--from', dates[0]!, '--to', dates.at(-1)!, '--every', '7'],
    ...['--data', dataDir, '--state', stateDir],
    ...['--batch-rows', String(ACCOUNTS * DATES_PER_BATCH)],
  ]);
}

async function listeningAt(server: Child): Promise<string> {
  const line = await server.waitFor((text) => /Server listening at http/.test(text));
  return /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
}

/** Checks that the server serves: health, sign-in as the first admin, the overview. */
async function overviewAsAdmin(url: string): Promise<{ asOf: string; model: { hash: string } }> {
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  expect(cookie).toBeDefined();
  const overview = await fetch(`${url}/api/overview`, { headers: { cookie: cookie! } });
  expect(overview.status).toBe(200);
  return (await overview.json()) as { asOf: string; model: { hash: string } };
}

// ---------------------------------------------------------------------------------------------
// Reading the state folder as it was left

/** What a date holds in the score history: row counts and order-free checksums of every value. */
interface DateRows {
  modelHash: string;
  scores: number;
  accounts: number;
  scoresSum: string;
  components: number;
  componentsSum: string;
  contributions: number;
  contributionsSum: string;
}

interface StateSnapshot {
  /** By as-of date (YYYY-MM-DD). */
  history: Record<string, DateRows>;
  /** Runs by status. */
  runs: Record<string, number>;
}

/**
 * Opens `file` read-only (DuckDB replays its WAL in memory and writes nothing) and reads the score
 * history. Sums of 64-bit row hashes are exact and independent of row order, so two snapshots are
 * equal only if every value of every row is.
 */
async function readState(file: string): Promise<StateSnapshot> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await db.connect();
    try {
      const [tables] = await queryRows<{ n: number }>(
        connection,
        "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'scores'",
      );
      if (!tables?.n) return { history: {}, runs: {} };
      const rows = await queryRows<DateRows & { asOf: string }>(
        connection,
        `WITH s AS (
           SELECT as_of, model_hash, count(*)::INTEGER AS n, count(DISTINCT account_id)::INTEGER AS accounts,
             sum(hash(account_id, segment, score, band, reason, missing_metrics)::HUGEINT)::VARCHAR AS h
           FROM scores GROUP BY ALL),
         c AS (
           SELECT as_of, model_hash, count(*)::INTEGER AS n,
             sum(hash(account_id, position, component, score, weight)::HUGEINT)::VARCHAR AS h
           FROM score_components GROUP BY ALL),
         k AS (
           SELECT as_of, model_hash, count(*)::INTEGER AS n,
             sum(hash(account_id, position, component, metric, raw, normalized, weight, contribution, missing)::HUGEINT)::VARCHAR AS h
           FROM score_contributions GROUP BY ALL)
         SELECT strftime(as_of, '%Y-%m-%d') AS "asOf", model_hash AS "modelHash",
           coalesce(s.n, 0) AS scores, coalesce(s.accounts, 0) AS accounts, s.h AS "scoresSum",
           coalesce(c.n, 0) AS components, c.h AS "componentsSum",
           coalesce(k.n, 0) AS contributions, k.h AS "contributionsSum"
         FROM s FULL JOIN c USING (as_of, model_hash) FULL JOIN k USING (as_of, model_hash)
         ORDER BY "asOf", "modelHash"`,
      );
      const runs = await queryRows<{ status: string; n: number }>(
        connection,
        'SELECT status, count(*)::INTEGER AS n FROM score_runs GROUP BY ALL',
      );
      const history: Record<string, DateRows> = {};
      for (const { asOf, ...rest } of rows) {
        // One model scores here; a second row for a date would be a second model's.
        expect(history[asOf], `two models scored ${asOf}`).toBeUndefined();
        history[asOf] = rest;
      }
      return { history, runs: Object.fromEntries(runs.map((run) => [run.status, run.n])) };
    } finally {
      connection.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

const stateFile = (stateDir: string) => path.join(stateDir, 'vitals.duckdb');
const walFile = (stateDir: string) => `${stateFile(stateDir)}.wal`;
const digest = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** The score history the state file holds without its WAL (what a lost WAL would leave). */
async function historyWithoutWal(stateDir: string, scratch: string): Promise<string[]> {
  const copy = path.join(scratch, `main-only-${Date.now()}.duckdb`);
  await copyFile(stateFile(stateDir), copy);
  return Object.keys((await readState(copy)).history);
}

function pick<T>(record: Record<string, T>, keys: string[]): Record<string, T> {
  return Object.fromEntries(keys.map((key) => [key, record[key]!]));
}

// ---------------------------------------------------------------------------------------------

describe('production scoring survives kill -9', () => {
  const dirs: { cleanup: () => Promise<void> }[] = [];
  const folder = async (prefix: string) => {
    const made = await tempDir(prefix);
    dirs.push(made);
    return made.dir;
  };
  let data: string;
  let corrected: string;
  let state: string;
  let scratch: string;
  /** Uninterrupted runs: the server's start-up backfill on `data` and on `corrected`. */
  let control: StateSnapshot;
  let correctedControl: StateSnapshot;
  let dates: string[];
  /** What the first kill left, as read before the restart. */
  let afterKill: StateSnapshot;

  beforeAll(async () => {
    data = await folder('vitals-crash-data-');
    corrected = await folder('vitals-crash-corrected-');
    state = await folder('vitals-crash-state-');
    scratch = await folder('vitals-crash-scratch-');
    // The "corrected export": same accounts, days and dates, other values (another seed).
    await Promise.all([
      generateDemo({ ...DEMO, seed: 11, outDir: data }),
      generateDemo({ ...DEMO, seed: 12, outDir: corrected }),
    ]);

    // Uninterrupted runs of the server's start-up backfill on both, at once (start-up is most
    // of their time).
    const uninterrupted = async (dataDir: string) => {
      const controlState = await folder('vitals-crash-control-');
      const server = startServer(dataDir, controlState);
      await server.waitFor(isLog('scores stored'));
      expect(await server.stop()).toBe(0);
      return readState(stateFile(controlState));
    };
    [control, correctedControl] = await Promise.all([
      uninterrupted(data),
      uninterrupted(corrected),
    ]);
    dates = Object.keys(control.history);

    // Enough batches that a kill after the second lands with more still to come, and each
    // date's rows differ between the two exports, so a snapshot tells old rows from new.
    expect(dates.length).toBeGreaterThan(6 * DATES_PER_BATCH);
    expect(Object.keys(correctedControl.history)).toEqual(dates);
    for (const date of dates) {
      const rows = control.history[date]!;
      expect(rows.scores).toBeGreaterThan(0);
      expect(rows.accounts).toBe(rows.scores);
      expect(rows.components).toBeGreaterThan(rows.scores);
      expect(rows.contributions).toBeGreaterThan(rows.components);
      expect(correctedControl.history[date]!.modelHash).toBe(rows.modelHash);
      expect(correctedControl.history[date]!.scoresSum).not.toBe(rows.scoresSum);
    }
  }, TIMEOUT);

  // A failed test must not leave a process holding the state folder for the next one.
  afterEach(killRunning);
  afterAll(async () => {
    await killRunning();
    for (const dir of dirs) await dir.cleanup();
  });

  it(
    'killed mid-backfill: every batch it reported committed is there, in the WAL, whole',
    async () => {
      const server = startServer(data, state);
      const progress = () =>
        server.lines.map(logLine).filter((log) => log?.msg === 'scoring dates') as {
          done: number;
          time: number;
        }[];
      await server.waitFor((line) => {
        const log = logLine(line);
        return log?.msg === 'scoring dates' && Number(log.done) >= 2 * DATES_PER_BATCH;
      });
      const [first, second] = progress();
      await killMidBatch(server, second!.time - first!.time, 1);
      expect(server.lines.some(isLog('scores stored'))).toBe(false);
      const reported = Math.max(...progress().map((log) => log.done));

      // The commits are in the WAL, not yet in the database file: the restart must replay it.
      expect(existsSync(walFile(state))).toBe(true);
      const wal = await digest(walFile(state));
      afterKill = await readState(stateFile(state));
      expect(await digest(walFile(state))).toBe(wal);
      const kept = Object.keys(afterKill.history);
      expect((await historyWithoutWal(state, scratch)).length).toBeLessThan(kept.length);

      // Cut short after at least what it reported, in date order, each date whole.
      expect(kept.length).toBeGreaterThanOrEqual(reported);
      expect(kept.length).toBeLessThan(dates.length);
      expect(kept).toEqual(dates.slice(0, kept.length));
      expect(afterKill.history).toEqual(pick(control.history, kept));
      expect(afterKill.runs.ok).toBe(kept.length / DATES_PER_BATCH);
      // The kill landed inside a batch: it was running and left no row behind.
      expect(afterKill.runs.running).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'restarted: replays the WAL, serves, and finishes the backfill exactly as an uninterrupted run',
    async () => {
      const kept = Object.keys(afterKill.history);
      const server = startServer(data, state);
      const url = await listeningAt(server);
      // Served from the history the kill left (or what the resumed run added since).
      const early = await overviewAsAdmin(url);
      expect(dates).toContain(early.asOf);
      expect(early.model.hash).toBe(control.history[dates[0]!]!.modelHash);

      const stored = logLine(await server.waitFor(isLog('scores stored')))!;
      // Only what was missing was scored.
      expect(stored.dates).toBe(dates.length - kept.length);
      expect((await overviewAsAdmin(url)).asOf).toBe(dates.at(-1));
      expect(await server.stop()).toBe(0);
      expect(existsSync(walFile(state))).toBe(false);

      const final = await readState(stateFile(state));
      expect(final.history).toEqual(control.history);
      // The run the kill cut short is marked as such; nothing is left "running".
      expect(final.runs.running).toBeUndefined();
      expect(final.runs.interrupted).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'a `vitals score` re-score killed mid-run leaves each date wholly old or wholly new',
    async () => {
      // The history is complete (previous test); a corrected export is backfilled over it.
      const cli = startBackfill(corrected, state, dates);
      const progress = await cli.waitFor((line) => /^score: backfill dates \d+\/\d+$/.test(line));
      const reported = Number(/(\d+)\//.exec(progress)![1]);
      const began = cli.lines.findIndex((line) => line.startsWith('backfilling '));
      await killMidBatch(
        cli,
        cli.arrived[cli.lines.indexOf(progress)]! - cli.arrived[began]!,
        reported / DATES_PER_BATCH,
      );
      expect(cli.lines.some((line) => line.startsWith('stored '))).toBe(false);

      expect(existsSync(walFile(state))).toBe(true);
      const snapshot = await readState(stateFile(state));
      // No date lost; each has exactly the old rows or exactly the new ones, new ones first.
      expect(Object.keys(snapshot.history)).toEqual(dates);
      expect(snapshot.runs.running).toBe(1);
      const replaced = dates.filter(
        (date) => snapshot.history[date]!.scoresSum === correctedControl.history[date]!.scoresSum,
      );
      expect(replaced).toEqual(dates.slice(0, replaced.length));
      expect(replaced.length).toBeGreaterThanOrEqual(reported);
      expect(replaced.length).toBeLessThan(dates.length);
      const kept = dates.slice(replaced.length);
      expect(snapshot.history).toEqual({
        ...pick(correctedControl.history, replaced),
        ...pick(control.history, kept),
      });

      // The server restarts on it, replays the WAL, serves, and changes nothing: each date
      // already has scores.
      const server = startServer(corrected, state);
      const url = await listeningAt(server);
      expect((await overviewAsAdmin(url)).asOf).toBe(dates.at(-1));
      expect(await server.stop()).toBe(0);
      expect(server.lines.some(isLog('scoring dates'))).toBe(false);
      expect(server.lines.some(isLog('scores stored'))).toBe(false);
      expect(existsSync(walFile(state))).toBe(false);
      const restarted = await readState(stateFile(state));
      expect(restarted.history).toEqual(snapshot.history);
      expect(restarted.runs.running).toBeUndefined();
      expect(restarted.runs.interrupted).toBe(2);

      // Running the backfill again gives what it would have given uninterrupted.
      const again = startBackfill(corrected, state, dates);
      expect((await again.exited).code, again.lines.join('\n')).toBe(0);
      expect((await readState(stateFile(state))).history).toEqual(correctedControl.history);
    },
    TIMEOUT,
  );
});
