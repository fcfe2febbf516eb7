import { Command } from 'commander';
import type { Model } from '../../../lab/model/spec.ts';
import { withConnection } from '../../../data/duckdb.ts';
import {
  compare,
  defaultBacktestSettings,
  type CompareResult,
} from '../../../lab/validate/index.ts';
import { cliProgress } from '../progress.ts';
import { openCheckedData } from '../dataset.ts';
import { isoDate, positiveInteger, todayUtc } from '../options.ts';
import { resolveModel } from './backtest.ts';
import { formatTable, printJson } from './models.ts';

interface CompareOptions {
  model: string[];
  from?: string;
  to?: string;
  every?: number;
  horizon?: number;
  reps: number;
  data: string;
  state: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function render(result: CompareResult): string {
  const names = result.models.map((model) => model.name);
  const cell = (v: { value: number | null; low: number | null; high: number | null }) =>
    v.value === null
      ? '-'
      : v.low === null || v.high === null
        ? v.value.toFixed(3)
        : `${v.value.toFixed(3)} [${v.low.toFixed(3)}, ${v.high.toFixed(3)}]`;
  const table = formatTable(
    ['figure', ...names],
    result.table.map((row) => [row.label, ...row.values.map(cell)]),
  );
  const paired = result.pairedAuc
    .filter((pair) => pair.model !== pair.reference && pair.difference)
    .map(
      (pair) =>
        `AUC ${names[pair.model]} - ${names[pair.reference]}: ${pair.difference!.estimate.toFixed(3)} [${pair.difference!.low?.toFixed(3)}, ${pair.difference!.high?.toFixed(3)}]`,
    );
  return `${result.snapshotDates.length} snapshots ${result.snapshotDates[0]} .. ${result.snapshotDates.at(-1)}, ${result.counts.evaluated} rows\n${table}${paired.join('\n')}\n`;
}

export function compareCommand(): Command {
  return new Command('compare')
    .description(
      'backtest several models and an equal-weights baseline on identical snapshots: every figure side by side, paired AUC differences, curves and band migration',
    )
    .option(
      '--model <file|hash>',
      'a model file or registry hash; repeat for each model (default: production)',
      collect,
      [],
    )
    .option('--from <date>', 'first snapshot date (default: as backtest)', isoDate)
    .option('--to <date>', 'last snapshot date (default: as backtest)', isoDate)
    .option('--every <days>', 'days between snapshots (default 30)', positiveInteger)
    .option('--horizon <days>', 'churn within this many days (default 90)', positiveInteger)
    .option('--reps <n>', 'bootstrap resamples', positiveInteger, 200)
    .option('--data <dir>', 'data folder', process.env.DATA_DIR ?? './data/demo')
    .option('--state <dir>', 'state folder', process.env.STATE_DIR ?? './state')
    .option('--json', 'print the whole comparison as JSON (curves and migrations included)')
    .action(async (options: CompareOptions) => {
      const specs = options.model.length > 0 ? options.model : [undefined];
      const models: Model[] = [];
      for (const spec of specs) models.push(await resolveModel(spec, options.state));
      const { db, tables } = await openCheckedData(options.data, todayUtc());
      try {
        const reporter = cliProgress('compare');
        const result = await withConnection(db, async (connection) => {
          const defaults = await defaultBacktestSettings(connection, tables);
          return compare(connection, models, {
            from: options.from ?? defaults.from,
            to: options.to ?? defaults.to,
            every: options.every ?? defaults.every,
            horizon: options.horizon ?? defaults.horizon,
            bootstrap: { reps: options.reps, seed: 1 },
            tables,
            progress: reporter.progress,
          });
        }).finally(() => reporter.stop());
        if (options.json) printJson(result);
        else process.stdout.write(render(result));
      } finally {
        db.closeSync();
      }
    });
}
