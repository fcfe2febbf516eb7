import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import type { SqlParams } from '../run.ts';
import { assertIsoDates } from '../sql.ts';
import { getMetric } from './catalog.ts';
import { seasonalSource, SOURCES, type Source } from './sources.ts';
import type { Aggregate, MetricDef, MetricRequest, SourceTable } from './types.ts';

export interface MetricsRequest {
  /** Metric names, or requests with a seasonal adjustment flag. Duplicates are merged. */
  metrics: readonly (string | MetricRequest)[];
  /** The dates T, YYYY-MM-DD. */
  asOf: readonly string[];
  /** The tables present in the database (views named as the tables). */
  tables: Iterable<TableName>;
}

/** One output column `m<i>` of the metric relation and the metric it holds. */
export interface MetricColumn {
  alias: string;
  metric: string;
  seasonalAdjust: boolean;
  /** The metric name, with `@seasonal` appended for a seasonally adjusted request. */
  label: string;
}

/**
 * The metric relation as SQL: `account_id, as_of, segment, m0, m1, ...`, one row per account
 * active at each date (started on or before T, no churn on or before T). `ctes` and `select` let
 * the scoring SQL embed it; `sql` runs it alone. Every value is bound through `params`.
 */
export interface MetricsSql {
  ctes: string[];
  select: string;
  sql: string;
  params: SqlParams;
  columns: MetricColumn[];
  /** The signal tables the query reads (accounts and outcomes are always read). */
  tablesRead: SourceTable[];
  warnings: string[];
}

export interface UnavailableMetric {
  metric: string;
  missingTables: TableName[];
}

/** Metrics whose tables are not all present. */
export function unavailableMetrics(
  metrics: readonly string[],
  tables: Iterable<TableName>,
): UnavailableMetric[] {
  const present = new Set(tables);
  return metrics.flatMap((metric) => {
    const missingTables = getMetric(metric).tables.filter((table) => !present.has(table));
    return missingTables.length > 0 ? [{ metric, missingTables }] : [];
  });
}

export function unavailableMessage(list: readonly UnavailableMetric[]): string {
  return list
    .map(
      ({ metric, missingTables }) =>
        `metric "${metric}" needs table ${missingTables.join(' and ')}, which ${missingTables.length > 1 ? 'are' : 'is'} not in the data`,
    )
    .join('; ');
}

function requireCoreTables(present: ReadonlySet<TableName>): void {
  const missing = (['accounts', 'outcomes'] as const).filter((table) => !present.has(table));
  if (missing.length > 0) {
    throw new LabError(
      'missing_required_table',
      `metrics need the required table${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}`,
      { tables: missing },
    );
  }
}

const labelOf = (request: Required<MetricRequest>) =>
  request.seasonalAdjust ? `${request.metric}@seasonal` : request.metric;

function mergeRequests(metrics: MetricsRequest['metrics']): Required<MetricRequest>[] {
  const byLabel = new Map<string, Required<MetricRequest>>();
  for (const item of metrics) {
    const request =
      typeof item === 'string'
        ? { metric: item, seasonalAdjust: false }
        : { metric: item.metric, seasonalAdjust: item.seasonalAdjust ?? false };
    if (!byLabel.has(labelOf(request))) byLabel.set(labelOf(request), request);
  }
  return [...byLabel.values()];
}

interface Group {
  name: string;
  source: Source;
  scope: 'account' | 'portfolio';
  /** The longest lookback of its aggregates; null: all history. */
  lookback: number | null;
  aggregates: { alias: string; aggregate: Aggregate }[];
}

/** Collects aggregates into one group per table (and scope), sharing identical aggregates. */
class AggregatePlanner {
  readonly groups = new Map<string, Group>();
  readonly params: SqlParams = {};
  private readonly aliases = new Map<string, string>();
  private readonly paramNames = new Map<string, string>();

  /** Adds an aggregate and returns its column reference, e.g. `agg_usage_daily.a3`. */
  add(aggregate: Aggregate, source: Source): string {
    const bound = this.bind(aggregate);
    const scope = bound.scope ?? 'account';
    const name = `agg_${source.table}${scope === 'portfolio' ? '_portfolio' : ''}`;
    const key = JSON.stringify([
      name,
      bound.lookbackDays,
      bound.call,
      bound.where ?? null,
      bound.prefilter ?? null,
    ]);
    let group = this.groups.get(name);
    if (!group) {
      group = { name, source, scope, lookback: bound.lookbackDays, aggregates: [] };
      this.groups.set(name, group);
    }
    let alias = this.aliases.get(key);
    if (!alias) {
      alias = `a${this.aliases.size}`;
      this.aliases.set(key, alias);
      group.aggregates.push({ alias, aggregate: bound });
      if (group.lookback !== null) {
        group.lookback =
          bound.lookbackDays === null ? null : Math.max(group.lookback, bound.lookbackDays);
      }
    }
    return `${name}.${alias}`;
  }

  /** Replaces `$key` parameter references by unique parameter names and records their values. */
  private bind(aggregate: Aggregate): Aggregate {
    if (!aggregate.params) return aggregate;
    let { call, where, prefilter } = aggregate;
    for (const [key, value] of Object.entries(aggregate.params)) {
      let param = this.paramNames.get(value);
      if (!param) {
        param = `p${this.paramNames.size}`;
        this.paramNames.set(value, param);
        this.params[param] = value;
      }
      const reference = new RegExp(`\\$${key}\\b`, 'g');
      call = call.replace(reference, `$${param}`);
      where = where?.replace(reference, `$${param}`);
      prefilter = prefilter?.replace(reference, `$${param}`);
    }
    const { params: _params, ...rest } = aggregate;
    return {
      ...rest,
      call,
      ...(where === undefined ? {} : { where }),
      ...(prefilter === undefined ? {} : { prefilter }),
    };
  }
}

function groupCte(group: Group): string {
  const { source, lookback } = group;
  const window = (days: number) => `t.${source.date} > d.as_of - ${days}`;
  const columns = group.aggregates.map(({ alias, aggregate }) => {
    const conditions = [
      ...(aggregate.where ? [`(${aggregate.where})`] : []),
      ...(aggregate.lookbackDays !== null && aggregate.lookbackDays !== lookback
        ? [window(aggregate.lookbackDays)]
        : []),
    ];
    const filter = conditions.length > 0 ? ` FILTER (WHERE ${conditions.join(' AND ')})` : '';
    return `    ${aggregate.call}${filter} AS ${alias}`;
  });
  const keys = group.scope === 'account' ? 't.account_id, d.as_of' : 'd.as_of';
  const rowFilters = group.aggregates.map(({ aggregate }) => aggregate.prefilter);
  const distinctRowFilters = [...new Set(rowFilters)];
  // Bound constants, not subqueries, so that scans can skip row groups by their min/max.
  // A timestamp column is compared as it is stored (a cast would hide the bound from the scan):
  // its day is <= L exactly when it is before the start of L + 1, and > F - n when at or after
  // the start of F - n + 1.
  const preFilter = [
    source.rawTimestamp
      ? `${source.rawTimestamp} < CAST($last_as_of AS DATE) + 1`
      : `${source.rawDate} <= CAST($last_as_of AS DATE)`,
    ...(lookback === null
      ? []
      : [
          source.rawTimestamp
            ? `${source.rawTimestamp} >= CAST($first_as_of AS DATE) - ${lookback - 1}`
            : `${source.rawDate} > CAST($first_as_of AS DATE) - ${lookback}`,
        ]),
    ...(rowFilters.every((filter) => filter !== undefined)
      ? [`(${distinctRowFilters.join(' OR ')})`]
      : []),
  ];
  const on = [`t.${source.date} <= d.as_of`, ...(lookback === null ? [] : [window(lookback)])];
  return `${group.name} AS (
  SELECT ${keys},
${columns.join(',\n')}
  FROM as_of_dates d
  JOIN (
    SELECT ${source.columns}
    FROM ${source.table}
    WHERE ${preFilter.join('\n      AND ')}
  ) t ON ${on.join(' AND ')}
  GROUP BY ${keys}
)`;
}

/** The dates, and the accounts active at each: started on or before T and not churned by T. */
export const SNAPSHOT_CTES = [
  `as_of_dates AS (
  SELECT DISTINCT unnest(CAST($as_of AS DATE[])) AS as_of
)`,
  `churn AS (
  SELECT account_id, min(event_date) AS churned_on
  FROM outcomes
  WHERE event = 'churned'
  GROUP BY account_id
)`,
  `snapshots AS (
  SELECT a.account_id, d.as_of, a.segment, a.start_date
  FROM as_of_dates d
  JOIN accounts a ON a.start_date <= d.as_of
  LEFT JOIN churn c ON c.account_id = a.account_id
  WHERE c.churned_on IS NULL OR c.churned_on > d.as_of
)`,
];

/**
 * Builds one query computing every requested metric for every account active at each date.
 * Each table is read once: one CTE per table range-joins the dates to the table's rows within
 * the longest lookback its metrics need and computes all of that table's aggregates with FILTER
 * clauses; the final SELECT joins those per-table results to the snapshots.
 * Throws `unknown_metric` for a name outside the catalog and `metric_unavailable` (naming every
 * metric and table) when a metric's table is absent, rather than returning zeros.
 */
export function buildMetricsSql(request: MetricsRequest): MetricsSql {
  assertIsoDates(request.asOf);
  const present = new Set(request.tables);
  requireCoreTables(present);
  const requests = mergeRequests(request.metrics);
  const defs = new Map<string, MetricDef>(requests.map((r) => [r.metric, getMetric(r.metric)]));
  const unavailable = unavailableMetrics([...defs.keys()], present);
  if (unavailable.length > 0) {
    throw new LabError('metric_unavailable', unavailableMessage(unavailable), { unavailable });
  }

  const planner = new AggregatePlanner();
  const warnings: string[] = [];
  const columns: MetricColumn[] = [];
  const values = requests.map((item, index) => {
    const def = defs.get(item.metric)!;
    if (item.seasonalAdjust && !def.seasonal) {
      throw new LabError(
        'invalid_request',
        `metric "${def.name}" has no seasonally adjusted variant (only daily usage series have one)`,
      );
    }
    const refs: Record<string, string> = {};
    for (const [name, aggregate] of Object.entries(def.aggregates)) {
      const adjusted = item.seasonalAdjust ? seasonalSource(aggregate.table) : null;
      refs[name] = planner.add(aggregate, adjusted ?? SOURCES[aggregate.table]);
    }
    const aggregates = Object.values(def.aggregates);
    if (item.seasonalAdjust && aggregates.some((a) => !seasonalSource(a.table))) {
      warnings.push(
        `seasonal adjustment of "${def.name}" is not available yet; raw values are used`,
      );
    }
    const alias = `m${index}`;
    columns.push({
      alias,
      metric: def.name,
      seasonalAdjust: item.seasonalAdjust,
      label: labelOf(item),
    });
    return `  CAST(${def.value(refs)} AS DOUBLE) AS ${alias}`;
  });

  const groups = [...planner.groups.values()];
  const sorted = [...request.asOf].sort();
  const joins = groups.map((group) =>
    group.scope === 'account'
      ? `LEFT JOIN ${group.name} ON ${group.name}.account_id = s.account_id AND ${group.name}.as_of = s.as_of`
      : `LEFT JOIN ${group.name} ON ${group.name}.as_of = s.as_of`,
  );
  const ctes = [...SNAPSHOT_CTES, ...groups.map(groupCte)];
  const select = [
    'SELECT s.account_id, s.as_of, s.segment' + (values.length > 0 ? ',' : ''),
    values.join(',\n'),
    'FROM snapshots s',
    ...joins,
  ]
    .filter((line) => line !== '')
    .join('\n');
  const sql = `WITH ${ctes.join(',\n')}\n${select}`;
  const params: SqlParams = {
    as_of: [...request.asOf],
    first_as_of: sorted[0]!,
    last_as_of: sorted.at(-1)!,
    ...planner.params,
  };
  // Only parameters the text uses: binding an unused one is an error.
  for (const name of Object.keys(params)) {
    if (!new RegExp(`\\$${name}\\b`).test(sql)) delete params[name];
  }
  return {
    ctes,
    select,
    sql,
    params,
    columns,
    tablesRead: [...new Set(groups.map((group) => group.source.table))],
    warnings,
  };
}
