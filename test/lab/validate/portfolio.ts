import type { Model } from '../../../lab/model/spec.ts';
import type { Row, Rows } from '../helpers.ts';
import { entry, signalModel } from '../models.ts';

/**
 * A hand-made portfolio whose backtest can be worked out on paper (backtest.test.ts checks every
 * figure against the numbers below). The model scores each account with its `health` signal as
 * is (identity thresholds), so a score is the signal value; bands: < 50 red, < 75 yellow, else
 * green.
 *
 * Snapshots: from 2024-01-01 to 2024-03-31 every 30 days (2024 is a leap year):
 *   T1 2024-01-01, T2 2024-01-31, T3 2024-03-01, T4 2024-03-31. Horizon 60 days:
 *   T1 (Jan 1, Mar 1], T2 (Jan 31, Mar 31], T3 (Mar 1, Apr 30], T4 (Mar 31, May 30].
 * The last dated row is D's signal on 2024-04-30, so dataEnd = 2024-04-30 and only T4's window
 * runs past it.
 *
 *  acct seg         start       outcome                  arr     T1     T2     T3     T4
 *  A    SMB         2023-01-01  churned 02-15 (-10,000)  10,000  40/1   30/1   -      -
 *  B    SMB         2023-01-01  churned 04-20 (-20,000)  20,000  80/0   60/0   45/1   45/1
 *  C    Enterprise  2023-06-01  expanded 04-15 (+5,000)  50,000  70/0   70/0   70/0   70/0 (renewal in the window: a negative)
 *  D    Enterprise  2023-06-01  none                     100,000 90/0   90/0   90/0   90/excl
 *  E    SMB         2024-02-01  none                     5,000   -      -      55/0   20/excl
 *  F    Mid-Market  2023-01-01  churned 03-20 (delta 0)  30,000  60/0   20/1   80/1   -
 *  G    Mid-Market  2023-01-01  none, no signal          8,000   null/0 null/0 null/0 null/excl
 *  H    SMB         2024-04-10  (never active at a snapshot)
 *  I    SMB         2023-01-01  churned 2023-12-01 (never active at a snapshot)
 *
 * (score/label; "-" not active; null: unscored.) C's ARR at T is 50,000 - 5,000 = 45,000 (the
 * expansion comes after every T); F's churn carries no arr_delta, so it loses its ARR at T.
 */
export const SNAPSHOTS = ['2024-01-01', '2024-01-31', '2024-03-01', '2024-03-31'] as const;
export const SETTINGS = {
  from: '2024-01-01',
  to: '2024-03-31',
  every: 30,
  horizon: 60,
  bootstrap: { reps: 50, seed: 3 },
} as const;

const [T1, T2, T3, T4] = SNAPSHOTS;

const HEALTH: Record<string, (number | null)[]> = {
  A: [40, 30, null, null],
  B: [80, 60, 45, 45],
  C: [70, 70, 70, 70],
  D: [90, 90, 90, 90],
  E: [null, null, 55, 20],
  F: [60, 20, 80, null],
};

export function portfolioRows(): Rows {
  const account = (id: string, segment: string, start: string, arr: number): Row => ({
    account_id: id,
    segment,
    start_date: start,
    arr,
  });
  const outcome = (id: string, date: string, event: string, delta: number): Row => ({
    account_id: id,
    event_date: date,
    event,
    arr_delta: delta,
  });
  const signals: Row[] = Object.entries(HEALTH).flatMap(([id, values]) =>
    values.flatMap((value, i) =>
      value === null ? [] : [{ account_id: id, date: SNAPSHOTS[i]!, signal: 'health', value }],
    ),
  );
  // After T4 and within its window: no score may see it; it fixes the last day of data.
  signals.push({ account_id: 'D', date: '2024-04-30', signal: 'health', value: 0 });
  return {
    accounts: [
      account('A', 'SMB', '2023-01-01', 10_000),
      account('B', 'SMB', '2023-01-01', 20_000),
      account('C', 'Enterprise', '2023-06-01', 50_000),
      account('D', 'Enterprise', '2023-06-01', 100_000),
      account('E', 'SMB', '2024-02-01', 5_000),
      account('F', 'Mid-Market', '2023-01-01', 30_000),
      account('G', 'Mid-Market', '2023-01-01', 8_000),
      account('H', 'SMB', '2024-04-10', 7_000),
      account('I', 'SMB', '2023-01-01', 9_000),
    ],
    outcomes: [
      outcome('A', '2024-02-15', 'churned', -10_000),
      outcome('B', '2024-04-20', 'churned', -20_000),
      outcome('C', '2024-04-15', 'expanded', 5_000),
      outcome('F', '2024-03-20', 'churned', 0),
      outcome('I', '2023-12-01', 'churned', -9_000),
    ],
    signals,
  };
}

export function healthModel(): Model {
  return signalModel([['health', 1, [entry('health', 1)]]]);
}

export { T1, T2, T3, T4 };
