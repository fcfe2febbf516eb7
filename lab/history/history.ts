import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { queryRows } from '../../data/duckdb.ts';
import { modelHash } from '../model/hash.ts';
import { scoreModelToTables } from '../model/score.ts';
import { runStatement } from '../run.ts';
import type { Model } from '../model/spec.ts';

/**
 * Score history in the state database: one row per account, date and model version, written
 * idempotently (a date scored again replaces its rows in one transaction), with a log of runs.
 * A run that fails leaves every earlier score as it was.
 */
export async function ensureHistory(connection: DuckDBConnection, schema: string): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.score_runs (
    run_id VARCHAR NOT NULL,
    model_hash VARCHAR NOT NULL,
    dates INTEGER NOT NULL,
    first_as_of DATE NOT NULL,
    last_as_of DATE NOT NULL,
    trigger VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,
    accounts BIGINT,
    message VARCHAR
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.scores (
    as_of DATE NOT NULL,
    model_hash VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    segment VARCHAR,
    score DOUBLE,
    band VARCHAR,
    reason VARCHAR,
    missing_metrics INTEGER
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.score_components (
    as_of DATE NOT NULL,
    model_hash VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    component VARCHAR NOT NULL,
    score DOUBLE,
    weight DOUBLE
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.score_contributions (
    as_of DATE NOT NULL,
    model_hash VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    component VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    raw DOUBLE,
    normalized DOUBLE,
    weight DOUBLE,
    contribution DOUBLE,
    missing VARCHAR
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.account_profiles (
    account_id VARCHAR, name VARCHAR, segment VARCHAR, plan VARCHAR, region VARCHAR,
    industry VARCHAR, arr DOUBLE, start_date DATE, renewal_date DATE, owner VARCHAR
  )`);
  // A run still marked running was cut short by a crash: its transaction never committed.
  await connection.run(
    `UPDATE ${schema}.score_runs SET status = 'interrupted', message = 'the process stopped during the run'
     WHERE status = 'running'`,
  );
}

export interface ScoreRunRequest {
  model: Model;
  asOf: readonly string[];
  tables: Iterable<TableName>;
  trigger: string;
  now: () => Date;
}

export interface ScoreRunResult {
  runId: string;
  modelHash: string;
  dates: number;
  accounts: number;
  seconds: number;
}

/**
 * Scores `asOf` with `model` and stores the results, replacing any earlier rows for the same
 * dates and model. All rows of the run commit together or not at all.
 */
export async function runAndStoreScores(
  connection: DuckDBConnection,
  schema: string,
  request: ScoreRunRequest,
): Promise<ScoreRunResult> {
  const started = performance.now();
  const runId = randomUUID();
  const hash = modelHash(request.model);
  const dates = [...new Set(request.asOf)].sort();
  await connection.run(
    `INSERT INTO ${schema}.score_runs VALUES ($run, $hash, $dates, $first::DATE, $last::DATE,
       $trigger, $now::TIMESTAMP, NULL, 'running', NULL, NULL)`,
    {
      run: runId,
      hash,
      dates: dates.length,
      first: dates[0] ?? null,
      last: dates.at(-1) ?? null,
      trigger: request.trigger,
      now: request.now().toISOString(),
    },
  );
  const suffix = runId.replaceAll('-', '');
  const names = {
    scores: `run_scores_${suffix}`,
    components: `run_components_${suffix}`,
    contributions: `run_contributions_${suffix}`,
  };
  try {
    await scoreModelToTables(connection, {
      model: request.model,
      asOf: dates,
      tables: request.tables,
      into: { ...names, temporary: true },
    });
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const table of ['scores', 'score_components', 'score_contributions']) {
        await runStatement(
          connection,
          `DELETE FROM ${schema}.${table} WHERE model_hash = $hash
           AND as_of IN (SELECT CAST(unnest($dates) AS DATE))`,
          { hash, dates },
        );
      }
      await connection.run(
        `INSERT INTO ${schema}.scores SELECT as_of, $hash, account_id, segment, score, band, reason, missing_metrics FROM ${names.scores}`,
        { hash },
      );
      await connection.run(
        `INSERT INTO ${schema}.score_components SELECT as_of, $hash, account_id, position, component, score, weight FROM ${names.components}`,
        { hash },
      );
      await connection.run(
        `INSERT INTO ${schema}.score_contributions SELECT as_of, $hash, account_id, position, component, metric, raw, normalized, weight, contribution, missing FROM ${names.contributions}`,
        { hash },
      );
      const [counted] = await queryRows<{ n: bigint }>(
        connection,
        `SELECT count(*) AS n FROM ${names.scores}`,
      );
      const accounts = Number(counted?.n ?? 0);
      await connection.run(
        `UPDATE ${schema}.score_runs SET status = 'ok', finished_at = $now::TIMESTAMP, accounts = $accounts
         WHERE run_id = $run`,
        { now: request.now().toISOString(), accounts, run: runId },
      );
      await connection.run('COMMIT');
      return {
        runId,
        modelHash: hash,
        dates: dates.length,
        accounts,
        seconds: (performance.now() - started) / 1000,
      };
    } catch (error) {
      await connection.run('ROLLBACK');
      throw error;
    }
  } catch (error) {
    await connection.run(
      `UPDATE ${schema}.score_runs SET status = 'failed', finished_at = $now::TIMESTAMP, message = $message
       WHERE run_id = $run`,
      {
        now: request.now().toISOString(),
        message: error instanceof Error ? error.message : String(error),
        run: runId,
      },
    );
    throw error;
  } finally {
    for (const name of Object.values(names)) await connection.run(`DROP TABLE IF EXISTS ${name}`);
  }
}

/** The dates already scored with a model. */
export async function scoredDates(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<string[]> {
  const rows = await queryRows<{ d: string }>(
    connection,
    `SELECT DISTINCT strftime(as_of, '%Y-%m-%d') AS d FROM ${schema}.scores WHERE model_hash = $hash ORDER BY d`,
    { hash },
  );
  return rows.map((row) => row.d);
}

/** The signal tables and the column that dates their rows, for finding the data's last day. */
const DATED: readonly { table: TableName; column: string }[] = [
  { table: 'usage_daily', column: 'date' },
  { table: 'engagement', column: 'date' },
  { table: 'support_tickets', column: 'opened_at' },
  { table: 'invoices', column: 'issued_on' },
  { table: 'surveys', column: 'date' },
  { table: 'signals', column: 'date' },
  { table: 'outcomes', column: 'event_date' },
];

/**
 * "Today" for exported data: the latest day any signal table has a row for, but never after
 * `today`. Null when no table has a dated row.
 */
export async function latestDataDate(
  connection: DuckDBConnection,
  tables: Iterable<TableName>,
  today: string,
): Promise<string | null> {
  const present = new Set(tables);
  const parts = DATED.filter(({ table }) => present.has(table)).map(
    ({ table, column }) => `SELECT max(CAST(${column} AS DATE)) AS d FROM ${table}`,
  );
  if (parts.length === 0) return null;
  const [row] = await queryRows<{ d: string | null }>(
    connection,
    `SELECT strftime(least(max(d), $today::DATE), '%Y-%m-%d') AS d FROM (${parts.join(' UNION ALL ')})`,
    { today },
  );
  return row?.d ?? null;
}

/** The earliest day any signal table has a row for, as YYYY-MM-DD (null when none has). */
export async function earliestDataDate(
  connection: DuckDBConnection,
  tables: Iterable<TableName>,
): Promise<string | null> {
  const present = new Set(tables);
  const parts = DATED.filter(({ table }) => present.has(table)).map(
    ({ table, column }) => `SELECT min(CAST(${column} AS DATE)) AS d FROM ${table}`,
  );
  if (parts.length === 0) return null;
  const [row] = await queryRows<{ d: string | null }>(
    connection,
    `SELECT strftime(min(d), '%Y-%m-%d') AS d FROM (${parts.join(' UNION ALL ')})`,
  );
  return row?.d ?? null;
}

/** `date` moved by `days` (negative: earlier), both YYYY-MM-DD. */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Days of data a metric needs before its first score means something: the 90-day windows (usage
 * trend, tickets) are then full. History and backtests start this long after the first data day.
 */
export const WARM_UP_DAYS = 90;

/** Dates from `from` to `to` every `everyDays`, ending exactly on `to`. */
export function datesBack(from: string, to: string, everyDays: number): string[] {
  const day = 86_400_000;
  const start = Date.parse(`${from}T00:00:00Z`);
  const dates: string[] = [];
  for (let t = Date.parse(`${to}T00:00:00Z`); t >= start; t -= everyDays * day) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates.reverse();
}

/**
 * Keeps a copy of the accounts table as it was at the last successful production run, so the
 * portfolio and account lists keep working on the last good scores when a later export is bad.
 */
export async function storeAccountProfiles(
  connection: DuckDBConnection,
  schema: string,
): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${schema}.account_profiles AS
    SELECT account_id, name, segment, plan, region, industry, arr, start_date, renewal_date, owner
    FROM accounts`);
}

/**
 * Scores many dates in batches, each stored in its own run, so that memory stays bounded by the
 * batch (one query over every date of a long backfill holds every account-date at once). A
 * failure keeps the batches stored before it.
 */
export async function backfillScores(
  connection: DuckDBConnection,
  schema: string,
  request: ScoreRunRequest & {
    /** Dates per batch (see `batchSizeFor`). */
    batchDates: number;
    onBatch?: (done: number, total: number) => void;
  },
): Promise<ScoreRunResult> {
  const dates = [...new Set(request.asOf)].sort();
  const started = performance.now();
  let accounts = 0;
  let last: ScoreRunResult | null = null;
  for (let i = 0; i < dates.length; i += request.batchDates) {
    const batch = dates.slice(i, i + request.batchDates);
    last = await runAndStoreScores(connection, schema, { ...request, asOf: batch });
    accounts += last.accounts;
    request.onBatch?.(Math.min(i + batch.length, dates.length), dates.length);
  }
  if (!last) throw new Error('backfillScores: no dates to score');
  return {
    runId: last.runId,
    modelHash: last.modelHash,
    dates: dates.length,
    accounts,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Account-dates (score rows) per backfill batch: each batch is computed in memory and commits at
 * once, so this bounds both the memory a run needs and the work a crash can lose. About 400,000
 * suits a 2-core, 4 GB budget.
 */
export const DEFAULT_BATCH_ROWS = 400_000;

/** Dates per batch so that a batch holds about `target` account-dates. */
export function batchSizeFor(accounts: number, target = DEFAULT_BATCH_ROWS): number {
  return Math.max(1, Math.floor(target / Math.max(1, accounts)));
}

/** How many accounts the data holds (for sizing backfill batches). */
export async function accountCount(connection: DuckDBConnection): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    connection,
    'SELECT count(*)::INTEGER AS n FROM accounts',
  );
  return row?.n ?? 0;
}
