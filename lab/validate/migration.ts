import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../run.ts';
import { quoteTableName } from '../sql.ts';

export const MIGRATION_BANDS = ['red', 'yellow', 'green', 'unscored'] as const;
export type MigrationBand = (typeof MIGRATION_BANDS)[number];

export interface BandChange {
  account_id: string;
  segment: string;
  fromBand: MigrationBand;
  toBand: MigrationBand;
  fromScore: number | null;
  toScore: number | null;
}

export interface Migration {
  /** Model indices in the comparison. */
  from: number;
  to: number;
  asOf: string;
  bands: MigrationBand[];
  /** matrix[i][j]: accounts in bands[i] under `from` and bands[j] under `to`. */
  matrix: number[][];
  /** Accounts active at asOf: the sum of every row, and of every column. */
  accounts: number;
  /** Accounts whose band differs, the largest score changes first, at most `cap` of them. */
  changed: BandChange[];
  changedTotal: number;
  cap: number;
}

/**
 * How accounts move between bands from model `from` to model `to` at one date, over every
 * account active then (labelled or not: migration needs no outcome). A score that is null is
 * the band `unscored`.
 */
export async function bandMigration(
  connection: DuckDBConnection,
  request: { table: string; from: number; to: number; asOf: string; cap: number },
): Promise<Migration> {
  const table = quoteTableName(request.table);
  const a = `coalesce(band_${request.from}, 'unscored')`;
  const b = `coalesce(band_${request.to}, 'unscored')`;
  const params = { as_of: request.asOf };
  const cells = await runRows<{ a: MigrationBand; b: MigrationBand; n: number }>(
    connection,
    `SELECT ${a} AS a, ${b} AS b, CAST(count(*) AS DOUBLE) AS n
FROM ${table} WHERE as_of = CAST($as_of AS DATE) GROUP BY ALL`,
    params,
  );
  const matrix = MIGRATION_BANDS.map(() => MIGRATION_BANDS.map(() => 0));
  for (const cell of cells) {
    matrix[MIGRATION_BANDS.indexOf(cell.a)]![MIGRATION_BANDS.indexOf(cell.b)] = cell.n;
  }
  const changed = await runRows<BandChange>(
    connection,
    `SELECT account_id, segment, ${a} AS "fromBand", ${b} AS "toBand",
  score_${request.from} AS "fromScore", score_${request.to} AS "toScore"
FROM ${table}
WHERE as_of = CAST($as_of AS DATE) AND ${a} <> ${b}
ORDER BY abs(score_${request.from} - score_${request.to}) DESC NULLS FIRST, account_id
LIMIT ${Math.max(0, Math.floor(request.cap))}`,
    params,
  );
  const total = cells.filter((cell) => cell.a !== cell.b).reduce((sum, cell) => sum + cell.n, 0);
  return {
    from: request.from,
    to: request.to,
    asOf: request.asOf,
    bands: [...MIGRATION_BANDS],
    matrix,
    accounts: cells.reduce((sum, cell) => sum + cell.n, 0),
    changed,
    changedTotal: total,
    cap: request.cap,
  };
}
