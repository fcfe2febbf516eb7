import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { LabError } from '../errors.ts';
import { latestDataDate } from '../history/history.ts';
import { runRows, runStatement } from '../run.ts';
import { quoteTableName } from '../sql.ts';

/**
 * Labels for backtests. For each snapshot (account, T) of the metric table, which holds exactly
 * the accounts active at T (started on or before T, no churn on or before T):
 *
 * - label 1 (churned): the account's first `churned` outcome falls in (T, T + horizon];
 * - label 0 (not churned): otherwise, when the whole window lies within the data
 *   (T + horizon <= dataEnd), or some outcome (renewed, expanded, contracted) falls in the part
 *   of the window that does: an account that renewed is a negative;
 * - NULL (excluded): the window runs past the end of the data and holds no outcome, so whether
 *   the account churned is not known yet. Excluded rows are counted, never taken as negatives.
 *
 * ARR at T is `accounts.arr` (the ARR after the last renewal, or when it left) minus the
 * arr_delta of the renewal outcomes (renewed, expanded, contracted) dated after T. The ARR a
 * churned snapshot loses is minus the churn outcome's arr_delta, or its ARR at T when the
 * outcome carries none.
 *
 * Columns: account_id, as_of, segment, account_idx (0-based, by account_id), segment_idx (0-based,
 * by segment), churned_on, label, arr, arr_lost.
 */
export async function createLabels(
  connection: DuckDBConnection,
  request: { metricTable: string; into: string; horizon: number; dataEnd: string },
): Promise<void> {
  const sql = `CREATE OR REPLACE TEMP TABLE ${quoteTableName(request.into)} AS
WITH snaps AS (
  SELECT account_id, as_of, coalesce(segment, '(none)') AS segment,
    as_of + CAST($horizon AS INTEGER) AS window_end
  FROM ${quoteTableName(request.metricTable)}
),
churn AS (
  SELECT account_id, min(event_date) AS churned_on
  FROM outcomes WHERE event = 'churned' GROUP BY account_id
),
churn_delta AS (
  SELECT o.account_id, sum(o.arr_delta) AS delta
  FROM outcomes o JOIN churn c ON c.account_id = o.account_id AND o.event_date = c.churned_on
  WHERE o.event = 'churned'
  GROUP BY o.account_id
),
windowed AS (
  SELECT s.account_id, s.as_of,
    count(*) FILTER (WHERE o.event_date <= s.window_end) AS events,
    sum(o.arr_delta) FILTER (WHERE o.event <> 'churned') AS later_delta
  FROM snaps s JOIN outcomes o ON o.account_id = s.account_id AND o.event_date > s.as_of
  GROUP BY s.account_id, s.as_of
),
labelled AS (
  SELECT s.account_id, s.as_of, s.segment, c.churned_on,
    CASE WHEN c.churned_on <= s.window_end THEN 1
      WHEN s.window_end > CAST($data_end AS DATE) AND coalesce(w.events, 0) = 0 THEN NULL
      ELSE 0 END AS label,
    greatest(coalesce(a.arr, 0) - coalesce(w.later_delta, 0), 0) AS arr,
    d.delta AS churn_delta
  FROM snaps s
  JOIN accounts a ON a.account_id = s.account_id
  LEFT JOIN churn c ON c.account_id = s.account_id
  LEFT JOIN churn_delta d ON d.account_id = s.account_id
  LEFT JOIN windowed w ON w.account_id = s.account_id AND w.as_of = s.as_of
)
SELECT account_id, as_of, segment,
  CAST(dense_rank() OVER (ORDER BY account_id) - 1 AS INTEGER) AS account_idx,
  CAST(dense_rank() OVER (ORDER BY segment) - 1 AS INTEGER) AS segment_idx,
  churned_on,
  CAST(label AS UTINYINT) AS label,
  CAST(arr AS DOUBLE) AS arr,
  CAST(CASE WHEN label = 1 THEN
    CASE WHEN churn_delta < 0 THEN -churn_delta ELSE arr END
  ELSE 0 END AS DOUBLE) AS arr_lost
FROM labelled`;
  await runStatement(connection, sql, {
    horizon: String(request.horizon),
    data_end: request.dataEnd,
  });
}

/** The segments of a labels table, in segment_idx order. */
export async function labelSegments(
  connection: DuckDBConnection,
  labels: string,
): Promise<string[]> {
  const rows = await runRows<{ segment: string }>(
    connection,
    `SELECT DISTINCT segment, segment_idx FROM ${quoteTableName(labels)} ORDER BY segment_idx`,
    {},
  );
  return rows.map((row) => row.segment);
}

/**
 * The last day of data: `dataEnd` when given, else the latest day any table has a dated row for.
 * Snapshots must not lie after it (they would score accounts on data that does not exist yet).
 */
export async function resolveDataEnd(
  connection: DuckDBConnection,
  tables: readonly TableName[],
  settings: { to: string; dataEnd?: string | undefined },
): Promise<string> {
  const dataEnd = settings.dataEnd ?? (await latestDataDate(connection, tables, '9999-12-31'));
  if (dataEnd === null) {
    throw new LabError(
      'invalid_request',
      'the data has no dated rows, so nothing can be backtested',
    );
  }
  if (settings.to > dataEnd) {
    throw new LabError(
      'invalid_request',
      `the last snapshot date ${settings.to} is after the last day of data ${dataEnd}`,
      { to: settings.to, dataEnd },
    );
  }
  return dataEnd;
}
