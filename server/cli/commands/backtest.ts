import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { dataFingerprint } from '../../../data/fingerprint.ts';
import { withConnection } from '../../../data/duckdb.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { parseModel, type Model } from '../../../lab/model/spec.ts';
import {
  productionModel,
  requireModel,
  resolveModelHash,
  storeBacktest,
} from '../../../lab/registry/index.ts';
import {
  backtest,
  defaultBacktestSettings,
  type BacktestResult,
} from '../../../lab/validate/index.ts';
import { cliProgress } from '../progress.ts';
import { openCheckedData } from '../dataset.ts';
import { isoDate, positiveInteger, todayUtc } from '../options.ts';
import { printJson, stateOption, withState } from './models.ts';

interface BacktestOptions {
  model?: string;
  from?: string;
  to?: string;
  every?: number;
  horizon?: number;
  reps: number;
  data: string;
  state: string;
  store: boolean;
  json?: boolean;
}

/**
 * A model file, the name of a shipped model (`balanced`, `balanced-seasonal`), a registry hash
 * (or unique prefix), or, by default, the production model.
 */
export async function resolveModel(spec: string | undefined, stateDir: string): Promise<Model> {
  if (spec && existsSync(spec)) return parseModel(await readFile(spec, 'utf8'));
  const shipped = defaultModels().find((model) => model.name === spec);
  if (shipped) return shipped;
  if (!existsSync(path.resolve(stateDir, 'vitals.duckdb'))) {
    if (spec) throw new Error(`"${spec}" is not a model file, and ${stateDir} holds no registry`);
    return defaultModels()[0]!;
  }
  return withState(stateDir, async ({ connection, schema }) => {
    if (spec)
      return (
        await requireModel(connection, schema, await resolveModelHash(connection, schema, spec))
      ).model;
    return (await productionModel(connection, schema))?.model ?? defaultModels()[0]!;
  });
}

const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : `${(100 * value).toFixed(1)}%`;
const num = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : value.toFixed(3);

function summary(result: BacktestResult): string {
  const o = result.overall;
  const lines = [
    `${result.model.name} (${result.model.hash.slice(0, 12)}): ${result.snapshotDates.length} snapshots ${result.snapshotDates[0]} .. ${result.snapshotDates.at(-1)}, horizon ${result.settings.horizon} days`,
    `  rows ${result.counts.evaluated} evaluated, ${result.counts.positives} churned within the horizon, ${result.counts.excluded} excluded (window past the data)`,
    `  ROC AUC ${num(o.rocAuc?.estimate)} [${num(o.rocAuc?.low)}, ${num(o.rocAuc?.high)}]   PR AUC ${num(o.prAuc?.estimate)} [${num(o.prAuc?.low)}, ${num(o.prAuc?.high)}]`,
    ...o.bands.map(
      (band) =>
        `  ${band.band.padEnd(6)} ${String(band.rows).padStart(8)} rows  churn ${pct(band.churnRate)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function backtestCommand(): Command {
  return new Command('backtest')
    .description(
      'backtest a model against real churn: score every active account at each snapshot date (point in time), label churn within the horizon, report AUCs with intervals, churn by band, lift, red alerts and more; the result is stored in STATE_DIR for the promotion gate',
    )
    .option(
      '--model <file|hash>',
      'a model JSON file or a registry hash/prefix (default: the production model)',
    )
    .option(
      '--from <date>',
      'first snapshot date (default: up to 24 monthly snapshots back from --to)',
      isoDate,
    )
    .option(
      '--to <date>',
      'last snapshot date (default: one horizon before the last day of data)',
      isoDate,
    )
    .option('--every <days>', 'days between snapshots (default 30)', positiveInteger)
    .option('--horizon <days>', 'churn within this many days counts (default 90)', positiveInteger)
    .option('--reps <n>', 'bootstrap resamples for the intervals', positiveInteger, 200)
    .option('--data <dir>', 'data folder', process.env.DATA_DIR ?? './data/demo')
    .addOption(stateOption())
    .option('--no-store', 'do not store the result in STATE_DIR')
    .option('--json', 'print the whole result as JSON')
    .action(async (options: BacktestOptions) => {
      const model = await resolveModel(options.model, options.state);
      const { db, tables } = await openCheckedData(options.data, todayUtc());
      let result: BacktestResult;
      let settings: Record<string, unknown>;
      try {
        const reporter = cliProgress('backtest');
        try {
          result = await withConnection(db, async (connection) => {
            const defaults = await defaultBacktestSettings(connection, tables);
            settings = {
              from: options.from ?? defaults.from,
              to: options.to ?? defaults.to,
              every: options.every ?? defaults.every,
              horizon: options.horizon ?? defaults.horizon,
            };
            return backtest(connection, model, {
              ...(settings as { from: string; to: string; every: number; horizon: number }),
              bootstrap: { reps: options.reps, seed: 1 },
              tables,
              progress: reporter.progress,
            });
          });
        } finally {
          reporter.stop();
        }
      } finally {
        db.closeSync();
      }
      if (options.store) {
        const fingerprint = await dataFingerprint(path.resolve(options.data));
        await withState(options.state, ({ connection, schema }) =>
          storeBacktest(
            connection,
            schema,
            {
              modelHash: result.model.hash,
              dataFingerprint: fingerprint,
              settings: settings!,
              result,
            },
            new Date(),
          ),
        );
        process.stderr.write(`stored in ${options.state} for the promotion gate\n`);
      }
      if (options.json) printJson(result);
      else process.stdout.write(summary(result));
    });
}
