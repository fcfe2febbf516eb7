/**
 * Runs one benchmark task in a process of its own, so its peak RSS is its own, and prints one
 * JSON line: { seconds, maxRssMiB, ...task figures }.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkData } from '../../data/check.ts';
import { generateDemo } from '../../data/generator/generate.ts';
import { createViews } from '../../data/dataset.ts';
import { openDatabase, queryRows, withConnection } from '../../data/duckdb.ts';
import {
  datesBack,
  ensureHistory,
  latestDataDate,
  accountCount,
  backfillScores,
  batchSizeFor,
  runAndStoreScores,
} from '../../lab/history/index.ts';
import { getMetric } from '../../lab/metrics/catalog.ts';
import { SOURCES } from '../../lab/metrics/sources.ts';
import type { SourceTable } from '../../lab/metrics/types.ts';
import { decomposeBench, seasonalBench } from './seasonal.ts';
import { loadBench } from './load.ts';
import { webBench } from './web.ts';
import { fitModel } from '../../lab/fit/index.ts';
import { defaultModels } from '../../lab/model/defaults.ts';
import { backtest, compare, defaultBacktestSettings } from '../../lab/validate/index.ts';
import { scoreModelToTables } from '../../lab/model/score.ts';
import type { Model } from '../../lab/model/spec.ts';
import { ensureRegistry } from '../../lab/registry/index.ts';
import { median } from './machine.ts';

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
  if (task === 'score') {
    const [dataDir, stateDir, repeats] = args as [string, string, string];
    return scoreBench(dataDir, stateDir, Number(repeats));
  }
  if (task === 'backfill') {
    const [dataDir, stateDir, weeks] = args as [string, string, string];
    return backfillBench(dataDir, stateDir, Number(weeks));
  }
  if (task === 'backtest' || task === 'fit' || task === 'compare') {
    const [dataDir] = args as [string];
    return labBench(task, dataDir);
  }
  if (task === 'seasonal' || task === 'decompose') {
    const [dataDir, count, days] = args as [string, string?, string?];
    const { db, connection, tables } = await openData(dataDir);
    try {
      return task === 'seasonal'
        ? await seasonalBench(connection, tables)
        : await decomposeBench(connection, Number(count), Number(days));
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  }
  if (task === 'web') {
    const [dataDir] = args as [string];
    return webBench(dataDir);
  }
  if (task === 'load') {
    const [dataDir, seconds = '30', connections = '50'] = args as [string, string?, string?];
    return loadBench(dataDir, {
      seconds: Number(seconds),
      connections: Number(connections),
      warmUpSeconds: 15,
    });
  }
  throw new Error(`unknown bench task ${task}`);
}

async function openData(dataDir: string) {
  const db = await openDatabase();
  const connection = await db.connect();
  const created = await createViews(connection, dataDir);
  const tables = created.views.map((view) => view.table);
  const asOf = await latestDataDate(connection, tables, '2100-01-01');
  if (!asOf) throw new Error(`${dataDir} has no dated rows`);
  return { db, connection, tables, asOf };
}

/**
 * The floor: one plain query that reads, for each table the production model needs, the same
 * columns over the same window as the scoring does, and nothing else.
 */
function floorSql(model: Model, asOf: string): string {
  const windows = new Map<SourceTable, number | null>();
  for (const component of model.components) {
    for (const entry of component.metrics) {
      for (const aggregate of Object.values(getMetric(entry.metric).aggregates)) {
        const seen = windows.get(aggregate.table);
        const lookback =
          seen === null || aggregate.lookbackDays === null
            ? null
            : Math.max(seen ?? 0, aggregate.lookbackDays);
        windows.set(aggregate.table, lookback);
      }
    }
  }
  const parts = [...windows].map(([table, lookback]) => {
    const source = SOURCES[table];
    const window = lookback === null ? '' : ` AND ${source.rawDate} > DATE '${asOf}' - ${lookback}`;
    return `SELECT count(*) AS n, sum(hash(r)) AS h FROM (SELECT ${source.columns} FROM ${table} WHERE ${source.rawDate} <= DATE '${asOf}'${window}) r`;
  });
  parts.push(
    `SELECT count(*) AS n, sum(hash(r)) AS h FROM (SELECT account_id, segment, start_date FROM accounts) r`,
  );
  return `SELECT sum(n)::BIGINT AS n, sum(h % 1000)::BIGINT AS h FROM (${parts.join(' UNION ALL ')})`;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [(performance.now() - started) / 1000, result];
}

async function scoreBench(dataDir: string, stateDir: string, repeats: number) {
  const { db, connection, tables, asOf } = await openData(dataDir);
  const model = defaultModels()[0]!;
  const floorRuns: number[] = [];
  const scoreRuns: number[] = [];
  const storeRuns: number[] = [];
  let rowsRead = 0;
  let accounts = 0;
  await connection.run(`ATTACH '${path.join(stateDir, 'bench.duckdb')}' AS state`);
  await ensureRegistry(connection, 'state');
  await ensureHistory(connection, 'state');
  for (let i = 0; i < repeats; i++) {
    const [floor, read] = await timed(() =>
      queryRows<{ n: bigint }>(connection, floorSql(model, asOf)),
    );
    floorRuns.push(floor);
    rowsRead = Number(read[0]?.n ?? 0);
    const [score, result] = await timed(() =>
      scoreModelToTables(connection, {
        model,
        asOf: [asOf],
        tables,
        into: {
          scores: 'bench_scores',
          components: 'bench_components',
          contributions: 'bench_contributions',
        },
      }),
    );
    scoreRuns.push(score);
    accounts = result.rows;
    const [store] = await timed(() =>
      runAndStoreScores(connection, 'state', {
        model,
        asOf: [asOf],
        tables,
        trigger: 'bench',
        now: () => new Date(),
      }),
    );
    storeRuns.push(store);
  }
  connection.closeSync();
  db.closeSync();
  return {
    asOf,
    accounts,
    rowsRead,
    floorSeconds: median(floorRuns),
    scoreSeconds: median(scoreRuns),
    scoreAndStoreSeconds: median(storeRuns),
    floorRuns,
    scoreRuns,
    storeRuns,
  };
}

async function backfillBench(dataDir: string, stateDir: string, weeks: number) {
  const { db, connection, tables, asOf } = await openData(dataDir);
  const model = defaultModels()[0]!;
  await connection.run(`ATTACH '${path.join(stateDir, 'backfill.duckdb')}' AS state`);
  await ensureRegistry(connection, 'state');
  await ensureHistory(connection, 'state');
  const first = new Date(Date.parse(`${asOf}T00:00:00Z`) - (weeks - 1) * 7 * 86_400_000);
  const dates = datesBack(first.toISOString().slice(0, 10), asOf, 7);
  const result = await backfillScores(connection, 'state', {
    batchDates: batchSizeFor(await accountCount(connection)),
    model,
    asOf: dates,
    tables,
    trigger: 'bench',
    now: () => new Date(),
  });
  connection.closeSync();
  db.closeSync();
  return { dates: result.dates, scoreRows: result.accounts };
}

/** The lab at the default settings: monthly snapshots (up to 24), a 90-day horizon. */
async function labBench(kind: 'backtest' | 'fit' | 'compare', dataDir: string) {
  const { db, connection, tables } = await openData(dataDir);
  const stages: Record<string, number> = {};
  const log = ({ stage, seconds }: { stage: string; seconds: number }) => {
    stages[stage] = Math.round(((stages[stage] ?? 0) + seconds) * 100) / 100;
  };
  const settings = { ...(await defaultBacktestSettings(connection, tables)), tables, log };
  const balanced = defaultModels()[0]!;
  try {
    if (kind === 'backtest') {
      const result = await backtest(connection, balanced, settings);
      return {
        snapshots: result.snapshotDates.length,
        rows: result.counts.evaluated,
        auc: result.overall.rocAuc?.estimate ?? null,
        stages,
      };
    }
    if (kind === 'fit') {
      const result = await fitModel(connection, { ...settings, baseline: balanced });
      return {
        holdoutAuc: result.holdout.fitted.rocAuc?.estimate ?? null,
        newtonIterations: result.logistic.iterations,
        trainRows: result.logistic.trainRows,
        baselineAuc: result.holdout.baseline.rocAuc?.estimate ?? null,
        stages,
      };
    }
    // Three models (balanced, a usage-only variant and a support-heavy variant) plus the baseline.
    const variant = (name: string, keep: string[]) => ({
      ...balanced,
      name,
      components: balanced.components.filter((component) => keep.includes(component.key)),
    });
    const result = await compare(
      connection,
      [
        balanced,
        variant('usage-only', ['usage']),
        variant('support-financial', ['support', 'financial']),
      ],
      settings,
    );
    return {
      models: result.models.length,
      rows: result.counts.evaluated,
      aucs: result.models.map((model) => model.overall.rocAuc?.estimate ?? null),
      stages,
    };
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

const started = performance.now();
const figures = await run();
const seconds = (performance.now() - started) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMiB, ...figures })}\n`);
