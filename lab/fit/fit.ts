import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import { unavailableMessage, unavailableMetrics } from '../metrics/build-sql.ts';
import { getMetric, listMetrics } from '../metrics/catalog.ts';
import { defaultModels } from '../model/defaults.ts';
import { modelHash } from '../model/hash.ts';
import type { Model } from '../model/spec.ts';
import { fitLogistic, predictLogistic, rocAuc } from '../stats/index.ts';
import { BACKTEST_ENGINE_VERSION } from '../validate/cache-key.ts';
import { definitions } from '../validate/definitions.ts';
import { evaluateModels, prepareRun } from '../validate/evaluate.ts';
import { resolveDataEnd } from '../validate/labels.ts';
import { percentileInterval } from '../validate/resample.ts';
import { parseSettings, snapshotDates, type ResolvedSettings } from '../validate/settings.ts';
import { withRunTables, type Progress, type StageLog } from '../validate/tables.ts';
import { imputedRows, medianOf, pullMatrix } from './matrix.ts';
import { fitSettingsSchema, type FitResult, type FitSettingsInput } from './schema.ts';
import { timeSplit } from './split.ts';
import { modelFromTerms, termsFromFit } from './to-model.ts';

export type FitOptions = FitSettingsInput & {
  tables: Iterable<TableName>;
  /** The model the fit is judged against and takes its bands from. Default: the shipped default. */
  baseline?: Model;
  log?: StageLog;
  /** Told how far the fit is, stage by stage (for a progress bar). */
  progress?: Progress;
};

function checkMetrics(metrics: readonly string[], tables: readonly TableName[]): void {
  metrics.forEach((metric) => getMetric(metric));
  const unavailable = unavailableMetrics(metrics, tables);
  if (unavailable.length > 0) {
    throw new LabError('metric_unavailable', unavailableMessage(unavailable), { unavailable });
  }
}

const aucOrNull = (risk: ArrayLike<number>, labels: Uint8Array) => {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  return positives > 0 && positives < labels.length ? rocAuc(risk, labels) : null;
};

/**
 * Proposes weights from history. Metric values at the snapshot dates come from one computation;
 * the older dates train an L2 logistic regression of churn within the horizon on the metrics
 * (missing values imputed with the training median, features standardised), and the regression
 * becomes an ordinary model (see termsFromFit and modelFromTerms). The newest dates are the
 * holdout, on which the generated model and the baseline are scored by the scoring engine and
 * compared on the same rows, next to the regression's own predictions.
 */
export async function fitModel(
  connection: DuckDBConnection,
  options: FitOptions,
): Promise<FitResult> {
  const { tables, baseline: baselineOption, log, progress, ...input } = options;
  const parsed = parseSettings(fitSettingsSchema, input);
  const present = [...tables];
  const dataEnd = await resolveDataEnd(connection, present, parsed);
  const metrics =
    parsed.metrics ??
    listMetrics(present)
      .filter((m) => m.available)
      .map((m) => m.name);
  checkMetrics(metrics, present);
  const baseline = baselineOption ?? defaultModels()[0]!;
  const split = timeSplit(snapshotDates(parsed), parsed.holdoutShare, parsed.horizon);
  const settings: ResolvedSettings = {
    from: parsed.from,
    to: parsed.to,
    every: parsed.every,
    horizon: parsed.horizon,
    segments: parsed.segments,
    bootstrap: parsed.bootstrap,
    dataEnd,
  };
  return withRunTables(
    connection,
    async (run) => {
      const prepared = await prepareRun(connection, run, {
        models: [baseline],
        extraMetrics: metrics.map((metric) => ({ metric, seasonalAdjust: false })),
        dates: [...split.train, ...split.holdout],
        tables: present,
        horizon: parsed.horizon,
        dataEnd,
      });
      const aliases = metrics.map(
        (metric) =>
          prepared.metrics.columns.find((c) => c.metric === metric && !c.seasonalAdjust)!.alias,
      );
      const train = await run.stage('pull training rows', () =>
        pullMatrix(connection, {
          metricTable: prepared.metrics.table,
          labels: prepared.labels,
          aliases,
          dates: split.train,
          scale: parsed.features,
        }),
      );
      const medians = train.columns.map(medianOf);
      const usable = metrics.flatMap((metric, j) => (medians[j] === null ? [] : [j]));
      const unusable = metrics.flatMap((metric, j) =>
        medians[j] === null ? [{ metric, reason: 'no value in any training row' }] : [],
      );
      const fill = usable.map((j) => medians[j]!);
      const X = imputedRows(
        usable.map((j) => train.columns[j]!),
        fill,
      );
      const fit = await run.stage('logistic regression', async () =>
        fitLogistic(X, train.label, { l2: parsed.l2, standardize: true }),
      );
      const usedMetrics = usable.map((j) => metrics[j]!);
      const terms = termsFromFit(
        usedMetrics,
        fit.coefficients,
        fit.standardizedCoefficients,
        parsed.minWeightShare,
      );
      const model = modelFromTerms(terms, baseline, {
        name: parsed.name,
        description: `Fitted by L2 logistic regression (l2 ${parsed.l2}) of churn within ${parsed.horizon} days on ${usedMetrics.length} metrics at ${split.train.length} snapshot dates (${split.train[0]} to ${split.train.at(-1)}); weights are |standardised coefficients|, directions their signs, metrics under ${(100 * parsed.minWeightShare).toFixed(0)}% of the total dropped; bands from ${baseline.name}.`,
      });
      const evaluation = await evaluateModels(connection, run, prepared, {
        models: [model, baseline],
        dates: split.holdout,
        tables: present,
        settings,
      });
      const holdout = await run.stage('pull holdout rows', () =>
        pullMatrix(connection, {
          metricTable: prepared.metrics.table,
          labels: prepared.labels,
          aliases: usable.map((j) => aliases[j]!),
          dates: split.holdout,
          scale: parsed.features,
          evaluation: evaluation.table,
        }),
      );
      const [fitted, base] = evaluation.models as [
        (typeof evaluation.models)[0],
        (typeof evaluation.models)[0],
      ];
      const replicates = evaluation.replicates;
      const fittedAuc = fitted.overall.rocAuc;
      const baseAuc = base.overall.rocAuc;
      return {
        kind: 'fit',
        engine: BACKTEST_ENGINE_VERSION,
        settings: {
          ...settings,
          metrics,
          holdoutShare: parsed.holdoutShare,
          l2: parsed.l2,
          name: parsed.name,
          minWeightShare: parsed.minWeightShare,
          features: parsed.features,
        },
        model,
        modelHash: modelHash(model),
        baseline: { name: baseline.name, hash: modelHash(baseline) },
        split,
        unusable,
        terms: terms.map((term, k) => {
          const j = usable[k]!;
          const values = train.columns[j]!;
          const missing = values.reduce((sum, v) => sum + (Number.isNaN(v) ? 1 : 0), 0);
          return {
            ...term,
            mean: fit.means[k]!,
            sd: fit.scales[k]!,
            median: medians[j]!,
            missingShare: train.rows > 0 ? missing / train.rows : 0,
          };
        }),
        logistic: {
          intercept: fit.intercept,
          standardizedIntercept: fit.standardizedIntercept,
          l2: fit.l2,
          iterations: fit.iterations,
          converged: fit.converged,
          trainRows: train.rows,
          trainPositives: train.label.reduce((sum, label) => sum + label, 0),
          trainAuc: aucOrNull(predictLogistic(fit, X), train.label),
          holdoutAuc:
            holdout.rows > 0
              ? aucOrNull(predictLogistic(fit, imputedRows(holdout.columns, fill)), holdout.label)
              : null,
        },
        holdout: {
          counts: evaluation.counts,
          fitted: fitted.overall,
          baseline: base.overall,
          aucDifference:
            fittedAuc && baseAuc
              ? percentileInterval(
                  fittedAuc.estimate - baseAuc.estimate,
                  replicates ? replicates.auc[0]!.map((v, r) => v - replicates.auc[1]![r]!) : null,
                )
              : null,
        },
        definitions: {
          ...definitions(settings),
          split: `time-based: the newest ${(100 * parsed.holdoutShare).toFixed(0)}% of the snapshot dates are the holdout; older dates whose ${parsed.horizon}-day label window reaches past the first holdout date are purged, so the fit never sees an outcome of the holdout period`,
          imputation:
            'a missing metric value is replaced by the median of that metric over the training rows (recorded per metric); metrics with no training value are left out',
          weights: `weight = |standardised coefficient| (churn log-odds per standard deviation), normalised to 100 over the kept metrics; direction = higher_is_better when the coefficient is negative; metrics under ${(100 * parsed.minWeightShare).toFixed(0)}% of the total are dropped; components are the metric families; every metric is ranked by percentile within its segment`,
        },
        warnings: evaluation.warnings,
      };
    },
    log,
    progress,
  );
}
