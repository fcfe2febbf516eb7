import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { runColumns, runRows, runStatement, type SqlParams } from '../run.ts';
import { quoteTableName } from '../sql.ts';
import { prepareFactorsFor } from '../seasonality/factors.ts';
import { compileModel, type CompiledModel, type MetricSource } from './compile.ts';
import { modelHash } from './hash.ts';
import type { Model } from './spec.ts';

/** Health bands: score < red is red, < yellow is yellow, else green. */
export type Band = 'red' | 'yellow' | 'green';
/** What the missing-value policy did with a metric that had no value. */
export type MissingTreatment = 'neutral' | 'dropped';

export interface ScoreRequest {
  model: Model;
  /** Dates T, YYYY-MM-DD; every account active at T is scored. */
  asOf: readonly string[];
  /** The tables present in the database. */
  tables: Iterable<TableName>;
  /** Read metric values from a table computed earlier instead of computing them. */
  metricSource?: MetricSource | undefined;
}

export interface ComponentScore {
  key: string;
  /** 0-100; null when none of its metrics counted (renormalize) or the score is null. */
  score: number | null;
  /** Effective weight in the score (0-1); weights of an account sum to 1. */
  weight: number | null;
}

export interface MetricScore {
  component: string;
  metric: string;
  raw: number | null;
  /** 0-100 after direction; 50 for a missing metric under `neutral`, null under `renormalize`. */
  normalized: number | null;
  /** Effective weight in the score (0-1): component weight times weight within the component. */
  weight: number | null;
  /** weight * normalized, in score points; the contributions of an account sum to its score. */
  contribution: number | null;
  missing: MissingTreatment | null;
}

export interface ScoreRow {
  account_id: string;
  as_of: string;
  segment: string;
  /** HEALTH score 0-100 (higher is healthier); null when no metric has a value. */
  score: number | null;
  band: Band | null;
  /** Why the score is null. */
  reason: string | null;
  components: ComponentScore[];
  metrics: MetricScore[];
}

export interface ScoreResult {
  model: string;
  modelHash: string;
  missingPolicy: Model['missing'];
  asOf: string[];
  rows: ScoreRow[];
  warnings: string[];
}

type Column = (string | number | null)[];
const num = (value: string | number | null | undefined) => (value ?? null) as number | null;

/** Assembles row i from the wide result's columns. */
function toScoreRow(col: (name: string) => Column, i: number, compiled: CompiledModel): ScoreRow {
  return {
    account_id: col('account_id')[i] as string,
    as_of: col('as_of')[i] as string,
    segment: col('segment')[i] as string,
    score: num(col('score')[i]),
    band: (col('band')[i] ?? null) as Band | null,
    reason: (col('reason')[i] ?? null) as string | null,
    components: compiled.components.map((c) => ({
      key: c.key,
      score: num(col(c.score)[i]),
      weight: num(col(c.weight)[i]),
    })),
    metrics: compiled.entries.map((e) => ({
      component: e.component,
      metric: e.metric,
      raw: num(col(e.raw)[i]),
      normalized: num(col(e.normalized)[i]),
      weight: num(col(e.weight)[i]),
      contribution: num(col(e.contribution)[i]),
      missing: (col(e.missing)[i] ?? null) as MissingTreatment | null,
    })),
  };
}

/**
 * Scores every account active at each date and returns the rows in JS, ordered by date and
 * account. For many dates or accounts prefer scoreModelToTables, which keeps results in DuckDB.
 */
export async function scoreModel(
  connection: DuckDBConnection,
  request: ScoreRequest,
): Promise<ScoreResult> {
  const compiled = compileModel(request.model, request);
  const factorWarnings = request.metricSource
    ? []
    : await prepareFactorsFor(connection, compiled.metrics, request.asOf);
  const sql = `SELECT * REPLACE (strftime(as_of, '%Y-%m-%d') AS as_of)
FROM (
${compiled.sql}
) ORDER BY as_of, account_id`;
  const { length, columns } = await runColumns(connection, sql, compiled.params);
  const col = (name: string) => columns[name] as Column;
  return {
    model: request.model.name,
    modelHash: modelHash(request.model),
    missingPolicy: request.model.missing,
    asOf: [...new Set(request.asOf)].sort(),
    rows: Array.from({ length }, (_, i) => toScoreRow(col, i, compiled)),
    warnings: [...compiled.warnings, ...factorWarnings],
  };
}

/** Names of the result tables to (re)create; any left out is not created. */
export interface ScoreTableNames {
  /** Wide: account_id, as_of, segment, score, band, reason, missing_metrics. */
  scores?: string;
  /** Long: account_id, as_of, segment, position, component, score, weight. */
  components?: string;
  /**
   * Long: account_id, as_of, segment, position, component, metric, raw, normalized, weight,
   * contribution, missing.
   */
  contributions?: string;
  /** Create TEMP tables (default) rather than tables in the database. */
  temporary?: boolean;
}

/**
 * Scores inside DuckDB and leaves the results in tables (created or replaced), so that the
 * server can copy them into its state database and backtests can aggregate them in SQL.
 * Returns how many score rows were written.
 */
export async function scoreModelToTables(
  connection: DuckDBConnection,
  request: ScoreRequest & { into: ScoreTableNames },
): Promise<{ rows: number; warnings: string[] }> {
  const { into } = request;
  const targets = {
    scores: into.scores && quoteTableName(into.scores),
    components: into.components && quoteTableName(into.components),
    contributions: into.contributions && quoteTableName(into.contributions),
  };
  const compiled = compileModel(request.model, request);
  const factorWarnings = request.metricSource
    ? []
    : await prepareFactorsFor(connection, compiled.metrics, request.asOf);
  const create = `CREATE OR REPLACE ${into.temporary === false ? '' : 'TEMP '}TABLE`;
  const wide = `"vitals_wide_${randomUUID().replaceAll('-', '')}"`;
  await runStatement(connection, `CREATE TEMP TABLE ${wide} AS\n${compiled.sql}`, compiled.params);
  try {
    if (targets.scores) {
      await runStatement(
        connection,
        `${create} ${targets.scores} AS
SELECT account_id, as_of, segment, score, band, reason, missing_metrics FROM ${wide}`,
      );
    }
    const longTable = (target: string, structs: string[], params: SqlParams) =>
      runStatement(
        connection,
        `${create} ${target} AS
SELECT account_id, as_of, segment, unnest([
    ${structs.join(',\n    ')}
  ], recursive := true)
FROM ${wide}`,
        params,
      );
    if (targets.components) {
      await longTable(
        targets.components,
        compiled.components.map(
          (c) =>
            `{'position': ${c.position}, 'component': $component_${c.position}, 'score': ${c.score}, 'weight': ${c.weight}}`,
        ),
        Object.fromEntries(compiled.components.map((c) => [`component_${c.position}`, c.key])),
      );
    }
    if (targets.contributions) {
      await longTable(
        targets.contributions,
        compiled.entries.map(
          (e) =>
            `{'position': ${e.position}, 'component': $component_${e.position}, 'metric': $metric_${e.position}, 'raw': ${e.raw}, 'normalized': ${e.normalized}, 'weight': ${e.weight}, 'contribution': ${e.contribution}, 'missing': ${e.missing}}`,
        ),
        Object.fromEntries(
          compiled.entries.flatMap((e) => [
            [`component_${e.position}`, e.component],
            [`metric_${e.position}`, e.metric],
          ]),
        ),
      );
    }
    const [count] = await runRows<{ n: bigint }>(
      connection,
      `SELECT count(*) AS n FROM ${wide}`,
      {},
    );
    return { rows: Number(count!.n), warnings: [...compiled.warnings, ...factorWarnings] };
  } finally {
    await runStatement(connection, `DROP TABLE IF EXISTS ${wide}`);
  }
}
