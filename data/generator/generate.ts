import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { type TableName } from '../contract.ts';
import { openDatabase, sqlString, withConnection } from '../duckdb.ts';
import { addDays, formatDay, makeFrame, parseDay, type Frame } from './frame.ts';
import { randomMacrosSql } from './random.ts';
import { engagementOutputSql, surveysOutputSql, ticketsOutputSql } from './sql-activity.ts';
import { invoicesOutputSql } from './sql-billing.ts';
import {
  accountsFinalSql,
  activeWeeksSql,
  accountsOutputSql,
  decisionsSql,
  outcomesOutputSql,
  renewalsSql,
} from './sql-lifecycle.ts';
import { milestonesOutputSql, milestonesSql } from './sql-milestones.ts';
import { accountsBaseSql, calendarSql, healthSql, healthTruthOutputSql } from './sql-state.ts';
import { signalsOutputSql, usageOutputSql } from './sql-usage.ts';

/** What `npm run vitals -- demo` generates when not told otherwise. */
export const DEMO_DEFAULTS = { accounts: 5000, days: 1095, seed: 42 } as const;

/** The default last day of demo data: yesterday (UTC) relative to `now`. */
export function defaultEndDate(now: Date): string {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return formatDay(addDays(today, -1));
}

export const demoOptionsSchema = z.object({
  // Ids are ACC-000001..ACC-999999, which sort as strings in numeric order.
  accounts: z.number().int().min(1).max(999_999),
  days: z
    .number()
    .int()
    .min(1)
    .max(20 * 366),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  endDate: z.string().refine(
    (value) => {
      try {
        parseDay(value);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'a calendar date as YYYY-MM-DD' },
  ),
  outDir: z.string().min(1),
});
export type DemoOptions = z.infer<typeof demoOptionsSchema>;

export interface DemoDeps {
  log?: (message: string) => void;
}

export interface DemoFile {
  /** A contract table name, or `_truth/health_weekly` for the hidden ground truth. */
  table: TableName | '_truth/health_weekly';
  path: string;
  rows: number;
  bytes: number;
}

export interface DemoResult {
  files: DemoFile[];
  seconds: number;
}

/** Intermediate tables, built in this order inside one in-memory database. */
const STATE_STEPS: { name: string; sql: (frame: Frame) => string }[] = [
  { name: 'calendar', sql: calendarSql },
  { name: 'accounts', sql: accountsBaseSql },
  { name: 'latent health', sql: healthSql },
  { name: 'renewal decisions', sql: decisionsSql },
  { name: 'renewals', sql: () => renewalsSql() },
  { name: 'contract periods', sql: accountsFinalSql },
  { name: 'account weeks', sql: activeWeeksSql },
  { name: 'milestones', sql: milestonesSql },
];

const OUTPUTS: { table: DemoFile['table']; sql: (frame: Frame) => string }[] = [
  { table: 'accounts', sql: accountsOutputSql },
  { table: 'outcomes', sql: outcomesOutputSql },
  { table: 'usage_daily', sql: usageOutputSql },
  { table: 'support_tickets', sql: ticketsOutputSql },
  { table: 'engagement', sql: engagementOutputSql },
  { table: 'invoices', sql: invoicesOutputSql },
  { table: 'surveys', sql: surveysOutputSql },
  { table: 'milestones', sql: milestonesOutputSql },
  { table: 'signals', sql: signalsOutputSql },
  { table: '_truth/health_weekly', sql: healthTruthOutputSql },
];

/**
 * Generates the realistic demo data set: every table of the data contract as Parquet in
 * `options.outDir`, plus the latent health in `_truth/`. Same options, same bytes.
 */
export async function generateDemo(options: DemoOptions, deps: DemoDeps = {}): Promise<DemoResult> {
  const parsed = demoOptionsSchema.parse(options);
  const log = deps.log ?? (() => {});
  const started = performance.now();
  const frame = makeFrame(parsed);
  const outDir = path.resolve(parsed.outDir);
  await mkdir(path.join(outDir, '_truth'), { recursive: true });
  log(
    `demo: ${frame.accounts} accounts, ${frame.windowStart}..${frame.endDate}, seed ${frame.seed}`,
  );

  const db = await openDatabase();
  try {
    return await withConnection(db, async (connection) => {
      await connection.run(randomMacrosSql(frame.seed));
      for (const step of STATE_STEPS) {
        const stepStarted = performance.now();
        await connection.run(step.sql(frame));
        log(`demo: built ${step.name} in ${secondsSince(stepStarted)} s`);
      }
      const files: DemoFile[] = [];
      for (const output of OUTPUTS) {
        const stepStarted = performance.now();
        const target = path.join(outDir, `${output.table}.parquet`);
        const rows = await copyToParquet(connection, output.sql(frame), target);
        const { size } = await stat(target);
        files.push({ table: output.table, path: target, rows, bytes: size });
        log(
          `demo: wrote ${output.table} (${rows} rows, ${size} bytes) in ${secondsSince(stepStarted)} s`,
        );
      }
      return { files, seconds: secondsSince(started) };
    });
  } finally {
    db.closeSync();
  }
}

/** Writes a query's result through a temporary file and a rename, so no half file is ever seen. */
async function copyToParquet(connection: DuckDBConnection, sql: string, target: string) {
  const suffix = randomUUID().slice(0, 8);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.tmp`);
  try {
    const result = await connection.run(
      `COPY (${sql}) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    await rename(temporary, target);
    return result.rowsChanged;
  } finally {
    await rm(temporary, { force: true });
  }
}

function secondsSince(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}
