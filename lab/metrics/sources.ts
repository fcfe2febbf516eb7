import { SEASONAL_COLUMNS, SEASONAL_FACTORS_TABLE } from '../seasonality/factors.ts';
import type { SourceTable } from './types.ts';

/**
 * How each table is read by metrics: the columns aggregates see as `t.<column>`, and the column
 * that places a row in time (the point-in-time rule compares it with T). Timestamps are reduced to
 * their day, so "on or before T" means "by the end of day T" for every table.
 */
export interface Source {
  table: SourceTable;
  columns: string;
  /** The row's day among `columns`. */
  date: string;
  /** The same day over the raw table, for the pre-filter that lets scans skip old rows. */
  rawDate: string;
  /** When the row's time is a TIMESTAMP column: its name, compared uncast in the pre-filter. */
  rawTimestamp?: string;
  /** The FROM clause of the scan, when it is not the table alone. */
  from?: string;
  /**
   * Seasonally adjusted: the columns that are divided by the factor of the row's segment and day
   * as of T, read from the `factors` table (see lab/seasonality/factors.ts); `columns` must include
   * `segment`. Adjusted values depend on T, so such a source is always read with the direct plan.
   */
  adjusted?: { factors: string; columns: readonly string[] };
}

const source = (
  table: SourceTable,
  columns: string,
  date: string,
  rawDate = date,
  rawTimestamp?: string,
): Source => ({ table, columns, date, rawDate, ...(rawTimestamp ? { rawTimestamp } : {}) });

export const SOURCES: Record<SourceTable, Source> = {
  outcomes: source('outcomes', 'account_id, event_date, event, arr_delta', 'event_date'),
  usage_daily: source(
    'usage_daily',
    'account_id, date, seats, active_users, logins, feature_events, features_used',
    'date',
  ),
  support_tickets: source(
    'support_tickets',
    'account_id, CAST(opened_at AS DATE) AS opened_on, CAST(closed_at AS DATE) AS closed_on, priority, csat',
    'opened_on',
    'CAST(opened_at AS DATE)',
    'opened_at',
  ),
  engagement: source('engagement', 'account_id, date, kind, "count"', 'date'),
  invoices: source('invoices', 'account_id, issued_on, due_on, paid_on, amount', 'issued_on'),
  surveys: source('surveys', 'account_id, date, kind, score', 'date'),
  milestones: source('milestones', 'account_id, milestone, achieved_on', 'achieved_on'),
  signals: source('signals', 'account_id, date, signal, value', 'date'),
};

/**
 * The source read instead of `table` when a metric asks for seasonal adjustment: daily usage with
 * each activity column divided by its segment's seasonal factor for the day as of T. Null for
 * tables without an adjusted variant.
 */
export function seasonalSource(table: SourceTable): Source | null {
  if (table !== 'usage_daily') return null;
  return {
    ...SOURCES.usage_daily,
    columns:
      'usage_daily.account_id, date, seats, active_users, logins, feature_events, features_used, accounts.segment',
    from: 'usage_daily JOIN accounts ON accounts.account_id = usage_daily.account_id',
    adjusted: { factors: SEASONAL_FACTORS_TABLE, columns: SEASONAL_COLUMNS },
  };
}
