import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { canonicalJson } from '../model/hash.ts';
import { backtestCacheKey } from '../validate/cache-key.ts';
import { isoTimestamp } from './sql.ts';

/**
 * The backtest cache: results stored in the state database under a key derived from
 * (model hash, data fingerprint, settings), so that reopening a comparison on unchanged data
 * costs a lookup, and so that the promotion gate can ask whether a model was validated on the
 * current data with the current settings. The key is always `backtestCacheKey` (lab/validate),
 * which parses the settings first, so two spellings of the same settings share a key and a
 * result computed by an older engine version is not found.
 */
export interface StoredBacktest {
  key: string;
  modelHash: string;
  dataFingerprint: string;
  settings: unknown;
  result: unknown;
  createdAt: string;
}

export interface BacktestRecord {
  modelHash: string;
  dataFingerprint: string;
  settings: unknown;
  result: unknown;
}

/** Stores (or replaces) a backtest result under its cache key, in one statement. */
export async function storeBacktest(
  connection: DuckDBConnection,
  schema: string,
  record: BacktestRecord,
  now: Date,
): Promise<StoredBacktest> {
  const key = backtestCacheKey(record.modelHash, record.dataFingerprint, record.settings);
  await connection.run(
    `INSERT OR REPLACE INTO ${schema}.backtests
     VALUES ($key, $model, $fingerprint, $settings, $result, $at::TIMESTAMP)`,
    {
      key,
      model: record.modelHash,
      fingerprint: record.dataFingerprint,
      settings: canonicalJson(record.settings),
      result: JSON.stringify(record.result),
      at: now.toISOString(),
    },
  );
  return (await findBacktest(connection, schema, key))!;
}

interface BacktestRow {
  key: string;
  model_hash: string;
  data_fingerprint: string;
  settings: string;
  result: string;
  created_at: string;
}

const COLUMNS = `key, model_hash, data_fingerprint, settings, result,
  ${isoTimestamp('created_at')} AS created_at`;

function toStored(row: BacktestRow): StoredBacktest {
  return {
    key: row.key,
    modelHash: row.model_hash,
    dataFingerprint: row.data_fingerprint,
    settings: JSON.parse(row.settings),
    result: JSON.parse(row.result),
    createdAt: row.created_at,
  };
}

/** The stored backtest with this key, or null. */
export async function findBacktest(
  connection: DuckDBConnection,
  schema: string,
  key: string,
): Promise<StoredBacktest | null> {
  const [row] = await queryRows<BacktestRow>(
    connection,
    `SELECT ${COLUMNS} FROM ${schema}.backtests WHERE key = $key`,
    { key },
  );
  return row ? toStored(row) : null;
}

/**
 * The stored backtest of a model on a data fingerprint with these settings, or null: what the
 * promotion gate asks for. Invalid settings throw, as `backtestCacheKey` does.
 */
export async function findBacktestFor(
  connection: DuckDBConnection,
  schema: string,
  query: { modelHash: string; dataFingerprint: string; settings: unknown },
): Promise<StoredBacktest | null> {
  const key = backtestCacheKey(query.modelHash, query.dataFingerprint, query.settings);
  return findBacktest(connection, schema, key);
}

/** Every stored backtest of a model, newest first. */
export async function listBacktests(
  connection: DuckDBConnection,
  schema: string,
  modelHash: string,
): Promise<StoredBacktest[]> {
  const rows = await queryRows<BacktestRow>(
    connection,
    `SELECT ${COLUMNS} FROM ${schema}.backtests WHERE model_hash = $model
     ORDER BY backtests.created_at DESC, key`,
    { model: modelHash },
  );
  return rows.map(toStored);
}
