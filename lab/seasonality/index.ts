/** Seasonal decomposition: STL as R's stats::stl(), MSTL as forecast::mstl(), daily helpers. */
export {
  partialSort,
  resolveStlOptions,
  robustnessWeights,
  stl,
  StlError,
  type LoessDegree,
  type ResolvedStlOptions,
  type RobustMedian,
  type StlErrorCode,
  type StlOptions,
  type StlResult,
} from './stl.ts';
export {
  mstl,
  type MstlOptions,
  type MstlResult,
  type MstlSeasonal,
  type MstlStlOptions,
} from './mstl.ts';
export {
  dailyPeriods,
  decomposeDaily,
  fillGaps,
  MIN_DAILY_POINTS,
  YEARLY_DAILY_POINTS,
  type DailyDecomposition,
  type DecomposeDailyOptions,
} from './daily.ts';
export {
  COHORT_FIELDS,
  cohortTrends,
  parseCohortField,
  parseSeriesName,
  trendsCohortSchema,
  trendsColumnKinds,
  trendsResultSchema,
  trendsToColumns,
  USAGE_SERIES,
  type CohortField,
  type SeriesSpec,
  type TrendsCohort,
  type TrendsRequest,
  type TrendsResult,
  type UsageSeries,
} from './trends.ts';
