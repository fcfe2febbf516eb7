import { z } from 'zod';
import { modelSchema } from '../model/spec.ts';
import { BACKTEST_ENGINE_VERSION } from './cache-key.ts';
import { MIGRATION_BANDS } from './migration.ts';
import {
  figuresSchema,
  intervalSchema,
  perDateSchema,
  resolvedSettingsSchema,
  runCountsSchema,
  segmentFiguresSchema,
} from './schema.ts';
import { isoDateSchema } from './settings.ts';

const count = z.number().int().nonnegative();
const band = z.enum(MIGRATION_BANDS);

export const comparedModelSchema = z.object({
  /** Position in `models` (the baseline is last). */
  index: count,
  name: z.string(),
  hash: z.string(),
  role: z.enum(['model', 'baseline']),
  /** Labelled snapshots this model left unscored (left out for every model). */
  unscored: count,
  overall: figuresSchema,
  segments: z.array(segmentFiguresSchema),
});

/** One figure for every model side by side (null where it is undefined). */
export const comparisonRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** Whether a larger value is better (null: neither, e.g. a count). */
  higherIsBetter: z.boolean().nullable(),
  values: z.array(
    z.object({
      value: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
    }),
  ),
});
export type ComparisonRow = z.output<typeof comparisonRowSchema>;

export const compareResultSchema = z.object({
  kind: z.literal('compare'),
  engine: z.literal(BACKTEST_ENGINE_VERSION),
  settings: resolvedSettingsSchema,
  snapshotDates: z.array(isoDateSchema),
  /** Shared by every model: the evaluated rows are those every model scored. */
  counts: runCountsSchema,
  perDate: z.array(perDateSchema),
  models: z.array(comparedModelSchema),
  /** The equal-weights baseline that was built and scored with the models. */
  baseline: modelSchema,
  reference: count,
  table: z.array(comparisonRowSchema),
  /** AUC of each model minus the reference's, with an interval from the same account resamples. */
  pairedAuc: z.array(
    z.object({ model: count, reference: count, difference: intervalSchema.nullable() }),
  ),
  curves: z.object({
    roc: z.array(
      z.object({
        model: count,
        points: z.array(
          z.object({ fpr: z.number(), tpr: z.number(), score: z.number().nullable() }),
        ),
      }),
    ),
    lift: z.array(
      z.object({
        model: count,
        points: z.array(
          z.object({
            depth: z.number(),
            cumulativeCapture: z.number(),
            cumulativeLift: z.number(),
            lift: z.number().nullable(),
          }),
        ),
      }),
    ),
  }),
  /** Band migration at the last snapshot date for every pair of models (from < to). */
  migrations: z.array(
    z.object({
      from: count,
      to: count,
      asOf: isoDateSchema,
      bands: z.array(band),
      matrix: z.array(z.array(count)),
      accounts: count,
      changed: z.array(
        z.object({
          account_id: z.string(),
          segment: z.string(),
          fromBand: band,
          toBand: band,
          fromScore: z.number().nullable(),
          toScore: z.number().nullable(),
        }),
      ),
      changedTotal: count,
      cap: count,
    }),
  ),
  definitions: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
});
export type CompareResult = z.output<typeof compareResultSchema>;
