import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import type { Model } from '../model/spec.ts';
import { BACKTEST_ENGINE_VERSION } from './cache-key.ts';
import { definitions } from './definitions.ts';
import { evaluateModels, prepareRun, type Evaluation } from './evaluate.ts';
import { resolveDataEnd } from './labels.ts';
import type { BacktestResult } from './schema.ts';
import {
  backtestSettingsSchema,
  parseSettings,
  snapshotDates,
  type BacktestSettingsInput,
  type ResolvedSettings,
} from './settings.ts';
import { withRunTables, type Progress, type RunTables, type StageLog } from './tables.ts';

export type BacktestOptions = BacktestSettingsInput & {
  /** The tables present in the database (views named as the tables). */
  tables: Iterable<TableName>;
  /** Told how long each stage took (metrics, labels, scoring, statistics). */
  log?: StageLog;
  /** Told how far the run is, stage by stage (for a progress bar). */
  progress?: Progress;
};

/** Parses the settings part of options and resolves the last day of data. */
export async function resolveSettings(
  connection: DuckDBConnection,
  options: BacktestOptions,
): Promise<{ settings: ResolvedSettings; tables: TableName[]; dates: string[] }> {
  const { tables, log: _log, progress: _progress, ...input } = options;
  const parsed = parseSettings(backtestSettingsSchema, input);
  const present = [...tables];
  const dataEnd = await resolveDataEnd(connection, present, parsed);
  return { settings: { ...parsed, dataEnd }, tables: present, dates: snapshotDates(parsed) };
}

/**
 * Runs settings-resolved work on temp tables that are dropped afterwards: metric values for every
 * snapshot computed once, labels, then the models scored from them and evaluated.
 */
export async function runEvaluation(
  connection: DuckDBConnection,
  models: readonly Model[],
  resolved: { settings: ResolvedSettings; tables: TableName[]; dates: string[] },
  options: {
    log?: StageLog | undefined;
    progress?: Progress | undefined;
    after?: (evaluation: Evaluation, run: RunTables) => Promise<void>;
  } = {},
): Promise<Evaluation> {
  const { after, log, progress } = options;
  return withRunTables(
    connection,
    async (run) => {
      const { settings, tables, dates } = resolved;
      const prepared = await prepareRun(connection, run, {
        models,
        dates,
        tables,
        horizon: settings.horizon,
        dataEnd: settings.dataEnd,
      });
      const evaluation = await evaluateModels(connection, run, prepared, {
        models,
        dates,
        tables,
        settings,
      });
      if (after) await after(evaluation, run);
      return evaluation;
    },
    log,
    progress,
  );
}

/**
 * Backtests a model: scores every account active at each snapshot date with the point-in-time
 * rule, labels each snapshot by whether the account churned within the horizon, and reports how
 * well the scores ranked and banded the churn that followed (see `definitions` in the result).
 * Scoring and labelling run in DuckDB; only score, label, account, segment, band and ARR of the
 * evaluated rows come into JS, as typed arrays, for the statistics.
 */
export async function backtest(
  connection: DuckDBConnection,
  model: Model,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const resolved = await resolveSettings(connection, options);
  const evaluation = await runEvaluation(connection, [model], resolved, {
    log: options.log,
    progress: options.progress,
  });
  const evaluated = evaluation.models[0]!;
  return {
    kind: 'backtest',
    engine: BACKTEST_ENGINE_VERSION,
    model: { name: model.name, hash: evaluated.hash },
    settings: resolved.settings,
    snapshotDates: evaluation.dates,
    counts: evaluation.counts,
    perDate: evaluation.perDate,
    overall: evaluated.overall,
    segments: evaluated.segments,
    definitions: definitions(resolved.settings),
    warnings: evaluation.warnings,
  };
}
