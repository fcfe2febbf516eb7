export { backtest, type BacktestOptions } from './backtest.ts';
export { compare, DEFAULT_MIGRATION_CAP, type CompareOptions } from './compare.ts';
export { BASELINE_NAME, equalWeightsBaseline } from './baseline.ts';
export { BACKTEST_ENGINE_VERSION, backtestCacheKey } from './cache-key.ts';
export {
  backtestSettingsSchema,
  snapshotDates,
  type BacktestSettings,
  type BacktestSettingsInput,
  type ResolvedSettings,
} from './settings.ts';
export {
  backtestResultSchema,
  figuresSchema,
  intervalSchema,
  type BacktestResult,
  type Figures,
  type PerDate,
  type RunCounts,
  type SegmentFigures,
} from './schema.ts';
export { compareResultSchema, type CompareResult, type ComparisonRow } from './compare-schema.ts';
export { MAX_ROC_POINTS } from './curves.ts';
export { MIGRATION_BANDS, type Migration, type MigrationBand } from './migration.ts';
export { materializeMetrics, metricRequests, type MetricTable } from './metric-table.ts';
export type { Progress, StageLog } from './tables.ts';
export {
  DEFAULT_EVERY,
  DEFAULT_HORIZON,
  DEFAULT_SNAPSHOTS,
  defaultBacktestSettings,
} from './defaults.ts';
