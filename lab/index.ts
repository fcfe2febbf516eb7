/**
 * The public surface of the modelling core. Scores are HEALTH scores, 0-100, higher is healthier;
 * code that needs risk must flip them.
 */
export { LabError, type LabErrorCode } from './errors.ts';
export { bindParams, runRows, runStatement, type SqlParams } from './run.ts';

export {
  CUSTOM_METRIC_PATTERN,
  getMetric,
  listMetrics,
  lookupMetric,
  STATIC_METRICS,
  type MetricInfo,
} from './metrics/catalog.ts';
export {
  buildMetricsSql,
  unavailableMetrics,
  type MetricColumn,
  type MetricsRequest,
  type MetricsSql,
  type UnavailableMetric,
} from './metrics/build-sql.ts';
export { computeMetrics, type MetricRow, type MetricsResult } from './metrics/compute.ts';
export {
  METRIC_FAMILIES,
  type MetricDef,
  type MetricFamily,
  type MetricRequest,
} from './metrics/types.ts';

export {
  DIRECTIONS,
  MISSING_POLICIES,
  modelSchema,
  ModelValidationError,
  parseModel,
  type Model,
  type ModelComponent,
  type ModelInput,
  type ModelIssue,
  type ModelMetric,
  type Normalize,
} from './model/spec.ts';
export { canonicalJson, modelHash } from './model/hash.ts';
export { compileModel, type CompiledModel } from './model/compile.ts';
export {
  scoreModel,
  scoreModelToTables,
  type Band,
  type ComponentScore,
  type MetricScore,
  type MissingTreatment,
  type ScoreRequest,
  type ScoreResult,
  type ScoreRow,
  type ScoreTableNames,
} from './model/score.ts';
export { defaultModels } from './model/defaults.ts';
