/**
 * Load: the real server in a process of its own, signed-in clients on loopback, a mix of the
 * dashboard requests. Reports requests per second, latency percentiles, errors, and the
 * server's RSS before and after the measured run (read from /proc). Alone:
 * `npx tsx test/bench/worker.ts load <dataDir> [seconds] [connections]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { tempDir } from '../helpers/app.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ADMIN = { username: 'load-admin', password: 'load-admin-password-0' };
const DAY_MS = 86_400_000;

export interface LoadOptions {
  /** Seconds of the measured run. */
  seconds: number;
  connections: number;
  /** Seconds of the same mix before it, so that kept replies and copies are in place. */
  warmUpSeconds: number;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The server's resident set size in MiB, from /proc. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/**
 * Starts `npm start`'s server on `dataDir` and resolves once it is ready for the mix: its first
 * scoring stored and the account cards of those scores written.
 */
async function startServer(dataDir: string, stateDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      STATE_DIR: stateDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      VITALS_ADMIN_USER: ADMIN.username,
      VITALS_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const started = performance.now();
  let scored: number | null = null;
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.includes('"scores stored"')) scored = performance.now();
        if (line.includes('"account cards written"') && scored !== null) resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
  // Later log lines are read and dropped, as a log shipper would.
  child.stdout!.resume();
  return {
    child,
    scoringSeconds: ((scored ?? started) - started) / 1000,
    cardsSeconds: (performance.now() - (scored ?? started)) / 1000,
  };
}

export async function signIn(url: string): Promise<string> {
  const reply = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!reply.ok) throw new Error(`sign-in failed: ${reply.status}`);
  return reply.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/**
 * The mix, one quarter each: the overview; a page of 50 accounts (any page, one of four sorts);
 * one account, drawn uniformly from the whole portfolio; a cohort trend (any of ten series and
 * cohort fields) over the last year.
 */
const SORTS = ['sort=score', 'sort=arr&order=desc', 'sort=renewal_date', 'sort=name'];

/** The trend queries of the mix: five series by two cohort fields, over the last year. */
function trendQueries(asOf: string): string[] {
  const from = new Date(Date.parse(`${asOf}T00:00:00Z`) - 365 * DAY_MS).toISOString().slice(0, 10);
  return ['active_users', 'logins', 'feature_events', 'features_used', 'score'].flatMap((series) =>
    ['segment', 'plan'].map((by) => `series=${series}&by=${by}&from=${from}`),
  );
}

/** One request for each reply the mix keeps (account pages have cards already). */
function primePaths(asOf: string): string[] {
  return [
    '/api/overview',
    ...SORTS.map((sort) => `/api/accounts?pageSize=50&${sort}`),
    ...trendQueries(asOf).map((query) => `/api/trends?${query}`),
  ];
}

export function mix(ids: readonly string[], asOf: string) {
  const pages = Math.max(1, Math.ceil(ids.length / 50));
  const sorts = SORTS;
  const trends = trendQueries(asOf);
  const pick = <T>(values: readonly T[]) => values[Math.floor(Math.random() * values.length)]!;
  const paths = [
    () => '/api/overview',
    () => `/api/accounts?pageSize=50&page=${1 + Math.floor(Math.random() * pages)}&${pick(sorts)}`,
    () => `/api/accounts/${encodeURIComponent(pick(ids))}`,
    () => `/api/trends?${pick(trends)}`,
  ];
  return () => pick(paths)();
}

export async function cannon(
  url: string,
  cookie: string,
  next: () => string,
  options: LoadOptions,
) {
  return autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    headers: { cookie },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: next() }) }],
  });
}

export async function loadBench(dataDir: string, options: LoadOptions) {
  const state = await tempDir('vitals-load-state-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  try {
    const server = await startServer(dataDir, state.dir, port);
    child = server.child;
    const cookie = await signIn(url);
    const list = (await (
      await fetch(`${url}/api/accounts?pageSize=100000&sort=account_id`, { headers: { cookie } })
    ).json()) as { asOf: string; rows: { account_id: string }[] };
    const ids = list.rows.map((row) => row.account_id);
    const next = mix(ids, list.asOf);
    const rssAtStart = await rssMiB(child.pid!);
    // Each kept reply the mix can ask for, once, as the first users of the day would: the cold
    // cost is reported here, the measured run is the steady state after it.
    const primed = performance.now();
    for (const path of primePaths(list.asOf)) {
      const reply = await fetch(`${url}${path}`, { headers: { cookie } });
      await reply.arrayBuffer();
      if (!reply.ok) throw new Error(`${path}: ${reply.status}`);
    }
    const primeSeconds = (performance.now() - primed) / 1000;
    const warmUp = await cannon(url, cookie, next, { ...options, seconds: options.warmUpSeconds });
    const rssBefore = await rssMiB(child.pid!);
    const result = await cannon(url, cookie, next, options);
    const rssAfter = await rssMiB(child.pid!);
    return {
      accounts: ids.length,
      asOf: list.asOf,
      scoringSeconds: server.scoringSeconds,
      cardsSeconds: server.cardsSeconds,
      primeSeconds,
      connections: options.connections,
      seconds: options.seconds,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      warmUp: {
        seconds: options.warmUpSeconds,
        requestsPerSecond: warmUp.requests.average,
        p99: warmUp.latency.p99,
        non2xx: warmUp.non2xx,
        errors: warmUp.errors,
      },
      rssMiB: {
        serverStarted: rssAtStart,
        before: rssBefore,
        after: rssAfter,
        growth: rssAfter / rssBefore - 1,
      },
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await state.cleanup();
  }
}
