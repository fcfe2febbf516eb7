import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import { ENGAGEMENT_METRICS } from './catalog/engagement.ts';
import { FINANCIAL_METRICS } from './catalog/financial.ts';
import { MILESTONE_METRICS } from './catalog/milestones.ts';
import { RELATIONSHIP_METRICS } from './catalog/relationship.ts';
import { parseSignalMetric, SIGNAL_METRIC_PATTERN, signalMetric } from './catalog/signals.ts';
import { SUPPORT_METRICS } from './catalog/support.ts';
import { USAGE_METRICS } from './catalog/usage.ts';
import type { MetricDef, MetricFamily } from './types.ts';

/** The fixed metrics; custom signal metrics are made on demand from their names. */
export const STATIC_METRICS: readonly MetricDef[] = [
  ...USAGE_METRICS,
  ...SUPPORT_METRICS,
  ...ENGAGEMENT_METRICS,
  ...FINANCIAL_METRICS,
  ...RELATIONSHIP_METRICS,
  ...MILESTONE_METRICS,
];
const BY_NAME = new Map(STATIC_METRICS.map((metric) => [metric.name, metric]));

/** The catalog as the lab lists it: no SQL, plus whether the data has what a metric needs. */
export interface MetricInfo {
  name: string;
  description: string;
  family: MetricFamily;
  unit: string;
  tables: TableName[];
  seasonalAdjustable: boolean;
  /** Present when `tables` was given to listMetrics. */
  available?: boolean;
  /** The needed tables that are absent (when `tables` was given). */
  missingTables?: TableName[];
}

export function metricInfo(def: MetricDef, present?: ReadonlySet<TableName>): MetricInfo {
  const info: MetricInfo = {
    name: def.name,
    description: def.description,
    family: def.family,
    unit: def.unit,
    tables: [...def.tables],
    seasonalAdjustable: def.seasonal,
  };
  if (present) {
    info.missingTables = def.tables.filter((table) => !present.has(table));
    info.available = info.missingTables.length === 0;
  }
  return info;
}

/** Every static metric, with availability when the tables present are given. */
export function listMetrics(tables?: Iterable<TableName>): MetricInfo[] {
  const present = tables ? new Set(tables) : undefined;
  return STATIC_METRICS.map((def) => metricInfo(def, present));
}

/** The pattern of custom signal metric names, for help texts and error messages. */
export const CUSTOM_METRIC_PATTERN = SIGNAL_METRIC_PATTERN;

/** A metric by name, or an explanation of why the name is not one. */
export function lookupMetric(name: string): MetricDef | { error: string } {
  const known = BY_NAME.get(name);
  if (known) return known;
  const signal = parseSignalMetric(name);
  if (signal && typeof signal !== 'string') return signalMetric(name, signal);
  if (typeof signal === 'string') return { error: signal };
  return {
    error: `unknown metric "${name}"; known: ${STATIC_METRICS.map((metric) => metric.name).join(', ')}, ${SIGNAL_METRIC_PATTERN}`,
  };
}

/** A metric by name; throws `unknown_metric` otherwise. */
export function getMetric(name: string): MetricDef {
  const found = lookupMetric(name);
  if ('error' in found) throw new LabError('unknown_metric', found.error, { metric: name });
  return found;
}
