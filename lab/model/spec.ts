import { z } from 'zod';
import { LabError } from '../errors.ts';
import { lookupMetric } from '../metrics/catalog.ts';

/**
 * The model spec: a versioned, immutable JSON document; this schema is its source of truth.
 *
 * Scores are HEALTH scores on 0-100: higher is healthier, and every normalised metric value is a
 * health value too (after `direction`). Code that needs risk (churn probability, "riskiest decile",
 * ROC AUC against churn) must flip the sign or use 100 - score; never read a score as risk.
 *
 * Weights are relative: components are normalised to sum to 1, and the metrics within a component
 * likewise, for each segment separately after its overrides.
 */

export const DIRECTIONS = ['higher_is_better', 'lower_is_better'] as const;
export const MISSING_POLICIES = ['neutral', 'renormalize'] as const;

const weightSchema = z.number().nonnegative('a weight must be 0 or more');

/**
 * Percentiles rank a metric among the accounts active at the same date (and in the same segment
 * for `within: segment`); see normalize.ts for the exact tie rule.
 */
const percentileSchema = z.strictObject({
  method: z.literal('percentile'),
  within: z.enum(['all', 'segment']).default('all'),
});

/** Linear between min (0) and max (100), clipped to the bounds. */
const minmaxSchema = z
  .strictObject({ method: z.literal('minmax'), min: z.number(), max: z.number() })
  .refine((value) => value.min < value.max, {
    message: 'min must be less than max',
    path: ['max'],
  });

/**
 * Piecewise-linear through points [x, y]: y is the normalised HEALTH value (0-100) directly, flat
 * beyond the first and last point. Direction does not flip it again (see the entry check below).
 */
const thresholdsSchema = z
  .strictObject({
    method: z.literal('thresholds'),
    points: z
      .array(
        z.tuple([
          z.number(),
          z.number().min(0, 'y must be 0 to 100').max(100, 'y must be 0 to 100'),
        ]),
      )
      .min(2, 'at least two points are needed'),
  })
  .superRefine((value, ctx) => {
    value.points.forEach(([x], index) => {
      const previous = value.points[index - 1];
      if (previous && !(x > previous[0])) {
        ctx.addIssue({
          code: 'custom',
          path: ['points', index, 0],
          message: `x must be strictly greater than the previous point's x (${previous[0]})`,
        });
      }
    });
  });

const normalizeSchema = z.discriminatedUnion(
  'method',
  [percentileSchema, minmaxSchema, thresholdsSchema],
  { error: 'method must be percentile, minmax or thresholds' },
);

const metricNameSchema = z.string().superRefine((name, ctx) => {
  const found = lookupMetric(name);
  if ('error' in found) ctx.addIssue({ code: 'custom', message: found.error });
});

const metricEntrySchema = z
  .strictObject({
    metric: metricNameSchema,
    weight: weightSchema,
    direction: z.enum(DIRECTIONS),
    normalize: normalizeSchema,
    seasonal_adjust: z.boolean().default(false),
  })
  .superRefine((entry, ctx) => {
    const def = lookupMetric(entry.metric);
    if (entry.seasonal_adjust && !('error' in def) && !def.seasonal) {
      ctx.addIssue({
        code: 'custom',
        path: ['seasonal_adjust'],
        message: `metric "${entry.metric}" has no seasonally adjusted variant (only daily usage series have one)`,
      });
    }
    if (entry.normalize.method === 'thresholds') {
      const ys = entry.normalize.points.map(([, y]) => y);
      const rising = ys.every((y, i) => i === 0 || y >= ys[i - 1]!) && ys.at(-1)! > ys[0]!;
      const falling = ys.every((y, i) => i === 0 || y <= ys[i - 1]!) && ys.at(-1)! < ys[0]!;
      if (
        (rising && entry.direction === 'lower_is_better') ||
        (falling && entry.direction === 'higher_is_better')
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['normalize', 'points'],
          message: `the points ${rising ? 'rise' : 'fall'} with x but direction is ${entry.direction}; threshold y values are the normalised health value itself`,
        });
      }
    }
  });

const componentSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lowercase key such as usage or product_fit'),
  weight: weightSchema,
  metrics: z.array(metricEntrySchema).min(1, 'a component needs at least one metric'),
});

const segmentOverrideSchema = z.strictObject({
  components: z.record(
    z.string(),
    z.strictObject({
      weight: weightSchema.optional(),
      metrics: z.record(z.string(), z.strictObject({ weight: weightSchema })).optional(),
    }),
  ),
});

const bandsSchema = z
  .strictObject({
    red: z.number().min(0).max(100),
    yellow: z.number().min(0).max(100),
  })
  .refine((bands) => bands.red < bands.yellow, {
    message: 'yellow must be greater than red (score < red is red, < yellow is yellow, else green)',
    path: ['yellow'],
  });

const modelObjectSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a lowercase name such as balanced or usage-heavy.v2'),
  description: z.string().optional(),
  scale: z.tuple([z.literal(0), z.literal(100)]).default([0, 100]),
  bands: bandsSchema,
  components: z.array(componentSchema).min(1, 'a model needs at least one component'),
  segments: z.record(z.string().min(1), segmentOverrideSchema).default({}),
  missing: z.enum(MISSING_POLICIES).default('renormalize'),
});

export type Model = z.output<typeof modelObjectSchema>;
export type ModelInput = z.input<typeof modelSchema>;
export type ModelComponent = Model['components'][number];
export type ModelMetric = ModelComponent['metrics'][number];
export type Normalize = ModelMetric['normalize'];

type Ctx = z.RefinementCtx;
type ParsedModel = Model;

export const modelSchema = modelObjectSchema.superRefine((model, ctx) =>
  checkCrossReferences(model, ctx),
);

function checkCrossReferences(model: ParsedModel, ctx: Ctx): void {
  const keys = new Map<string, number>();
  model.components.forEach((component, c) => {
    const first = keys.get(component.key);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['components', c, 'key'],
        message: `duplicate component key "${component.key}" (also components[${first}])`,
      });
    } else keys.set(component.key, c);
    const metrics = new Map<string, number>();
    component.metrics.forEach((entry, m) => {
      const seen = metrics.get(entry.metric);
      if (seen !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['components', c, 'metrics', m, 'metric'],
          message: `metric "${entry.metric}" appears twice in component "${component.key}" (also metrics[${seen}])`,
        });
      } else metrics.set(entry.metric, m);
    });
  });
  checkWeightSums(model, undefined, ctx);
  for (const [segment, override] of Object.entries(model.segments)) {
    for (const [key, componentOverride] of Object.entries(override.components)) {
      const component = model.components.find((candidate) => candidate.key === key);
      const path = ['segments', segment, 'components', key];
      if (!component) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `no component "${key}" in components; known: ${model.components.map((x) => x.key).join(', ')}`,
        });
        continue;
      }
      for (const metric of Object.keys(componentOverride.metrics ?? {})) {
        if (!component.metrics.some((entry) => entry.metric === metric)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'metrics', metric],
            message: `component "${key}" has no metric "${metric}"; it has: ${component.metrics.map((entry) => entry.metric).join(', ')}`,
          });
        }
      }
    }
    checkWeightSums(model, segment, ctx);
  }
}

/** Weights are relative, so they can be normalised only if some weight is positive. */
function checkWeightSums(model: ParsedModel, segment: string | undefined, ctx: Ctx): void {
  const override = segment === undefined ? undefined : model.segments[segment];
  const where = segment === undefined ? '' : ` for segment "${segment}"`;
  const path = segment === undefined ? [] : ['segments', segment];
  const componentWeight = (component: ModelComponent) =>
    override?.components[component.key]?.weight ?? component.weight;
  if (model.components.every((component) => componentWeight(component) === 0)) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'components'],
      message: `component weights are all 0${where}`,
    });
  }
  model.components.forEach((component, c) => {
    const overrides = override?.components[component.key]?.metrics ?? {};
    const weights = component.metrics.map(
      (entry) => overrides[entry.metric]?.weight ?? entry.weight,
    );
    if (weights.every((weight) => weight === 0)) {
      ctx.addIssue({
        code: 'custom',
        path:
          segment === undefined
            ? ['components', c, 'metrics']
            : [...path, 'components', component.key],
        message: `the metric weights of component "${component.key}" are all 0${where}`,
      });
    }
  });
}

export interface ModelIssue {
  /** e.g. `components[1].metrics[0].metric` */
  path: string;
  message: string;
}

export class ModelValidationError extends LabError {
  readonly issues: ModelIssue[];

  constructor(issues: ModelIssue[]) {
    super(
      'invalid_model',
      `invalid model (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((issue) => `- ${issue.path || '(model)'}: ${issue.message}`)
        .join('\n')}`,
      { issues },
    );
    this.name = 'ModelValidationError';
    this.issues = issues;
  }
}

/** `components[1].metrics[0].metric`, `segments["Mid-Market"].components.usage.weight` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const text = String(part);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

/**
 * Parses and validates a model (an object or its JSON text). Returns the typed model with
 * defaults filled in, or throws a ModelValidationError listing every problem with its path.
 */
export function parseModel(input: unknown): Model {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new ModelValidationError([
        { path: '', message: `not valid JSON: ${(error as Error).message}` },
      ]);
    }
  }
  const result = modelSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ModelValidationError(
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}
