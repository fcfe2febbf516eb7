import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';

/**
 * The registry's tables in the state database. Every table is append-only except `backtests`,
 * a cache whose rows are replaced by key:
 *
 * - `models`: one immutable row per model version, named by the hash of its content.
 * - `model_status_log`: status changes (draft, candidate, production, retired); a model's status
 *   is derived from it and from `production_log` (see `registry.ts`).
 * - `production_log`: production is the newest row, so changing it is a single INSERT.
 * - `audit_log`: every production change (initial, promote, rollback) and every promotion the
 *   gate refused, with who, when, why and the gate's figures as JSON. A production change writes
 *   its audit row and its `production_log` row in the same transaction, linked by
 *   `production_seq`.
 * - `backtests`: stored backtest results keyed by (model hash, data fingerprint, settings).
 *
 * `production_log.seq` and `audit_log.seq` are primary keys and `audit_log.production_seq` is
 * unique, so of two production changes made at once on different connections, the second to
 * commit fails instead of both taking the same sequence number.
 */
export async function ensureRegistry(connection: DuckDBConnection, schema: string): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.models (
    hash VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    spec VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    derived_from VARCHAR
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.production_log (
    seq BIGINT PRIMARY KEY,
    model_hash VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    action VARCHAR NOT NULL
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.model_status_log (
    seq BIGINT NOT NULL,
    model_hash VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.audit_log (
    seq BIGINT PRIMARY KEY,
    changed_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    from_hash VARCHAR,
    to_hash VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    gate_passed BOOLEAN,
    overridden BOOLEAN NOT NULL,
    figures VARCHAR,
    production_seq BIGINT UNIQUE
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.backtests (
    key VARCHAR PRIMARY KEY,
    model_hash VARCHAR NOT NULL,
    data_fingerprint VARCHAR NOT NULL,
    settings VARCHAR NOT NULL,
    result VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
  )`);
  // State databases from before had production_log without its key.
  const [keyed] = await queryRows<{ n: number }>(
    connection,
    `SELECT count(*)::INTEGER AS n FROM duckdb_constraints()
     WHERE table_name = 'production_log' AND constraint_type = 'PRIMARY KEY'
       AND (database_name = $schema OR (database_name = current_database() AND schema_name = $schema))`,
    { schema },
  );
  if (keyed!.n === 0) {
    await connection.run(`ALTER TABLE ${schema}.production_log ADD PRIMARY KEY (seq)`);
  }
  // Production changes made before the audit log existed get their audit rows, so that the two
  // logs correspond one to one on every state database. One statement: all or nothing.
  await connection.run(`INSERT INTO ${schema}.audit_log
    SELECT (SELECT coalesce(max(seq), 0) FROM ${schema}.audit_log) + row_number() OVER (ORDER BY p.seq),
      p.changed_at, p.changed_by, p.action, p.from_hash, p.model_hash, p.reason, NULL, false, NULL, p.seq
    FROM (SELECT *, lag(model_hash) OVER (ORDER BY seq) AS from_hash FROM ${schema}.production_log) p
    WHERE NOT EXISTS (SELECT 1 FROM ${schema}.audit_log a WHERE a.production_seq = p.seq)`);
}
