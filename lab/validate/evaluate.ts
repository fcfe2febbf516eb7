import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { compileModel } from '../model/compile.ts';
import { modelHash } from '../model/hash.ts';
import type { Model } from '../model/spec.ts';
import { runStatement } from '../run.ts';
import { quoteTableName } from '../sql.ts';
import { pointFigures, segmentRows, type ModelRows, type PointFigures } from './figures.ts';
import type { PreparedRun } from './prepare.ts';
import { pullRows, runCounts } from './pull.ts';
import {
  bootstrapRankingsParallel,
  percentileInterval,
  toRanking,
  type Interval,
  type Ranking,
  type Replicates,
} from './resample.ts';
import type { Figures, PerDate, RunCounts, SegmentFigures } from './schema.ts';
import type { ResolvedSettings } from './settings.ts';
import type { RunTables } from './tables.ts';
import { stabilityMeasure, timelineFigures, type TimelineFigures } from './timeline.ts';

export { prepareRun, type PreparedRun } from './prepare.ts';

export interface ModelEvaluation {
  model: Model;
  hash: string;
  /** Evaluated rows, riskiest first (for curves and further statistics). */
  rows: ModelRows;
  overall: Figures;
  segments: SegmentFigures[];
  /** Labelled snapshots this model could not score. */
  unscored: number;
}

export interface Evaluation {
  dates: string[];
  counts: RunCounts;
  perDate: PerDate[];
  models: ModelEvaluation[];
  /** Account resamples of the overall rows, the same for every model (null without bootstrap). */
  replicates: Replicates | null;
  /** account_id, as_of, segment, label, churned_on, score_i, band_i per model, evaluated. */
  table: string;
  warnings: string[];
}

/**
 * Scores every model on `dates` from the prepared metrics, joins the scores to the labels and
 * computes every figure. The evaluated rows are the labelled snapshots that every model scored,
 * so all models are judged on identical rows.
 */
export async function evaluateModels(
  connection: DuckDBConnection,
  run: RunTables,
  prepared: PreparedRun,
  request: {
    models: readonly Model[];
    dates: readonly string[];
    tables: readonly TableName[];
    settings: ResolvedSettings;
  },
): Promise<Evaluation> {
  const dates = [...new Set(request.dates)].sort();
  const warnings = new Set(prepared.metrics.warnings);
  const scoreTables: string[] = [];
  for (const model of request.models) {
    const compiled = compileModel(model, {
      asOf: dates,
      tables: request.tables,
      metricSource: prepared.metrics,
    });
    compiled.warnings.forEach((warning) => warnings.add(warning));
    const into = run.name(`scores_${scoreTables.length}`);
    await run.stage(`score ${model.name}`, () =>
      runStatement(
        connection,
        `CREATE OR REPLACE TEMP TABLE ${into} AS
SELECT account_id, as_of,
  -- Rounding can leave a sum of contributions a hair outside 0-100; greatest() skips NULLs.
  CASE WHEN score IS NOT NULL THEN least(greatest(score, 0), 100) END AS score, band
FROM (
${compiled.sql}
)`,
        compiled.params,
      ),
    );
    scoreTables.push(into);
  }
  const table = run.name('evaluation');
  const columns = scoreTables.map((_, i) => `s${i}.score AS score_${i}, s${i}.band AS band_${i}`);
  const joins = scoreTables.map(
    (name, i) =>
      `LEFT JOIN ${name} s${i} ON s${i}.account_id = l.account_id AND s${i}.as_of = l.as_of`,
  );
  const allScored = scoreTables.map((_, i) => `s${i}.score IS NOT NULL`).join(' AND ');
  await runStatement(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${table} AS
SELECT l.*, ${columns.join(', ')}, l.label IS NOT NULL AND ${allScored} AS evaluated
FROM ${quoteTableName(prepared.labels)} l
${joins.join('\n')}
WHERE l.as_of IN (SELECT unnest(CAST($dates AS DATE[])))`,
    { dates },
  );
  const { counts, perDate, unscored } = await runCounts(connection, table, scoreTables.length);
  const models: ModelEvaluation[] = [];
  for (const [index, model] of request.models.entries()) {
    const rows = await run.stage(`pull ${model.name}`, () => pullRows(connection, table, index));
    const timeline = await run.stage(`timeline ${model.name}`, () =>
      timelineFigures(connection, {
        table,
        index,
        every: request.settings.every,
        firstDate: dates[0]!,
      }),
    );
    models.push({
      model,
      hash: modelHash(model),
      rows,
      overall: assemble(
        pointFigures(rows),
        timelineOf(timeline, null, request.settings.every),
        null,
        null,
      ),
      segments: request.settings.segments
        ? prepared.segments.map((segment, s) => ({
            segment,
            ...assemble(
              pointFigures(segmentRows(rows, s)),
              timelineOf(timeline, segment, request.settings.every),
              null,
              null,
            ),
          }))
        : [],
      unscored: unscored[index] ?? 0,
    });
  }
  const replicates = await run.stage('bootstrap', async (tick) =>
    addIntervals(models, request.settings, tick),
  );
  return { dates, counts, perDate, models, replicates, table, warnings: [...warnings] };
}

const EMPTY_TIMELINE = (every: number): TimelineFigures => ({
  redLead: {
    churnedAccounts: 0,
    caught: 0,
    caughtShare: null,
    redEarlierOnly: 0,
    medianDays: null,
    p25Days: null,
    p75Days: null,
    leftCensored: 0,
  },
  redAlerts: { alerts: 0, labelled: 0, churned: 0, precision: null, excluded: 0 },
  stability: {
    intervalDays: every,
    measures: stabilityMeasure(every),
    pairs: 0,
    medianAbsChange: null,
    p90AbsChange: null,
    bandChangeShare: null,
  },
});

function timelineOf(
  figures: Map<string | null, TimelineFigures>,
  key: string | null,
  every: number,
): TimelineFigures {
  return figures.get(key) ?? EMPTY_TIMELINE(every);
}

function assemble(
  point: PointFigures,
  timeline: TimelineFigures,
  auc: Interval | null,
  ap: Interval | null,
): Figures {
  return {
    counts: point.counts,
    churnRate: point.churnRate,
    rocAuc: auc ?? (point.rocAuc === null ? null : percentileInterval(point.rocAuc, null)),
    prAuc: ap ?? (point.prAuc === null ? null : percentileInterval(point.prAuc, null)),
    bands: point.bands,
    topDecile: point.lift[0] ?? null,
    lift: point.lift,
    calibration: point.calibration,
    red: { snapshots: point.redSnapshots, alerts: timeline.redAlerts, lead: timeline.redLead },
    stability: timeline.stability,
  };
}

function distinctAccounts(rows: ModelRows): Int32Array {
  return Int32Array.from(new Set(rows.account));
}

/**
 * Bootstrap intervals for AUC and average precision, overall and per segment, from one set of
 * account resamples shared by every model (so differences are paired) and by every segment. Fills
 * the figures in place and returns the overall replicates (index = model).
 */
async function addIntervals(
  models: ModelEvaluation[],
  settings: ResolvedSettings,
  onRep?: (done: number, total: number) => void,
): Promise<Replicates | null> {
  const { reps, seed } = settings.bootstrap;
  if (reps === 0 || models.length === 0) return null;
  const targets: { figures: Figures; ranking: Ranking }[] = [];
  const add = (figures: Figures, rows: ModelRows) =>
    targets.push({ figures, ranking: toRanking(rows.risk, rows.label, rows.account) });
  for (const m of models) add(m.overall, m.rows);
  for (const m of models) m.segments.forEach((figures, s) => add(figures, segmentRows(m.rows, s)));
  const replicates = await bootstrapRankingsParallel(
    targets.map((target) => target.ranking),
    distinctAccounts(models[0]!.rows),
    { reps, seed, ...(onRep ? { onRep } : {}) },
  );
  targets.forEach(({ figures }, k) => {
    if (figures.rocAuc)
      figures.rocAuc = percentileInterval(figures.rocAuc.estimate, replicates.auc[k]!);
    if (figures.prAuc)
      figures.prAuc = percentileInterval(figures.prAuc.estimate, replicates.ap[k]!);
  });
  return { auc: replicates.auc.slice(0, models.length), ap: replicates.ap.slice(0, models.length) };
}
