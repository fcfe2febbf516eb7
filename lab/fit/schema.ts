import { z } from 'zod';
import { modelSchema } from '../model/spec.ts';
import { BACKTEST_ENGINE_VERSION } from '../validate/cache-key.ts';
import {
  figuresSchema,
  intervalSchema,
  resolvedSettingsSchema,
  runCountsSchema,
} from '../validate/schema.ts';
import { backtestSettingsShape, checkSnapshotRange, isoDateSchema } from '../validate/settings.ts';
import { DEFAULT_MIN_WEIGHT_SHARE } from './to-model.ts';

/** Backtest settings plus what fitting needs; segments default to off (the holdout is overall). */
export const fitSettingsSchema = z
  .strictObject({
    ...backtestSettingsShape,
    segments: z.boolean().default(false),
    /** Metric names; default every catalog metric the data can compute. */
    metrics: z.array(z.string()).min(1).optional(),
    holdoutShare: z.number().gt(0).lt(1).default(0.3),
    l2: z.number().nonnegative().default(1),
    name: z.string().default('fitted'),
    minWeightShare: z.number().min(0).lt(1).default(DEFAULT_MIN_WEIGHT_SHARE),
    /**
     * What the regression is fitted on: `percentile` (default), each metric ranked by percentile
     * within its segment exactly as the generated model ranks it, so that the model's weighted
     * sum is the fitted linear predictor; or `raw` metric values.
     */
    features: z.enum(['percentile', 'raw']).default('percentile'),
  })
  .superRefine(checkSnapshotRange);
export type FitSettingsInput = z.input<typeof fitSettingsSchema>;

const count = z.number().int().nonnegative();

export const fitTermSchema = z.object({
  metric: z.string(),
  family: z.string(),
  coefficient: z.number(),
  standardizedCoefficient: z.number(),
  share: z.number(),
  direction: z.enum(['higher_is_better', 'lower_is_better']),
  weight: z.number(),
  kept: z.boolean(),
  dropped: z.string().nullable(),
  /** Training mean and population sd after imputation (what standardising used). */
  mean: z.number(),
  sd: z.number(),
  /** The training median that replaced missing values. */
  median: z.number(),
  /** Share of training rows where the metric was missing. */
  missingShare: z.number(),
});
export type FitTerm = z.output<typeof fitTermSchema>;

export const fitResultSchema = z.object({
  kind: z.literal('fit'),
  engine: z.literal(BACKTEST_ENGINE_VERSION),
  settings: resolvedSettingsSchema.extend({
    metrics: z.array(z.string()),
    holdoutShare: z.number(),
    l2: z.number(),
    name: z.string(),
    minWeightShare: z.number(),
    features: z.enum(['percentile', 'raw']),
  }),
  /** The fitted model, valid under parseModel: edit, backtest, compare or save it. */
  model: modelSchema,
  modelHash: z.string(),
  baseline: z.object({ name: z.string(), hash: z.string() }),
  split: z.object({
    train: z.array(isoDateSchema),
    purged: z.array(isoDateSchema),
    holdout: z.array(isoDateSchema),
  }),
  /** Metrics left out of the regression before fitting (no value in any training row). */
  unusable: z.array(z.object({ metric: z.string(), reason: z.string() })),
  terms: z.array(fitTermSchema),
  logistic: z.object({
    intercept: z.number(),
    standardizedIntercept: z.number(),
    l2: z.number(),
    iterations: count,
    converged: z.boolean(),
    trainRows: count,
    trainPositives: count,
    trainAuc: z.number().nullable(),
    /** The regression's own predictions on the holdout rows (what the weights approximate). */
    holdoutAuc: z.number().nullable(),
  }),
  holdout: z.object({
    counts: runCountsSchema,
    /** The generated model and the baseline, scored by the scoring engine on the same rows. */
    fitted: figuresSchema,
    baseline: figuresSchema,
    /** Fitted AUC minus baseline AUC, with a paired account-bootstrap interval. */
    aucDifference: intervalSchema.nullable(),
  }),
  definitions: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
});
export type FitResult = z.output<typeof fitResultSchema>;
