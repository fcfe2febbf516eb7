import { LabError } from '../errors.ts';
import { addDays } from '../validate/settings.ts';

export interface TimeSplit {
  /** Older dates the regression is fitted on. */
  train: string[];
  /**
   * Older dates left out because their label window (T, T + horizon] reaches past the first
   * holdout date: their labels would be outcomes of the holdout period, which the fit must not see.
   */
  purged: string[];
  /** The newest dates, on which fitted and baseline models are evaluated. */
  holdout: string[];
}

/**
 * Splits snapshot dates by time: the newest round(n * holdoutShare) dates (at least one) are the
 * holdout; the older ones train the fit, except those purged (see TimeSplit.purged).
 */
export function timeSplit(
  dates: readonly string[],
  holdoutShare: number,
  horizon: number,
): TimeSplit {
  const sorted = [...new Set(dates)].sort();
  const holdoutCount = Math.min(
    sorted.length - 1,
    Math.max(1, Math.round(sorted.length * holdoutShare)),
  );
  const holdout = sorted.slice(sorted.length - holdoutCount);
  const older = sorted.slice(0, sorted.length - holdoutCount);
  const firstHoldout = holdout[0];
  const train = older.filter((date) => firstHoldout && addDays(date, horizon) <= firstHoldout);
  const purged = older.filter((date) => !train.includes(date));
  if (holdout.length === 0 || train.length === 0) {
    throw new LabError(
      'invalid_request',
      `fitting needs training and holdout dates: ${sorted.length} snapshot dates give ${train.length} to train on (after leaving out ${purged.length} whose ${horizon}-day labels reach into the holdout) and ${holdout.length} to hold out; widen from..to or take a smaller step`,
      { dates: sorted.length, train: train.length, purged: purged.length, holdout: holdout.length },
    );
  }
  return { train, purged, holdout };
}
