import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import {
  earliestDataDate,
  latestDataDate,
  shiftDate as shift,
  WARM_UP_DAYS,
} from '../history/history.ts';

/** The standard validation: monthly snapshots, churn within 90 days, up to two years. */
export const DEFAULT_EVERY = 30;
export const DEFAULT_HORIZON = 90;
export const DEFAULT_SNAPSHOTS = 24;

/**
 * The current backtest settings for a data set: the ones the CLI and the promotion gate use when
 * none are given, so that a stored backtest and a promotion agree on them. The last snapshot is
 * one horizon before the last day of data (every label fully observed); snapshots step back
 * monthly, at most 24 of them, never before 90 days after the first day of data.
 */
export async function defaultBacktestSettings(
  connection: DuckDBConnection,
  tables: readonly TableName[],
): Promise<{ from: string; to: string; every: number; horizon: number }> {
  const end = await latestDataDate(connection, tables, '9999-12-31');
  const start = await earliestDataDate(connection, tables);
  if (!end || !start) {
    throw new LabError(
      'invalid_request',
      'the data has no dated rows, so nothing can be backtested',
    );
  }
  const to = shift(end, -DEFAULT_HORIZON);
  const earliest = shift(start, WARM_UP_DAYS);
  if (to < earliest) {
    throw new LabError(
      'invalid_request',
      `the data spans ${start} to ${end}: too short for ${WARM_UP_DAYS} days of history plus a ${DEFAULT_HORIZON}-day horizon`,
    );
  }
  const wanted = shift(to, -(DEFAULT_SNAPSHOTS - 1) * DEFAULT_EVERY);
  return {
    from: wanted < earliest ? earliest : wanted,
    to,
    every: DEFAULT_EVERY,
    horizon: DEFAULT_HORIZON,
  };
}
