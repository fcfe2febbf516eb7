import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import type { MetricRequest } from '../metrics/types.ts';
import { compileModel } from '../model/compile.ts';
import type { Model } from '../model/spec.ts';
import { createLabels, labelSegments } from './labels.ts';
import { materializeMetrics, metricRequests, type MetricTable } from './metric-table.ts';
import type { RunTables } from './tables.ts';

/** The metric values and labels of a run, in temp tables, shared by every model scored on it. */
export interface PreparedRun {
  metrics: MetricTable;
  labels: string;
  segments: string[];
}

/**
 * Computes the metrics every model needs (plus `extraMetrics`) once for all dates, and labels
 * every snapshot. Models are compiled first, so a model that cannot be scored on these tables
 * fails here, naming its metrics, before any heavy work.
 */
export async function prepareRun(
  connection: DuckDBConnection,
  run: RunTables,
  request: {
    models: readonly Model[];
    extraMetrics?: readonly MetricRequest[];
    dates: readonly string[];
    tables: readonly TableName[];
    horizon: number;
    dataEnd: string;
  },
): Promise<PreparedRun> {
  for (const model of request.models) {
    compileModel(model, { asOf: request.dates, tables: request.tables });
  }
  const metrics = await run.stage('metrics', (tick) =>
    materializeMetrics(connection, {
      onDates: tick,
      metrics: [...metricRequests(request.models), ...(request.extraMetrics ?? [])],
      asOf: request.dates,
      tables: request.tables,
      into: run.name('metrics'),
    }),
  );
  const labels = run.name('labels');
  await run.stage('labels', () =>
    createLabels(connection, {
      metricTable: metrics.table,
      into: labels,
      horizon: request.horizon,
      dataEnd: request.dataEnd,
    }),
  );
  return { metrics, labels, segments: await labelSegments(connection, labels) };
}
