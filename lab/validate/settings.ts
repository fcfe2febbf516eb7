import { z } from 'zod';
import { LabError } from '../errors.ts';
import { datesBack } from '../history/history.ts';
import { formatPath } from '../model/spec.ts';

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD. */
export const isoDateSchema = z.string().refine((value) => {
  if (!ISO_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}, 'a date written YYYY-MM-DD');

/** Snapshots per run at most: each one is a full scoring of the portfolio. */
export const MAX_SNAPSHOTS = 400;

export const bootstrapSettingsSchema = z.strictObject({
  /** Resamples of accounts; 0 turns intervals off. */
  reps: z.int().min(0).max(10_000).default(200),
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
});

/** The fields of backtest settings, for schemas that extend them (fitting). */
export const backtestSettingsShape = {
  from: isoDateSchema,
  to: isoDateSchema,
  every: z.int().min(1).max(366),
  horizon: z.int().min(1).max(1095),
  segments: z.boolean().default(true),
  bootstrap: bootstrapSettingsSchema.default({ reps: 200, seed: 1 }),
  dataEnd: isoDateSchema.optional(),
};

/** from <= to, and not more than MAX_SNAPSHOTS dates between them. */
export function checkSnapshotRange(
  settings: { from: string; to: string; every: number },
  ctx: z.RefinementCtx,
): void {
  if (settings.from > settings.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
    return;
  }
  const count = Math.floor(daysBetween(settings.from, settings.to) / settings.every) + 1;
  if (count > MAX_SNAPSHOTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['every'],
      message: `${count} snapshot dates; at most ${MAX_SNAPSHOTS} (take a larger step)`,
    });
  }
}

/**
 * How a backtest is run. Snapshot dates end exactly on `to` and step back `every` days, never
 * before `from` (as score backfills do). `dataEnd` is the last day of data; left out, it is the
 * latest day any table has a dated row for.
 */
export const backtestSettingsSchema = z
  .strictObject(backtestSettingsShape)
  .superRefine(checkSnapshotRange);

export type BacktestSettingsInput = z.input<typeof backtestSettingsSchema>;
export type BacktestSettings = z.output<typeof backtestSettingsSchema>;
/** Settings as a result reports them: dataEnd resolved. */
export type ResolvedSettings = BacktestSettings & { dataEnd: string };

/** Parses settings (defaults filled in) or throws `invalid_request` listing every problem. */
export function parseSettings<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${formatPath(issue.path) || '(settings)'}: ${issue.message}`,
  );
  throw new LabError('invalid_request', `invalid settings: ${problems.join('; ')}`, {
    issues: problems,
  });
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The snapshot dates of a run, ascending: ending on `to`, every `every` days, from `from` on. */
export function snapshotDates(settings: Pick<BacktestSettings, 'from' | 'to' | 'every'>): string[] {
  return datesBack(settings.from, settings.to, settings.every);
}
