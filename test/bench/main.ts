/**
 * `npm run bench [-- --accounts N --days D --runs R --json FILE]`: the benchmark report.
 * Each measurement runs in a fresh child process; medians over the runs are reported together
 * with the machine they were taken on. Nothing here is asserted: these machines are shared.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import type { loadBench } from './load.ts';
import { describeMachine, median } from './machine.ts';

const run = promisify(execFile);
const WORKER = path.join(import.meta.dirname, 'worker.ts');

interface Sample {
  seconds: number;
  maxRssMiB: number;
  [key: string]: unknown;
}

async function measure(task: string, args: string[]): Promise<Sample> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', WORKER, task, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, TZ: 'UTC' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Sample;
}

async function repeat(times: number, task: string, args: () => Promise<string[]>) {
  const samples: Sample[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure(task, await args()));
  return {
    runs: samples.length,
    medianSeconds: median(samples.map((sample) => sample.seconds)),
    medianMaxRssMiB: median(samples.map((sample) => sample.maxRssMiB)),
    last: samples.at(-1)!,
  };
}

const program = new Command('bench')
  .option('--accounts <n>', 'accounts in the large dataset', '50000')
  .option('--days <n>', 'days in every dataset', '730')
  .option('--runs <n>', 'repetitions for the default-size measurements', '3')
  .option('--json <file>', 'also write the report as JSON to this file')
  .parse();
const options = program.opts<{ accounts: string; days: string; runs: string; json?: string }>();

const machine = await describeMachine();
const endDate = '2026-06-30';
const work = await mkdtemp(path.join(os.tmpdir(), 'vitals-bench-'));
const report: Record<string, unknown> = { machine, endDate };
try {
  const sizes = [
    { label: 'default', accounts: '5000', runs: Number(options.runs) },
    { label: 'large', accounts: options.accounts, runs: 1 },
  ];
  const rows: string[][] = [];
  for (const size of sizes) {
    const dir = path.join(work, size.label);
    const demo = await repeat(size.runs, 'demo', async () => {
      await rm(dir, { recursive: true, force: true });
      return [size.accounts, options.days, endDate, dir];
    });
    const check = await repeat(size.runs, 'check', async () => [dir, '2026-07-01']);
    const stateDir = path.join(work, `${size.label}-state`);
    await mkdir(stateDir, { recursive: true });
    const score = await repeat(1, 'score', async () => [dir, stateDir, '3']);
    const backfill = await repeat(1, 'backfill', async () => [dir, stateDir, '104']);
    // Short data (a small --days) can be too short to fit or backtest: that is reported, not fatal.
    const lab: Record<string, Awaited<ReturnType<typeof repeat>> | { error: string }> = {};
    for (const name of ['backtest', 'fit', 'compare']) {
      lab[name] = await repeat(1, name, async () => [dir]).catch((error: { stderr?: string }) => ({
        error:
          (error.stderr ?? String(error)).split('\n').find((line) => line.includes('Error:')) ??
          'failed',
      }));
    }
    // The dashboards with the large portfolio: the server scores it on start, then the API is
    // loaded lightly and Chromium fills and sorts the accounts table.
    const web =
      size.label === 'large'
        ? await measure('web', [dir]).catch((error: { stderr?: string }) => ({
            error:
              (error.stderr ?? String(error)).split('\n').find((l) => l.includes('Error')) ??
              'failed',
          }))
        : null;
    // Load: 50 signed-in connections for 30 s on the dashboard mix, against a server of its own.
    const load =
      size.label === 'large'
        ? await measure('load', [dir, '30', '50']).catch((error: { stderr?: string }) => ({
            error:
              (error.stderr ?? String(error)).split('\n').find((l) => l.includes('Error')) ??
              'failed',
          }))
        : null;
    report[size.label] = {
      lab,
      web,
      load,
      accounts: Number(size.accounts),
      days: Number(options.days),
      demo,
      check,
      score,
      backfill,
    };
    const scored = score.last as Sample & {
      accounts: number;
      floorSeconds: number;
      scoreSeconds: number;
      scoreAndStoreSeconds: number;
      rowsRead: number;
    };
    const mb = ((demo.last.totalBytes as number) / 1e6).toFixed(1);
    const label = `${size.accounts} x ${options.days}`;
    rows.push([
      `demo ${label}`,
      demo.medianSeconds.toFixed(2),
      demo.medianMaxRssMiB.toFixed(0),
      `${mb} MB Parquet`,
      String(size.runs),
    ]);
    rows.push([
      `check-data ${label}`,
      check.medianSeconds.toFixed(2),
      check.medianMaxRssMiB.toFixed(0),
      `ok=${String(check.last.ok)}`,
      String(size.runs),
    ]);
    rows.push([
      `floor read, one date ${label}`,
      scored.floorSeconds.toFixed(3),
      '',
      `${scored.rowsRead.toLocaleString('en-US')} rows`,
      '3',
    ]);
    rows.push([
      `score one date ${label}`,
      scored.scoreSeconds.toFixed(3),
      score.medianMaxRssMiB.toFixed(0),
      `${scored.accounts.toLocaleString('en-US')} accounts, ${(scored.scoreSeconds / scored.floorSeconds).toFixed(1)}x floor`,
      '3',
    ]);
    rows.push([
      `score + store one date ${label}`,
      scored.scoreAndStoreSeconds.toFixed(3),
      '',
      'into the state database',
      '3',
    ]);
    rows.push([
      `backfill 104 weekly dates ${label}`,
      backfill.medianSeconds.toFixed(2),
      backfill.medianMaxRssMiB.toFixed(0),
      `${(backfill.last.scoreRows as number).toLocaleString('en-US')} score rows`,
      '1',
    ]);
    for (const [name, measured] of Object.entries(lab)) {
      if ('error' in measured) {
        rows.push([`lab ${name} ${label}`, '-', '-', measured.error.trim().slice(0, 80), '1']);
        continue;
      }
      rows.push([
        `lab ${name}, monthly x 90-day horizon ${label}`,
        measured.medianSeconds.toFixed(2),
        measured.medianMaxRssMiB.toFixed(0),
        name === 'compare' ? '3 models + equal-weights baseline' : '',
        '1',
      ]);
    }
    if (web && !('error' in web)) {
      const figures = web as Sample & {
        firstLoadGzipKiB: number;
        lazyGzipKiB: number;
        accounts: number;
        api: Record<string, { p50: number; p95: number; failures: number }>;
        browser: { tableFillMs: { median: number }; sortMs: { median: number } };
      };
      rows.push([
        'first-load JavaScript before vega (gzip)',
        '',
        '',
        `${figures.firstLoadGzipKiB.toFixed(1)} KiB; lazy chunks ${figures.lazyGzipKiB.toFixed(0)} KiB`,
        '1',
      ]);
      rows.push([
        `accounts table filled in Chromium ${label}`,
        (figures.browser.tableFillMs.median / 1000).toFixed(3),
        '',
        `${figures.accounts.toLocaleString('en-US')} rows; a sort ${figures.browser.sortMs.median.toFixed(0)} ms`,
        '3',
      ]);
      for (const [name, latency] of Object.entries(figures.api)) {
        rows.push([
          `API ${name} under light load ${label}`,
          '',
          '',
          `p50 ${latency.p50.toFixed(0)} ms, p95 ${latency.p95.toFixed(0)} ms, ${latency.failures} failed`,
          '1',
        ]);
      }
    } else if (web) {
      rows.push([`web ${label}`, '-', '-', String(web.error).slice(0, 80), '1']);
    }
    if (load && !('error' in load)) {
      const figures = load as unknown as Awaited<ReturnType<typeof loadBench>>;
      const { latencyMs: latency, rssMiB: rss } = figures;
      rows.push([
        `load: ${figures.connections} connections x ${figures.seconds} s, dashboard mix ${label}`,
        '',
        rss.after.toFixed(0),
        `${figures.requestsPerSecond.toFixed(0)} req/s; p50 ${latency.p50} ms, p99 ${latency.p99} ms; ` +
          `${figures.errors + figures.timeouts + figures.non2xx} errors; RSS ${rss.before.toFixed(0)} -> ${rss.after.toFixed(0)} MiB (${(100 * rss.growth).toFixed(1)}%)`,
        '1',
      ]);
    } else if (load) {
      rows.push([`load ${label}`, '-', '-', String(load.error).slice(0, 80), '1']);
    }
  }
  // Seasonality: a three-year demo, so that the last full December has two years of history
  // before it (for the yearly factors) and 90 days of outcomes after it.
  const seasonalDir = path.join(work, 'seasonal');
  await measure('demo', ['5000', '1095', endDate, seasonalDir]);
  const seasonal = await measure('seasonal', [seasonalDir]);
  const decompose = {
    weekly: await measure('decompose', [seasonalDir, '1000', '730']),
    yearly: await measure('decompose', [seasonalDir, '1000', '731']),
  };
  report.seasonal = { accounts: 5000, days: 1095, ...seasonal, decompose };
  const alarms = seasonal.alarms as Record<
    'raw' | 'adjusted',
    { turned: number; falseAlarms: number }
  >;
  const backtest = seasonal.backtest as {
    rawAuc: { estimate: number } | null;
    adjustedAuc: { estimate: number } | null;
    pairedDifference: { estimate: number; low: number | null; high: number | null } | null;
  };
  const diff = backtest.pairedDifference;
  rows.push([
    `December ${String(seasonal.december)} false alarms, balanced raw vs adjusted usage, 5000 x 1095`,
    '',
    '',
    `${alarms.raw.falseAlarms} vs ${alarms.adjusted.falseAlarms} (${(100 * (seasonal.falseAlarmReduction as number)).toFixed(0)}% fewer)`,
    '1',
  ]);
  rows.push([
    'backtest AUC, balanced raw vs adjusted usage, 5000 x 1095',
    '',
    '',
    `${backtest.rawAuc?.estimate.toFixed(4)} vs ${backtest.adjustedAuc?.estimate.toFixed(4)}, paired difference ${diff?.estimate.toFixed(4)} [${diff?.low?.toFixed(4)}, ${diff?.high?.toFixed(4)}]`,
    '1',
  ]);
  for (const [name, run] of Object.entries(decompose)) {
    rows.push([
      `decompose 1000 account series of ${String(run.points)} days`,
      run.seconds.toFixed(2),
      run.maxRssMiB.toFixed(0),
      `${name}: periods ${(run.periods as number[]).join(', ')}`,
      '1',
    ]);
  }
  const header = ['measurement', 'median s', 'peak RSS MiB', 'note', 'runs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  process.stdout.write(
    `Vitals bench on ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}; Node ${machine.node}, DuckDB ${machine.duckdb}\n\n`,
  );
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  if (options.json) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
