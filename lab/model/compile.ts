import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import {
  buildMetricsSql,
  unavailableMetrics,
  unavailableMessage,
  type MetricColumn,
  type MetricsSql,
} from '../metrics/build-sql.ts';
import type { SqlParams } from '../run.ts';
import { quoteTableName, sqlNumber } from '../sql.ts';
import { normalizeSql, percentileCte, percentileKeys } from './normalize.ts';
import type { Model } from './spec.ts';
import { weightProfiles, type WeightProfile } from './weights.ts';

/** One metric of one component, and the columns of the wide relation that describe it. */
export interface CompiledEntry {
  position: number;
  component: string;
  metric: string;
  seasonalAdjust: boolean;
  /** Column names in the wide relation. */
  raw: string;
  normalized: string;
  weight: string;
  contribution: string;
  missing: string;
}

export interface CompiledComponent {
  position: number;
  key: string;
  score: string;
  weight: string;
}

/**
 * A model compiled to one SQL query (the "wide" relation): one row per account active at each
 * date with `account_id, as_of, segment, score, band, reason, missing_metrics` and, per entry and
 * component, the generated columns listed in `entries` and `components` (aliases are generated;
 * component keys and metric names never become SQL identifiers).
 */
export interface CompiledModel {
  sql: string;
  params: SqlParams;
  entries: CompiledEntry[];
  components: CompiledComponent[];
  metrics: MetricsSql;
  warnings: string[];
}

/** A CASE over the account's weight profile, collapsing branches equal to the default. */
function profileCase(profiles: readonly WeightProfile[], pick: (p: WeightProfile) => number) {
  const fallback = pick(profiles[0]!);
  const branches = profiles
    .slice(1)
    .map((profile, index) => ({ index: index + 1, value: pick(profile) }))
    .filter((branch) => branch.value !== fallback);
  if (branches.length === 0) return `CAST(${sqlNumber(fallback)} AS DOUBLE)`;
  const whens = branches.map((b) => `WHEN ${b.index} THEN ${sqlNumber(b.value)}`).join(' ');
  return `CAST(CASE profile ${whens} ELSE ${sqlNumber(fallback)} END AS DOUBLE)`;
}

const sum = (terms: readonly string[]) => (terms.length > 0 ? terms.join(' + ') : '0');

function checkAvailable(model: Model, tables: Iterable<TableName>): void {
  const names = [...new Set(model.components.flatMap((c) => c.metrics.map((m) => m.metric)))];
  const unavailable = unavailableMetrics(names, tables);
  if (unavailable.length === 0) return;
  const where = (metric: string) =>
    model.components.flatMap((component, c) =>
      component.metrics.flatMap((entry, m) =>
        entry.metric === metric ? [`components[${c}].metrics[${m}]`] : [],
      ),
    );
  throw new LabError(
    'metric_unavailable',
    `model "${model.name}" cannot be scored: ${unavailableMessage(unavailable)}`,
    { unavailable: unavailable.map((u) => ({ ...u, paths: where(u.metric) })) },
  );
}

/**
 * Metric values computed earlier into a table (the relation of buildMetricsSql: `account_id,
 * as_of, segment` and one column per metric), so that several models scored on the same dates
 * share one metric computation (backtests, comparisons, fits). `columns` says which column holds
 * which metric; every metric the model needs must be among them.
 */
export interface MetricSource {
  table: string;
  columns: readonly MetricColumn[];
}

const PLAIN_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The metric_values CTE over a precomputed metric table, restricted to the requested dates. */
function metricSourceCte(source: MetricSource, wanted: readonly MetricColumn[]): string {
  const select = wanted.map((column) => {
    const found = source.columns.find(
      (c) => c.metric === column.metric && c.seasonalAdjust === column.seasonalAdjust,
    );
    if (!found) {
      throw new LabError(
        'invalid_request',
        `the metric table ${source.table} has no column for metric "${column.label}"`,
        { table: source.table, metric: column.label },
      );
    }
    if (!PLAIN_COLUMN.test(found.alias)) {
      throw new LabError('invalid_request', `"${found.alias}" is not a plain column name`);
    }
    return `"${found.alias}" AS ${column.alias}`;
  });
  return `metric_values AS (
  SELECT account_id, as_of, segment${select.map((item) => `, ${item}`).join('')}
  FROM ${quoteTableName(source.table)}
  WHERE as_of IN (SELECT unnest(CAST($as_of AS DATE[])))
)`;
}

/**
 * Compiles a validated model into SQL over the metric relation for the given dates. With
 * `metricSource` the metric values are read from that table instead of being computed.
 */
export function compileModel(
  model: Model,
  request: {
    asOf: readonly string[];
    tables: Iterable<TableName>;
    metricSource?: MetricSource | undefined;
  },
): CompiledModel {
  const tables = [...request.tables];
  checkAvailable(model, tables);
  const flat = model.components.flatMap((component, c) =>
    component.metrics.map((entry, m) => ({ component, c, entry, m })),
  );
  const metrics = buildMetricsSql({
    metrics: flat.map(({ entry }) => ({
      metric: entry.metric,
      seasonalAdjust: entry.seasonal_adjust,
    })),
    asOf: request.asOf,
    tables,
  });
  const columnOf = (metric: string, seasonalAdjust: boolean) =>
    metrics.columns.find((col) => col.metric === metric && col.seasonalAdjust === seasonalAdjust)!
      .alias;
  const profiles = weightProfiles(model);
  const renormalize = model.missing === 'renormalize';
  const source = request.metricSource;
  const params: SqlParams = source ? { as_of: [...request.asOf] } : { ...metrics.params };
  profiles.slice(1).forEach((profile, index) => (params[`segment_${index}`] = profile.segment!));

  const entries: CompiledEntry[] = flat.map(({ component, entry }, i) => ({
    position: i,
    component: component.key,
    metric: entry.metric,
    seasonalAdjust: entry.seasonal_adjust,
    raw: `r${i}`,
    normalized: `v${i}`,
    weight: `e${i}`,
    contribution: `c${i}`,
    missing: `x${i}`,
  }));
  const components: CompiledComponent[] = model.components.map((component, c) => ({
    position: c,
    key: component.key,
    score: `cs${c}`,
    weight: `ce${c}`,
  }));
  const inComponent = (c: number) => flat.flatMap((item, i) => (item.c === c ? [i] : []));
  // Under `renormalize` a missing metric is dropped; under `neutral` it is used with value 50.
  const used = (i: number) => (renormalize ? `n${i} IS NOT NULL` : 'TRUE');

  const profileSql =
    profiles.length > 1
      ? `CASE mv.segment ${profiles
          .slice(1)
          .map((_, index) => `WHEN $segment_${index} THEN ${index + 1}`)
          .join(' ')} ELSE 0 END`
      : '0';
  // One percentile relation per (metric column, partition), shared by entries that rank the same
  // values the same way (a metric used by several segments' profiles, say).
  const percentiles = new Map<string, { name: string; column: string; keys: string[] }>();
  const percentileOf = flat.map(({ entry }) => {
    const keys = percentileKeys(entry);
    if (!keys) return null;
    const column = columnOf(entry.metric, entry.seasonal_adjust);
    const key = `${column}|${keys.join(',')}`;
    let found = percentiles.get(key);
    if (!found) {
      found = { name: `pct${percentiles.size}`, column, keys };
      percentiles.set(key, found);
    }
    return found;
  });
  const percentileJoins = [...percentiles.values()].map(
    ({ name, column, keys }) =>
      `  LEFT JOIN ${name} ON ${name}.v = mv.${column}${keys.map((k) => ` AND ${name}.${k} IS NOT DISTINCT FROM mv.${k}`).join('')}`,
  );
  const rawColumns = flat.map(
    ({ entry }, i) => `    mv.${columnOf(entry.metric, entry.seasonal_adjust)} AS r${i}`,
  );
  const percentileColumns = flat.flatMap((_, i) => {
    const found = percentileOf[i];
    return found ? [`    ${found.name}.p AS pr${i}`] : [];
  });
  const normalizedColumns = flat.map(
    ({ entry }, i) => `    ${normalizeSql(`r${i}`, entry, `pr${i}`)} AS n${i}`,
  );
  const weightColumns = [
    ...flat.map(({ c, m }, i) => `    ${profileCase(profiles, (p) => p.metrics[c]![m]!)} AS w${i}`),
    ...model.components.map(
      (_, c) => `    ${profileCase(profiles, (p) => p.components[c]!)} AS cw${c}`,
    ),
  ];
  const availableColumns = model.components.map(
    (_, c) =>
      `    ${sum(inComponent(c).map((i) => (renormalize ? `CASE WHEN ${used(i)} THEN w${i} ELSE 0 END` : `w${i}`)))} AS avail${c}`,
  );
  const totalSql = sum(
    model.components.map((_, c) => `CASE WHEN avail${c} > 0 THEN cw${c} ELSE 0 END`),
  );
  const anyValue = flat.map((_, i) => `n${i} IS NOT NULL`).join(' OR ');
  const entryColumns = flat.flatMap(({ c }, i) => [
    `    r${i}`,
    `    ${renormalize ? `n${i}` : `coalesce(n${i}, 50)`} AS v${i}`,
    `    CASE WHEN NOT scorable THEN NULL WHEN ${used(i)} AND avail${c} > 0 THEN cw${c} / total * w${i} / avail${c} ELSE 0 END AS e${i}`,
    `    CASE WHEN n${i} IS NULL THEN '${renormalize ? 'dropped' : 'neutral'}' END AS x${i}`,
  ]);
  const componentColumns = model.components.flatMap((_, c) => [
    `    CASE WHEN scorable AND avail${c} > 0 THEN (${sum(inComponent(c).map((i) => (renormalize ? `CASE WHEN ${used(i)} THEN w${i} * n${i} ELSE 0 END` : `w${i} * coalesce(n${i}, 50)`)))}) / avail${c} END AS cs${c}`,
    `    CASE WHEN NOT scorable THEN NULL WHEN avail${c} > 0 THEN cw${c} / total ELSE 0 END AS ce${c}`,
  ]);
  const contributionColumns = flat.map((_, i) => `    e${i} * coalesce(v${i}, 0) AS c${i}`);
  const { red, yellow } = model.bands;

  const ctes = [
    ...(source
      ? [metricSourceCte(source, metrics.columns)]
      : [...metrics.ctes, `metric_values AS (\n${metrics.select}\n)`]),
    ...[...percentiles.values()].map(({ name, column, keys }) =>
      percentileCte(name, 'metric_values', column, keys),
    ),
    `normalized AS (
  SELECT mv.account_id, mv.as_of, mv.segment,
    ${profileSql} AS profile,
${[...rawColumns, ...percentileColumns].join(',\n')}
  FROM metric_values mv
${percentileJoins.join('\n')}
)`,
    `normalized_values AS (
  SELECT *,
${normalizedColumns.join(',\n')}
  FROM normalized
)`,
    `weighted AS (
  SELECT *,
${weightColumns.join(',\n')}
  FROM normalized_values
)`,
    `available AS (
  SELECT *,
${availableColumns.join(',\n')},
    ${flat.map((_, i) => `CAST(n${i} IS NULL AS INTEGER)`).join(' + ')} AS missing_metrics,
    ${anyValue} AS any_value
  FROM weighted
)`,
    `totals AS (
  SELECT *, total > 0 AND any_value AS scorable
  FROM (SELECT *, ${totalSql} AS total FROM available)
)`,
    `effective AS (
  SELECT account_id, as_of, segment, scorable, any_value, missing_metrics,
${[...entryColumns, ...componentColumns].join(',\n')}
  FROM totals
)`,
    `contributions AS (
  SELECT *,
${contributionColumns.join(',\n')}
  FROM effective
)`,
  ];
  const score = `CASE WHEN scorable THEN ${sum(flat.map((_, i) => `c${i}`))} END`;
  // Bands compare the score rounded to 1e-9, so that a sum of contributions meant to be exactly
  // a threshold (49.99999999999999) lands on the side the threshold says.
  const select = `SELECT account_id, as_of, segment, score,
  CASE WHEN score IS NULL THEN NULL WHEN round(score, 9) < ${sqlNumber(red)} THEN 'red'
    WHEN round(score, 9) < ${sqlNumber(yellow)} THEN 'yellow' ELSE 'green' END AS band,
  CASE WHEN NOT any_value THEN 'no metric has a value'
    WHEN NOT scorable THEN 'only metrics with weight 0 have a value' END AS reason,
  missing_metrics,
${[
  ...entries.map(
    (e) => `  ${e.raw}, ${e.normalized}, ${e.weight}, ${e.contribution}, ${e.missing}`,
  ),
  ...components.map((c) => `  ${c.score}, ${c.weight}`),
].join(',\n')}
FROM (SELECT *, ${score} AS score FROM contributions)`;
  return {
    sql: `WITH ${ctes.join(',\n')}\n${select}`,
    params,
    entries,
    components,
    metrics,
    warnings: metrics.warnings,
  };
}
