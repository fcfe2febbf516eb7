import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors.ts';
import type { Model } from '../model/spec.ts';
import { equalWeightsBaseline } from './baseline.ts';
import { resolveSettings, runEvaluation, type BacktestOptions } from './backtest.ts';
import { BACKTEST_ENGINE_VERSION } from './cache-key.ts';
import type { CompareResult } from './compare-schema.ts';
import { comparisonTable } from './compare-table.ts';
import { liftPoints, rocPoints } from './curves.ts';
import { definitions } from './definitions.ts';
import type { Evaluation } from './evaluate.ts';
import { bandMigration, type Migration } from './migration.ts';
import { percentileInterval } from './resample.ts';

export const DEFAULT_MIGRATION_CAP = 100;

export type CompareOptions = BacktestOptions & {
  /** The model the others are compared with in pairedAuc: an index or a name. Default: the first. */
  reference?: number | string;
  /** Accounts listed per migration (the total is always given). Default 100. */
  migrationCap?: number;
};

function referenceIndex(models: readonly Model[], reference: number | string | undefined) {
  if (reference === undefined) return 0;
  const index =
    typeof reference === 'number' ? reference : models.findIndex((m) => m.name === reference);
  if (!Number.isInteger(index) || index < 0 || index >= models.length) {
    throw new LabError(
      'invalid_request',
      `reference ${JSON.stringify(reference)} is not one of the models`,
    );
  }
  return index;
}

/**
 * Backtests several models and an equal-weights baseline over their metrics on identical
 * snapshots: the metrics are computed once for all of them, every model is scored from that one
 * computation, and the figures use only the snapshots every model scored. Intervals and paired
 * AUC differences come from the same account resamples for every model.
 */
export async function compare(
  connection: DuckDBConnection,
  models: readonly Model[],
  options: CompareOptions,
): Promise<CompareResult> {
  if (models.length === 0)
    throw new LabError('invalid_request', 'compare needs at least one model');
  const { reference: referenceOption, migrationCap, ...backtestOptions } = options;
  const reference = referenceIndex(models, referenceOption);
  const cap = migrationCap ?? DEFAULT_MIGRATION_CAP;
  if (!Number.isInteger(cap) || cap < 0) {
    throw new LabError('invalid_request', `migrationCap must be a whole number >= 0, got ${cap}`);
  }
  const baseline = equalWeightsBaseline(models);
  const all = [...models, baseline];
  const resolved = await resolveSettings(connection, backtestOptions);
  const migrations: Migration[] = [];
  const evaluation = await runEvaluation(connection, all, resolved, {
    log: options.log,
    progress: options.progress,
    after: async (result) => {
      const asOf = result.dates.at(-1)!;
      for (let from = 0; from < all.length; from++) {
        for (let to = from + 1; to < all.length; to++) {
          migrations.push(
            await bandMigration(connection, { table: result.table, from, to, asOf, cap }),
          );
        }
      }
    },
  });
  return {
    kind: 'compare',
    engine: BACKTEST_ENGINE_VERSION,
    settings: resolved.settings,
    snapshotDates: evaluation.dates,
    counts: evaluation.counts,
    perDate: evaluation.perDate,
    models: evaluation.models.map((m, index) => ({
      index,
      name: m.model.name,
      hash: m.hash,
      role: index === models.length ? 'baseline' : 'model',
      unscored: m.unscored,
      overall: m.overall,
      segments: m.segments,
    })),
    baseline,
    reference,
    table: comparisonTable(evaluation.models.map((m) => m.overall)),
    pairedAuc: pairedAuc(evaluation, reference),
    curves: {
      roc: evaluation.models.map((m, model) => ({ model, points: rocPoints(m.rows) })),
      lift: evaluation.models.map((m, model) => ({ model, points: liftPoints(m.rows) })),
    },
    migrations,
    definitions: {
      ...definitions(resolved.settings),
      baseline:
        'equal weights over the union of the models metrics, percentile within segment, direction from the first model using each metric',
      pairedAuc:
        'AUC of a model minus the reference AUC on the same rows; the interval takes the difference on each account resample, the same resamples for both',
      migration:
        'accounts active at the last snapshot date by band under one model (rows) and another (columns); unscored is a band of its own',
    },
    warnings: evaluation.warnings,
  };
}

function pairedAuc(evaluation: Evaluation, reference: number): CompareResult['pairedAuc'] {
  const referenceAuc = evaluation.models[reference]!.overall.rocAuc;
  return evaluation.models.map((m, model) => {
    const auc = m.overall.rocAuc;
    if (!auc || !referenceAuc) return { model, reference, difference: null };
    const replicates = evaluation.replicates;
    const differences = replicates
      ? replicates.auc[model]!.map((v, r) => v - replicates.auc[reference]![r]!)
      : null;
    return {
      model,
      reference,
      difference: percentileInterval(auc.estimate - referenceAuc.estimate, differences),
    };
  });
}
