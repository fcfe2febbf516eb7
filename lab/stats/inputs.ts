/**
 * Input checks shared by the statistics. Every statistic names itself in its messages so that a
 * notebook user sees which call was wrong, and says which index holds the bad value.
 *
 * Conventions (see lab/README.md, "Statistics"): scores passed to ranking statistics are RISK
 * scores, higher = more likely to churn, exactly like scikit-learn's `y_score`; labels are
 * 1/true = churned (the positive class) and 0/false = not churned.
 */
import { LabError } from '../errors.ts';

/** Risk scores or predicted probabilities: higher = more likely to churn. */
export type Scores = ArrayLike<number>;
/** Outcome labels: 1 or true = churned (positive), 0 or false = not churned. */
export type Labels = ArrayLike<number | boolean>;

/**
 * A statistic that has no value on these data (one class only, no positives, no rows). It is a
 * LabError like any other, but bootstrapCi skips resamples that raise it (and counts them)
 * instead of failing, since a resample can lose a rare class by chance.
 */
export class UndefinedStatisticError extends LabError {
  constructor(message: string, details?: unknown) {
    super('invalid_request', message, details);
    this.name = 'UndefinedStatisticError';
  }
}

export function invalid(fn: string, message: string, details?: unknown): LabError {
  return new LabError('invalid_request', `${fn}: ${message}`, details);
}

export function checkSameLength(fn: string, names: [string, string], a: number, b: number): void {
  if (a !== b) {
    throw invalid(fn, `${names[0]} and ${names[1]} differ in length (${a} vs ${b})`, {
      lengths: { [names[0]]: a, [names[1]]: b },
    });
  }
}

/** The label at `i` as 0/1, or an error naming the index and the value. */
export function labelAt(fn: string, labels: Labels, i: number): 0 | 1 {
  const v = labels[i];
  if (v === 1 || v === true) return 1;
  if (v === 0 || v === false) return 0;
  throw invalid(fn, `labels[${i}] is ${String(v)}; labels must be 1/true (churned) or 0/false`, {
    index: i,
  });
}

/** Throws unless `v` is a finite number; `name` is the argument, as the caller knows it. */
export function checkFinite(fn: string, name: string, v: number, i: number): void {
  if (!Number.isFinite(v)) {
    throw invalid(fn, `${name}[${i}] is ${String(v)}; scores must be finite numbers`, {
      index: i,
    });
  }
}

export function checkBins(fn: string, bins: number): void {
  if (!Number.isInteger(bins) || bins < 1) {
    throw invalid(fn, `bins must be a whole number >= 1, got ${String(bins)}`);
  }
}

export function describeClasses(positives: number, negatives: number): string {
  return `${positives} churned (1) and ${negatives} not churned (0)`;
}

/** Both classes are needed by ROC statistics. */
export function requireBothClasses(fn: string, positives: number, negatives: number): void {
  if (positives === 0 || negatives === 0) {
    throw new UndefinedStatisticError(
      `${fn}: needs both classes, got ${describeClasses(positives, negatives)}`,
      { positives, negatives },
    );
  }
}

/** Precision and lift need at least one positive. */
export function requirePositives(fn: string, positives: number, negatives: number): void {
  if (positives === 0) {
    throw new UndefinedStatisticError(
      `${fn}: needs at least one churned row (label 1), got ${describeClasses(positives, negatives)}`,
      { positives, negatives },
    );
  }
}
