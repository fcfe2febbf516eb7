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
  /**
   * How windowed aggregates are computed (see `bucketedGroupCtes`): `auto` (the default) adds up
   * partial sums when there are several dates and joins each date to its rows when there is one.
   */
  plan?: MetricsPlan;
}

export const METRICS_PLANS = ['auto', 'direct', 'bucketed'] as const;
export type MetricsPlan = (typeof METRICS_PLANS)[number];

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
  /**
   * Whether the query reads seasonally adjusted usage, whose factors must be in place first
   * (lab/seasonality/factors.ts: prepareSeasonalFactors for the same dates, `seasonalDays` back).
   */
  seasonalDays: number | null;
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
  /** Whether its aggregates are added up from per-bucket partials (all are decomposable). */
  bucketed: boolean;
  aggregates: { alias: string; aggregate: Aggregate; parts: Decomposed | null }[];
}

/**
 * An aggregate written as partial aggregates over disjoint sets of rows (`parts`, SQL calls over
 * `t`) and the aggregate that combines the partials (`combine`, given the partial columns).
 */
interface Decomposed {
  parts: string[];
  combine: (partials: string[], filter: string) => string;
}

/** The text inside the outer parentheses of `fn(...)`, if the call is exactly one such call. */
function singleCall(call: string): { fn: string; inner: string } | null {
  const match = /^([a-z_]+)\((.*)\)$/s.exec(call.trim());
  if (!match) return null;
  const inner = match[2]!;
  return balanced(inner) ? { fn: match[1]!, inner } : null;
}

/**
 * How an aggregate decomposes over disjoint sets of rows, or null when it does not (DISTINCT,
 * arg_max by anything but the row's date, anything referring to the date T or the snapshot,
 * all-history aggregates). Sums, counts, minima, maxima, averages and "the value on the latest
 * day" (arg_max(v, t.date)) do: a window (T - n, T] is a union of whole buckets, so combining the
 * buckets' partials gives exactly the aggregate over the window's rows.
 */
export function decompose(aggregate: Aggregate): Decomposed | null {
  if (aggregate.lookbackDays === null || (aggregate.scope ?? 'account') !== 'account') return null;
  const refersToSnapshot = /\b[ds]\./;
  if (refersToSnapshot.test(aggregate.call) || refersToSnapshot.test(aggregate.where ?? '')) {
    return null;
  }
  const call = singleCall(aggregate.call);
  if (!call || /^\s*distinct\b/i.test(call.inner)) return null;
  const filtered = (expr: string, filter: string) => `${expr}${filter}`;
  switch (call.fn) {
    case 'sum':
      return { parts: [aggregate.call], combine: ([p], f) => filtered(`sum(${p})`, f) };
    case 'min':
    case 'max':
      return { parts: [aggregate.call], combine: ([p], f) => filtered(`${call.fn}(${p})`, f) };
    case 'count':
      return {
        parts: [aggregate.call],
        combine: ([p], f) => `coalesce(${filtered(`sum(${p})`, f)}, 0)`,
      };
    case 'avg':
      return {
        parts: [`sum(${call.inner})`, `count(${call.inner})`],
        combine: ([total, n], f) =>
          `CAST(${filtered(`sum(${total})`, f)} AS DOUBLE) / nullif(${filtered(`sum(${n})`, f)}, 0)`,
      };
    case 'arg_max': {
      // The value on the latest row: per bucket, the value on its latest row and that row's
      // date; buckets hold disjoint days, so the latest bucket with a value holds the answer.
      const latest = /^(.*),\s*t\.date$/s.exec(call.inner);
      if (!latest || !balanced(latest[1]!)) return null;
      return {
        parts: [aggregate.call, 'max(t.date)'],
        combine: ([value, date], f) => filtered(`arg_max(${value}, ${date})`, f),
      };
    }
    default:
      return null;
  }
}

/** Whether every parenthesis of `text` closes, none before it opens. */
function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Collects aggregates into one group per table (and scope), sharing identical aggregates. */
class AggregatePlanner {
  readonly groups = new Map<string, Group>();
  readonly params: SqlParams = {};
  private readonly aliases = new Map<string, string>();
  private readonly paramNames = new Map<string, string>();

  constructor(private readonly bucketed: boolean) {}

  /** Adds an aggregate and returns its column reference, e.g. `agg_usage_daily.a3`. */
  add(aggregate: Aggregate, source: Source): string {
    const bound = this.bind(aggregate);
    const scope = bound.scope ?? 'account';
    const parts = this.bucketed && !source.adjusted ? decompose(bound) : null;
    const name = `agg_${source.table}${source.adjusted ? '_sa' : ''}${scope === 'portfolio' ? '_portfolio' : ''}${parts ? '_b' : ''}`;
    const key = JSON.stringify([
      name,
      bound.lookbackDays,
      bound.call,
      bound.where ?? null,
      bound.prefilter ?? null,
    ]);
    let group = this.groups.get(name);
    if (!group) {
      group = {
        name,
        source,
        scope,
        lookback: bound.lookbackDays,
        bucketed: parts !== null,
        aggregates: [],
      };
      this.groups.set(name, group);
    }
    let alias = this.aliases.get(key);
    if (!alias) {
      alias = `a${this.aliases.size}`;
      this.aliases.set(key, alias);
      group.aggregates.push({ alias, aggregate: bound, parts });
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

/**
 * Conditions on the raw table that keep only rows a group can use: dated on or before the last
 * date and within the longest lookback of the first, meeting one of the aggregates' prefilters.
 */
function scanFilter(group: Group): string[] {
  const { source, lookback } = group;
  const rowFilters = group.aggregates.map(({ aggregate }) => aggregate.prefilter);
  const distinctRowFilters = [...new Set(rowFilters)];
  // Bound constants, not subqueries, so that scans can skip row groups by their min/max.
  // A timestamp column is compared as it is stored (a cast would hide the bound from the scan):
  // its day is <= L exactly when it is before the start of L + 1, and > F - n when at or after
  // the start of F - n + 1.
  return [
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
}

function scan(group: Group): string {
  return `(
    SELECT ${group.source.columns}
    FROM ${group.source.from ?? group.source.table}
    WHERE ${scanFilter(group).join('\n      AND ')}
  ) t`;
}

function groupCtes(group: Group): string[] {
  return group.bucketed ? bucketedGroupCtes(group) : [directGroupCte(group)];
}

/**
 * The direct plan: the dates range-joined to the rows within the longest lookback, every
 * aggregate computed per (account, date) with FILTERs for shorter lookbacks. Each row is visited
 * once per date whose window holds it.
 */
function directGroupCte(group: Group): string {
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
  const on = [`t.${source.date} <= d.as_of`, ...(lookback === null ? [] : [window(lookback)])];
  const rows = source.adjusted ? adjustedRows(group, on) : `${scan(group)} ON ${on.join(' AND ')}`;
  return `${group.name} AS (
  SELECT ${keys},
${columns.join(',\n')}
  FROM as_of_dates d
  JOIN ${rows}
  GROUP BY ${keys}
)`;
}

/**
 * The rows of an adjusted source as seen from each date T: the rows in T's window, with every
 * adjusted column divided by the factor of the row's segment and day as of T (1 where the segment
 * has no factors for T, as when its history is too short).
 */
function adjustedRows(group: Group, on: readonly string[]): string {
  const { source } = group;
  const { factors, columns } = source.adjusted!;
  const adjusted = new Set(columns);
  const names = source.columns.split(',').map((column) => column.trim().split('.').at(-1)!);
  const select = names.map((name) =>
    adjusted.has(name) ? `t.${name} / coalesce(f.f_${name}, 1) AS ${name}` : `t.${name}`,
  );
  return `(
    SELECT d.as_of AS seen_as_of, ${select.join(', ')}
    FROM as_of_dates d
    JOIN ${scan(group)} ON ${on.join(' AND ')}
    LEFT JOIN ${factors} f
      ON f.segment = t.segment AND f.as_of = d.as_of AND f.date = t.${source.date}
  ) t ON t.seen_as_of = d.as_of`;
}

/**
 * The bucketed plan, for aggregates that decompose (see `decompose`): the edges of every window,
 * T and T - n for each date T and lookback n, cut the days into buckets (e_(k-1), e_k]; each row
 * is read once into its account's bucket partials; each (account, T) then combines the partials
 * of the buckets inside its window, which tile it exactly. With monthly dates and a 90-day lookback
 * this reads each row once instead of about three times, and combines a few dozen partials.
 */
function bucketedGroupCtes(group: Group): string[] {
  const { source, name } = group;
  const lookback = group.lookback!;
  const lookbacks = [...new Set(group.aggregates.map(({ aggregate }) => aggregate.lookbackDays!))];
  const edges = [
    'SELECT as_of AS edge FROM as_of_dates',
    ...lookbacks.map((days) => `SELECT as_of - ${days} FROM as_of_dates`),
  ];
  const partials = new Map<string, string>();
  const partColumns: string[] = [];
  const combined = group.aggregates.map(({ alias, aggregate, parts }) => {
    const names = parts!.parts.map((call) => {
      const filter = aggregate.where ? ` FILTER (WHERE ${aggregate.where})` : '';
      const key = `${call}${filter}`;
      let column = partials.get(key);
      if (!column) {
        column = `q${partials.size}`;
        partials.set(key, column);
        partColumns.push(`    ${key} AS ${column}`);
      }
      return `p.${column}`;
    });
    const filter =
      aggregate.lookbackDays === lookback
        ? ''
        : ` FILTER (WHERE p.bucket > w.as_of - ${aggregate.lookbackDays})`;
    return `    ${parts!.combine(names, filter)} AS ${alias}`;
  });
  return [
    `${name}_edges AS (
  SELECT DISTINCT edge FROM (
    ${edges.join('\n    UNION ALL ')}
  )
)`,
    `${name}_days AS (
  SELECT days.day, min(e.edge) AS bucket
  FROM (
    SELECT CAST(unnest(generate_series(CAST($first_as_of AS DATE) - ${lookback - 1}, CAST($last_as_of AS DATE), INTERVAL 1 DAY)) AS DATE) AS day
  ) days
  JOIN ${name}_edges e ON e.edge >= days.day
  GROUP BY days.day
)`,
    `${name}_windows AS (
  SELECT d.as_of, e.edge AS bucket
  FROM as_of_dates d
  JOIN ${name}_edges e ON e.edge <= d.as_of AND e.edge > d.as_of - ${lookback}
)`,
    `${name}_parts AS (
  SELECT t.account_id, k.bucket,
${partColumns.join(',\n')}
  FROM ${scan(group)}
  JOIN ${name}_days k ON k.day = t.${source.date}
  GROUP BY t.account_id, k.bucket
)`,
    `${name} AS (
  SELECT p.account_id, w.as_of,
${combined.join(',\n')}
  FROM ${name}_windows w
  JOIN ${name}_parts p ON p.bucket = w.bucket
  GROUP BY p.account_id, w.as_of
)`,
  ];
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

  const plan = request.plan ?? 'auto';
  const planner = new AggregatePlanner(
    plan === 'bucketed' || (plan === 'auto' && new Set(request.asOf).size > 1),
  );
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
  const ctes = [...SNAPSHOT_CTES, ...groups.flatMap(groupCtes)];
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
    seasonalDays: groups.some((group) => group.source.adjusted)
      ? Math.max(...groups.filter((g) => g.source.adjusted).map((g) => g.lookback ?? 0))
      : null,
    warnings,
  };
}
