import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../run.ts';
import { quoteTableName } from '../sql.ts';
import { riskFromHealth } from '../stats/index.ts';
import type { ModelRows } from './figures.ts';
import type { PerDate, RunCounts } from './schema.ts';
import { readTypedColumns } from './tables.ts';

/** Model `index`'s evaluated rows of the evaluation table, riskiest first, as typed arrays. */
export async function pullRows(
  connection: DuckDBConnection,
  table: string,
  index: number,
): Promise<ModelRows> {
  const { columns } = await readTypedColumns(
    connection,
    `SELECT score_${index} AS health, label, account_idx, segment_idx,
  CAST(CASE band_${index} WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END AS UTINYINT) AS band,
  arr, arr_lost
FROM ${quoteTableName(table)} WHERE evaluated
ORDER BY score_${index} ASC, account_idx, as_of`,
    {},
    {
      health: 'f64',
      label: 'u8',
      account_idx: 'i32',
      segment_idx: 'i32',
      band: 'u8',
      arr: 'f64',
      arr_lost: 'f64',
    },
  );
  return {
    risk: riskFromHealth(columns.health),
    label: columns.label,
    account: columns.account_idx,
    segment: columns.segment_idx,
    band: columns.band,
    arr: columns.arr,
    arrLost: columns.arr_lost,
  };
}

/** Counts behind every figure: per date, and in total (unscored per model too). */
export async function runCounts(connection: DuckDBConnection, table: string, models: number) {
  const scored = Array.from({ length: models }, (_, i) => `score_${i}`);
  const rows = await runRows<{
    as_of: string;
    accounts: number;
    excluded: number;
    positives: number;
    negatives: number;
    evaluated: number;
    unscored: number[];
  }>(
    connection,
    `SELECT strftime(as_of, '%Y-%m-%d') AS as_of,
  CAST(count(*) AS DOUBLE) AS accounts,
  CAST(count(*) FILTER (WHERE label IS NULL) AS DOUBLE) AS excluded,
  CAST(count(*) FILTER (WHERE label = 1) AS DOUBLE) AS positives,
  CAST(count(*) FILTER (WHERE label = 0) AS DOUBLE) AS negatives,
  CAST(count(*) FILTER (WHERE evaluated) AS DOUBLE) AS evaluated,
  [${scored.map((s) => `CAST(count(*) FILTER (WHERE label IS NOT NULL AND ${s} IS NULL) AS DOUBLE)`).join(', ')}] AS unscored
FROM ${quoteTableName(table)} GROUP BY as_of ORDER BY as_of`,
    {},
  );
  const [totals] = await runRows<{ accounts: number; excluded_accounts: number }>(
    connection,
    `SELECT CAST(count(DISTINCT account_id) AS DOUBLE) AS accounts,
  CAST(count(DISTINCT account_id) FILTER (WHERE label IS NULL) AS DOUBLE) AS excluded_accounts
FROM ${quoteTableName(table)}`,
    {},
  );
  const sum = (pick: (row: (typeof rows)[number]) => number) =>
    rows.reduce((total, row) => total + pick(row), 0);
  const unscored = scored.map((_, i) => sum((row) => row.unscored[i] ?? 0));
  const labelled = sum((row) => row.positives + row.negatives);
  const counts: RunCounts = {
    dates: rows.length,
    snapshots: sum((row) => row.accounts),
    accounts: totals?.accounts ?? 0,
    excluded: sum((row) => row.excluded),
    excludedAccounts: totals?.excluded_accounts ?? 0,
    positives: sum((row) => row.positives),
    negatives: sum((row) => row.negatives),
    unscored: labelled - sum((row) => row.evaluated),
    evaluated: sum((row) => row.evaluated),
  };
  const perDate: PerDate[] = rows.map(({ unscored: _unscored, as_of, ...row }) => ({
    asOf: as_of,
    ...row,
  }));
  return { counts, perDate, unscored };
}
