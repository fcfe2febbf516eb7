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

// Statistics (lab/stats/): ranking statistics take RISK, higher = more likely to churn; labels
// are 1/true = churned. Turn health into risk with riskFromHealth.
export {
  bootstrapCi,
  calibrationTable,
  fitLogistic,
  liftTable,
  prAuc,
  predictLogistic,
  riskFromHealth,
  rocAuc,
  rocCurve,
  SeededRandom,
  UndefinedStatisticError,
  type BootstrapOptions,
  type BootstrapResult,
  type CalibrationOptions,
  type CalibrationRow,
  type FeatureRows,
  type Labels,
  type LiftRow,
  type LogisticFit,
  type LogisticOptions,
  type RocCurve,
  type Scores,
} from './stats/index.ts';

// Registry (lab/registry/): immutable model versions by content hash, statuses, production as the
// newest production_log row, promotion through the gate, rollback, the audit log, the backtest
// cache. The data fingerprint the gate checks is data/fingerprint.ts's dataFingerprint(dataDir).
export {
  AUDIT_ACTIONS,
  checkRegistry,
  decideGate,
  ensureProduction,
  ensureRegistry,
  evaluateGate,
  findBacktest,
  findBacktestFor,
  GATE_TOLERANCE,
  gateFigures,
  getModel,
  listAudit,
  listBacktests,
  listModels,
  MIN_OVERRIDE_REASON,
  MODEL_STATUSES,
  openStateDatabase,
  productionEntry,
  productionLog,
  productionModel,
  productionStack,
  promote,
  requireModel,
  resolveModelHash,
  rollback,
  rollbackTarget,
  saveModel,
  setStatus,
  SETTABLE_STATUSES,
  StateLockedError,
  statusHistory,
  storeBacktest,
  type AuditAction,
  type AuditEntry,
  type BacktestRecord,
  type GateDecision,
  type GateFigures,
  type GateRule,
  type ModelStatus,
  type OpenState,
  type ProductionEntry,
  type PromoteOptions,
  type PromotionResult,
  type RegistryLogger,
  type RollbackResult,
  type SavedModel,
  type SettableStatus,
  type StoredBacktest,
} from './registry/index.ts';

// Validation (lab/validate/) and fitting (lab/fit/): backtests, comparisons with an equal-weights
// baseline, weights fitted from history; every result is plain JSON with a zod schema.
export { type MetricSource } from './model/compile.ts';
export {
  BACKTEST_ENGINE_VERSION,
  BASELINE_NAME,
  backtest,
  backtestCacheKey,
  backtestResultSchema,
  backtestSettingsSchema,
  compare,
  compareResultSchema,
  DEFAULT_MIGRATION_CAP,
  equalWeightsBaseline,
  figuresSchema,
  intervalSchema,
  MAX_ROC_POINTS,
  MIGRATION_BANDS,
  snapshotDates,
  type BacktestOptions,
  type BacktestResult,
  type BacktestSettings,
  type BacktestSettingsInput,
  type CompareOptions,
  type CompareResult,
  type ComparisonRow,
  type Figures,
  type Migration,
  type MigrationBand,
  type PerDate,
  type ResolvedSettings,
  type RunCounts,
  type SegmentFigures,
  type Progress,
  type StageLog,
} from './validate/index.ts';
export {
  DEFAULT_MIN_WEIGHT_SHARE,
  fitModel,
  fitResultSchema,
  fitSettingsSchema,
  type FitOptions,
  type FitResult,
  type FitSettingsInput,
  type FitTerm,
} from './fit/index.ts';

// Seasonality (lab/seasonality/): STL as R's stats::stl() (Cleveland et al., 1990), MSTL for
// several periods (Bandara et al., 2021), and daily series with gaps and a period choice by length.
export {
  decomposeDaily,
  dailyPeriods,
  fillGaps,
  mstl,
  resolveStlOptions,
  stl,
  StlError,
  type DailyDecomposition,
  type DecomposeDailyOptions,
  type MstlOptions,
  type MstlResult,
  type StlErrorCode,
  type StlOptions,
  type StlResult,
} from './seasonality/index.ts';
