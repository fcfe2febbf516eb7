import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { prepareFactorsFor } from '../seasonality/factors.ts';
import { buildMetricsSql, type MetricColumn } from '../metrics/build-sql.ts';
import type { MetricRequest } from '../metrics/types.ts';
import type { MetricSource } from '../model/compile.ts';
import type { Model } from '../model/spec.ts';
import { runStatement } from '../run.ts';
import { quoteTableName } from '../sql.ts';

/**
 * Dates per metric query. Each query range-joins the dates to the rows within the metrics'
 * lookback and aggregates per (account, date), so its memory grows with the dates it holds;
 * chunks of 12 keep 50,000 accounts under 1 GB (24 dates at once: 1.1 GB) at no cost in time.
 * Metric values at one date never depend on other dates, so chunking changes nothing else.
 */
export const DATES_PER_QUERY = 12;

export interface MetricTable extends MetricSource {
  warnings: string[];
}

/** The (metric, seasonal adjustment) requests of models, without duplicates, in model order. */
export function metricRequests(models: readonly Model[]): MetricRequest[] {
  const seen = new Map<string, MetricRequest>();
  for (const model of models) {
    for (const component of model.components) {
      for (const entry of component.metrics) {
        const key = `${entry.metric}\u0000${entry.seasonal_adjust}`;
        if (!seen.has(key)) {
          seen.set(key, { metric: entry.metric, seasonalAdjust: entry.seasonal_adjust });
        }
      }
    }
  }
  return [...seen.values()];
}

/**
 * Computes metric values for every account active at each date into the table `into`
 * (`account_id, as_of, segment, m0, m1, ...`, the relation of buildMetricsSql), a few dates per
 * query, so that several models can be scored from one computation.
 */
export async function materializeMetrics(
  connection: DuckDBConnection,
  request: {
    metrics: readonly (string | MetricRequest)[];
    asOf: readonly string[];
    tables: Iterable<TableName>;
    into: string;
    datesPerQuery?: number;
    /** Told after each query how many of the dates are done. */
    onDates?: (done: number, total: number) => void;
  },
): Promise<MetricTable> {
  const target = quoteTableName(request.into);
  const tables = [...request.tables];
  const dates = [...new Set(request.asOf)].sort();
  const step = Math.max(1, request.datesPerQuery ?? DATES_PER_QUERY);
  let columns: MetricColumn[] = [];
  const warnings = new Set<string>();
  for (let start = 0; start < dates.length; start += step) {
    const plan = buildMetricsSql({
      metrics: request.metrics,
      asOf: dates.slice(start, start + step),
      tables,
    });
    columns = plan.columns;
    plan.warnings.forEach((warning) => warnings.add(warning));
    const chunk = dates.slice(start, start + step);
    (await prepareFactorsFor(connection, plan, chunk)).forEach((w) => warnings.add(w));
    const statement =
      start === 0 ? `CREATE OR REPLACE TEMP TABLE ${target} AS\n` : `INSERT INTO ${target}\n`;
    await runStatement(connection, `${statement}${plan.sql}`, plan.params);
    request.onDates?.(Math.min(start + step, dates.length), dates.length);
  }
  return { table: request.into, columns, warnings: [...warnings] };
}
