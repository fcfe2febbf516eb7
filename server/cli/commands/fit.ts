import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { withConnection } from '../../../data/duckdb.ts';
import { fitModel } from '../../../lab/fit/index.ts';
import { defaultBacktestSettings } from '../../../lab/validate/index.ts';
import { cliProgress } from '../progress.ts';
import { openCheckedData } from '../dataset.ts';
import { isoDate, positiveInteger, todayUtc } from '../options.ts';
import { printJson } from './models.ts';
import { resolveModel } from './backtest.ts';

interface FitOptions {
  from?: string;
  to?: string;
  every?: number;
  horizon?: number;
  l2: number;
  name: string;
  baseline?: string;
  data: string;
  state: string;
  out?: string;
  json?: boolean;
}

export function fitCommand(): Command {
  return new Command('fit')
    .description(
      'propose weights from history: L2 logistic regression of churn within the horizon on metric values at snapshot dates, fitted on older snapshots and judged on newer ones, turned into an ordinary editable model',
    )
    .option('--from <date>', 'first snapshot date (default: as backtest)', isoDate)
    .option('--to <date>', 'last snapshot date (default: as backtest)', isoDate)
    .option('--every <days>', 'days between snapshots (default 30)', positiveInteger)
    .option('--horizon <days>', 'churn within this many days (default 90)', positiveInteger)
    .option('--l2 <lambda>', 'L2 penalty', Number, 1)
    .option('--name <name>', 'name of the fitted model', 'fitted')
    .option('--baseline <file|hash>', 'model to compare on the holdout (default: production)')
    .option('--data <dir>', 'data folder', process.env.DATA_DIR ?? './data/demo')
    .option('--state <dir>', 'state folder', process.env.STATE_DIR ?? './state')
    .option('--out <file>', 'write the fitted model JSON here (save it with `models save`)')
    .option('--json', 'print the whole fit result as JSON')
    .action(async (options: FitOptions) => {
      const baseline = await resolveModel(options.baseline, options.state);
      const { db, tables } = await openCheckedData(options.data, todayUtc());
      try {
        const reporter = cliProgress('fit');
        const result = await withConnection(db, async (connection) => {
          const defaults = await defaultBacktestSettings(connection, tables);
          return fitModel(connection, {
            from: options.from ?? defaults.from,
            to: options.to ?? defaults.to,
            every: options.every ?? defaults.every,
            horizon: options.horizon ?? defaults.horizon,
            l2: options.l2,
            name: options.name,
            baseline,
            tables,
            progress: reporter.progress,
          });
        }).finally(() => reporter.stop());
        if (options.out) {
          await writeFile(path.resolve(options.out), `${JSON.stringify(result.model, null, 2)}\n`);
          process.stderr.write(`wrote ${path.resolve(options.out)}\n`);
        }
        if (options.json) {
          printJson(result);
          return;
        }
        const kept = result.terms.filter((term) => term.weight !== null && term.weight > 0);
        const auc = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(3));
        const diff = result.holdout.aucDifference;
        process.stdout.write(
          `${result.model.name} (${result.modelHash.slice(0, 12)}): ${kept.length} metrics kept of ${result.terms.length}\n` +
            `holdout ${result.split.holdout[0]} .. ${result.split.holdout.at(-1)}: ROC AUC ${auc(result.holdout.fitted.rocAuc?.estimate)} fitted vs ${auc(result.holdout.baseline.rocAuc?.estimate)} ${result.baseline.name}` +
            (diff
              ? ` (difference ${auc(diff.estimate)} [${auc(diff.low)}, ${auc(diff.high)}])`
              : '') +
            '\n' +
            kept
              .map(
                (term) =>
                  `  ${term.metric.padEnd(36)} ${String(term.weight).padStart(6)}  ${term.direction}`,
              )
              .join('\n') +
            '\n',
        );
      } finally {
        db.closeSync();
      }
    });
}
