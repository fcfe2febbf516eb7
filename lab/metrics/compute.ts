import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../run.ts';
import { prepareFactorsFor } from '../seasonality/factors.ts';
import { buildMetricsSql, type MetricColumn, type MetricsRequest } from './build-sql.ts';

export interface MetricRow {
  account_id: string;
  /** YYYY-MM-DD */
  as_of: string;
  segment: string;
  /** By column label (the metric name; `name@seasonal` for an adjusted request). */
  values: Record<string, number | null>;
}

export interface MetricsResult {
  columns: MetricColumn[];
  rows: MetricRow[];
  warnings: string[];
}

/**
 * Computes metrics into JS rows, ordered by date and account. For large runs keep the work in
 * DuckDB with buildMetricsSql instead.
 */
export async function computeMetrics(
  connection: DuckDBConnection,
  request: MetricsRequest,
): Promise<MetricsResult> {
  const plan = buildMetricsSql(request);
  const factorWarnings = await prepareFactorsFor(connection, plan, request.asOf);
  const aliases = plan.columns.map((column) => column.alias);
  const sql = `SELECT account_id, strftime(as_of, '%Y-%m-%d') AS as_of, segment${aliases.map((a) => `, ${a}`).join('')}
FROM (
${plan.sql}
) ORDER BY as_of, account_id`;
  const raw = await runRows<Record<string, string | number | null>>(connection, sql, plan.params);
  const rows = raw.map((row) => ({
    account_id: row.account_id as string,
    as_of: row.as_of as string,
    segment: row.segment as string,
    values: Object.fromEntries(
      plan.columns.map((column) => [column.label, row[column.alias] as number | null]),
    ),
  }));
  return { columns: plan.columns, rows, warnings: [...plan.warnings, ...factorWarnings] };
}
