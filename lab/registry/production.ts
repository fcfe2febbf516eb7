import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { LabError } from '../errors.ts';
import { toSaved, type ModelRow, type SavedModel } from './registry.ts';
import { isoTimestamp } from './sql.ts';

/**
 * Reading production: the newest row of the append-only `production_log` names the production
 * model. Rows are written only by `change.ts`.
 */
export interface ProductionEntry {
  seq: number;
  hash: string;
  at: string;
  by: string;
  reason: string;
  action: 'promote' | 'rollback' | 'initial';
}

/** Every production entry, oldest first. */
export async function productionLog(
  connection: DuckDBConnection,
  schema: string,
  options: { newestFirst?: boolean; limit?: number } = {},
): Promise<ProductionEntry[]> {
  const rows = await queryRows<{
    seq: bigint;
    model_hash: string;
    at: string;
    by: string;
    reason: string;
    action: ProductionEntry['action'];
  }>(
    connection,
    `SELECT seq, model_hash, ${isoTimestamp('changed_at')} AS at, changed_by AS by, reason, action
     FROM ${schema}.production_log ORDER BY seq ${options.newestFirst ? 'DESC' : 'ASC'}
     ${options.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(options.limit))}`}`,
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    hash: row.model_hash,
    at: row.at,
    by: row.by,
    reason: row.reason,
    action: row.action,
  }));
}

/** The newest production entry, or null on a registry that never had one. */
export async function productionEntry(
  connection: DuckDBConnection,
  schema: string,
): Promise<ProductionEntry | null> {
  const [entry] = await productionLog(connection, schema, { newestFirst: true, limit: 1 });
  return entry ?? null;
}

/**
 * The production model with its log entry, or null when none was ever set. Reads only `models`
 * and `production_log`, so it also works read-only on a state database from before statuses.
 */
export async function productionModel(
  connection: DuckDBConnection,
  schema: string,
): Promise<(SavedModel & { entry: ProductionEntry }) | null> {
  const entry = await productionEntry(connection, schema);
  if (!entry) return null;
  const [row] = await queryRows<Omit<ModelRow, 'status'>>(
    connection,
    `SELECT hash, name, spec, ${isoTimestamp('created_at')} AS created_at, created_by, derived_from
     FROM ${schema}.models WHERE hash = $hash`,
    { hash: entry.hash },
  );
  if (!row) {
    throw new LabError(
      'invalid_request',
      `production names model ${entry.hash}, which is not saved`,
    );
  }
  return { ...toSaved({ ...row, status: 'production' }), entry };
}
