/**
 * Runs one benchmark task in a process of its own, so its peak RSS is its own, and prints one
 * JSON line: { seconds, maxRssMiB, ...task figures }.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkData } from '../../data/check.ts';
import { generateDemo } from '../../data/generator/generate.ts';
import { openDatabase, withConnection } from '../../data/duckdb.ts';

const [task, ...args] = process.argv.slice(2);

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(full) : statSync(full).size);
  }, 0);
}

async function run(): Promise<Record<string, unknown>> {
  if (task === 'demo') {
    const [accounts, days, endDate, outDir] = args as [string, string, string, string];
    const result = await generateDemo({
      accounts: Number(accounts),
      days: Number(days),
      seed: 42,
      endDate,
      outDir,
    });
    return {
      files: result.files.map(({ table, rows, bytes }) => ({ table, rows, bytes })),
      totalBytes: folderBytes(outDir),
    };
  }
  if (task === 'check') {
    const [dataDir, today] = args as [string, string];
    const db = await openDatabase();
    const report = await withConnection(db, (connection) =>
      checkData(connection, dataDir, { today }),
    );
    db.closeSync();
    return { ok: report.ok, errors: report.errors, warnings: report.warnings };
  }
  throw new Error(`unknown bench task ${task}`);
}

const started = performance.now();
const figures = await run();
const seconds = (performance.now() - started) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMiB, ...figures })}\n`);
