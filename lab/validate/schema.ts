import { z } from 'zod';
import { BACKTEST_ENGINE_VERSION } from './cache-key.ts';
import { bootstrapSettingsSchema, isoDateSchema } from './settings.ts';

/**
 * The result shapes of backtests (and the pieces comparisons reuse): plain JSON, no NaN or
 * Infinity, so the server, the CLI and the web app share them through these schemas.
 * Scores are HEALTH (0-100, higher is healthier); "riskiest" means lowest score.
 */

const count = z.number().int().nonnegative();
const share = z.number().nullable();

export const intervalSchema = z.object({
  estimate: z.number(),
  /** Percentile bootstrap interval over account resamples; null when reps is 0. */
  low: z.number().nullable(),
  high: z.number().nullable(),
  level: z.number(),
  reps: count,
  /** Resamples on which the statistic was undefined (one class only), left out. */
  skipped: count,
});

export const bandFigureSchema = z.object({
  band: z.enum(['red', 'yellow', 'green']),
  rows: count,
  rowShare: share,
  churned: count,
  churnRate: share,
  arr: z.number(),
  arrChurned: z.number(),
  arrChurnRate: share,
});

export const liftFigureSchema = z.object({
  decile: z.number().int(),
  rows: count,
  churned: count,
  churnRate: share,
  lift: share,
  capture: z.number(),
  cumulativeCapture: z.number(),
  scoreLow: z.number().nullable(),
  scoreHigh: z.number().nullable(),
});

export const calibrationFigureSchema = z.object({
  decile: z.number().int(),
  scoreLow: z.number(),
  scoreHigh: z.number(),
  rows: count,
  churned: count,
  meanScore: z.number().nullable(),
  churnRate: share,
});

export const redLeadSchema = z.object({
  churnedAccounts: count,
  caught: count,
  caughtShare: share,
  redEarlierOnly: count,
  medianDays: z.number().nullable(),
  p25Days: z.number().nullable(),
  p75Days: z.number().nullable(),
  leftCensored: count,
});

export const redAlertsSchema = z.object({
  alerts: count,
  labelled: count,
  churned: count,
  precision: share,
  excluded: count,
});

export const stabilitySchema = z.object({
  intervalDays: z.number().int(),
  measures: z.string(),
  pairs: count,
  medianAbsChange: z.number().nullable(),
  p90AbsChange: z.number().nullable(),
  bandChangeShare: share,
});

export const figuresSchema = z.object({
  counts: z.object({ rows: count, positives: count, negatives: count, accounts: count }),
  churnRate: share,
  rocAuc: intervalSchema.nullable(),
  prAuc: intervalSchema.nullable(),
  bands: z.array(bandFigureSchema),
  /** The riskiest tenth of rows (lowest scores): lift and capture. */
  topDecile: liftFigureSchema.nullable(),
  lift: z.array(liftFigureSchema),
  calibration: z.array(calibrationFigureSchema),
  red: z.object({
    snapshots: z.object({
      red: count,
      redChurned: count,
      precision: share,
      churned: count,
      recall: share,
    }),
    alerts: redAlertsSchema,
    lead: redLeadSchema,
  }),
  stability: stabilitySchema,
});
export type Figures = z.output<typeof figuresSchema>;

export const segmentFiguresSchema = figuresSchema.extend({ segment: z.string() });
export type SegmentFigures = z.output<typeof segmentFiguresSchema>;

export const resolvedSettingsSchema = z.object({
  from: isoDateSchema,
  to: isoDateSchema,
  every: z.number().int(),
  horizon: z.number().int(),
  segments: z.boolean(),
  bootstrap: bootstrapSettingsSchema,
  dataEnd: isoDateSchema,
});

export const runCountsSchema = z.object({
  dates: count,
  /** Account-snapshots: accounts active at each date, summed over the dates. */
  snapshots: count,
  accounts: count,
  /** Snapshots whose horizon runs past dataEnd with no outcome in it: not labelled. */
  excluded: count,
  excludedAccounts: count,
  positives: count,
  negatives: count,
  /** Labelled snapshots without a score (no metric had a value), left out of every figure. */
  unscored: count,
  /** Labelled and scored (by every model, in a comparison): the rows behind the figures. */
  evaluated: count,
});
export type RunCounts = z.output<typeof runCountsSchema>;

export const perDateSchema = z.object({
  asOf: isoDateSchema,
  accounts: count,
  excluded: count,
  positives: count,
  negatives: count,
  evaluated: count,
});
export type PerDate = z.output<typeof perDateSchema>;

export const backtestResultSchema = z.object({
  kind: z.literal('backtest'),
  engine: z.literal(BACKTEST_ENGINE_VERSION),
  model: z.object({ name: z.string(), hash: z.string() }),
  settings: resolvedSettingsSchema,
  snapshotDates: z.array(isoDateSchema),
  counts: runCountsSchema,
  perDate: z.array(perDateSchema),
  overall: figuresSchema,
  /** Empty unless settings.segments. */
  segments: z.array(segmentFiguresSchema),
  /** What each figure means, in words, for reports. */
  definitions: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
});
export type BacktestResult = z.output<typeof backtestResultSchema>;
