import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { isoTimestamp } from './sql.ts';

/**
 * The audit log: one row per production change (`initial`, `promote`, `rollback`), written in
 * the same transaction as its `production_log` row and pointing at it by `production_seq`, and
 * one row per promotion the gate refused (`promote_refused`, no production row).
 */
export const AUDIT_ACTIONS = ['initial', 'promote', 'rollback', 'promote_refused'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  seq: number;
  at: string;
  by: string;
  action: AuditAction;
  fromHash: string | null;
  toHash: string;
  reason: string;
  /** The gate's decision; null when no gate applied (initial, rollback). */
  gatePassed: boolean | null;
  /** True when an admin promoted past a refusal. */
  overridden: boolean;
  /** The gate decision with the backtest figures it rested on (see `GateDecision`), or null. */
  figures: unknown;
  productionSeq: number | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'>;

/** Appends an audit row and returns its seq; for use inside the caller's transaction. */
export async function insertAudit(
  connection: DuckDBConnection,
  schema: string,
  entry: NewAuditEntry,
  now: Date,
): Promise<number> {
  const [row] = await queryRows<{ seq: bigint }>(
    connection,
    `INSERT INTO ${schema}.audit_log
     SELECT coalesce(max(seq), 0) + 1, $at::TIMESTAMP, $by, $action, $from, $to, $reason,
       $passed::BOOLEAN, $overridden::BOOLEAN, $figures, $production::BIGINT
     FROM ${schema}.audit_log
     RETURNING seq`,
    {
      at: now.toISOString(),
      by: entry.by,
      action: entry.action,
      from: entry.fromHash,
      to: entry.toHash,
      reason: entry.reason,
      passed: entry.gatePassed,
      overridden: entry.overridden,
      figures: entry.figures === null ? null : JSON.stringify(entry.figures),
      production: entry.productionSeq,
    },
  );
  return Number(row!.seq);
}

interface AuditRow {
  seq: bigint;
  at: string;
  by: string;
  action: AuditAction;
  from_hash: string | null;
  to_hash: string;
  reason: string;
  gate_passed: boolean | null;
  overridden: boolean;
  figures: string | null;
  production_seq: bigint | null;
}

/** Audit entries, newest first. */
export async function listAudit(
  connection: DuckDBConnection,
  schema: string,
  options: { limit?: number; hash?: string } = {},
): Promise<AuditEntry[]> {
  const limit =
    options.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(options.limit))}`;
  const where = options.hash === undefined ? 'true' : '(from_hash = $hash OR to_hash = $hash)';
  const rows = await queryRows<AuditRow>(
    connection,
    `SELECT seq, ${isoTimestamp('changed_at')} AS at, actor AS by, action, from_hash, to_hash,
       reason, gate_passed, overridden, figures, production_seq
     FROM ${schema}.audit_log WHERE ${where} ORDER BY seq DESC ${limit}`,
    options.hash === undefined ? undefined : { hash: options.hash },
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: row.at,
    by: row.by,
    action: row.action,
    fromHash: row.from_hash,
    toHash: row.to_hash,
    reason: row.reason,
    gatePassed: row.gate_passed,
    overridden: row.overridden,
    figures: row.figures === null ? null : JSON.parse(row.figures),
    productionSeq: row.production_seq === null ? null : Number(row.production_seq),
  }));
}

/**
 * Checks that the registry is consistent and returns the problems found (empty when it is):
 * production resolves to a saved model, and the audit log and the production log correspond one
 * to one (same action, same target, `from` = the previous production model), and the production
 * model's newest status row says production. What a crash at any moment must never break.
 */
export async function checkRegistry(connection: DuckDBConnection, schema: string) {
  const problems: string[] = [];
  const found = async (sql: string, describe: (row: Record<string, unknown>) => string) => {
    for (const row of await queryRows(connection, sql)) problems.push(describe(row));
  };
  await found(
    `SELECT seq, count(*)::INTEGER AS n FROM ${schema}.production_log GROUP BY seq HAVING n > 1`,
    (row) => `production_log seq ${row.seq} occurs ${row.n} times`,
  );
  await found(
    `SELECT p.seq, p.model_hash FROM ${schema}.production_log p
     WHERE NOT EXISTS (SELECT 1 FROM ${schema}.models m WHERE m.hash = p.model_hash)`,
    (row) => `production_log seq ${row.seq} names model ${row.model_hash}, which is not saved`,
  );
  await found(
    `SELECT p.seq, count(a.seq)::INTEGER AS n
     FROM ${schema}.production_log p LEFT JOIN ${schema}.audit_log a ON a.production_seq = p.seq
     GROUP BY p.seq HAVING n <> 1`,
    (row) => `production_log seq ${row.seq} has ${row.n} audit rows (expected 1)`,
  );
  await found(
    `SELECT a.seq, a.production_seq FROM ${schema}.audit_log a
     WHERE (a.production_seq IS NULL) <> (a.action = 'promote_refused')
       OR (a.production_seq IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM ${schema}.production_log p WHERE p.seq = a.production_seq))`,
    (row) =>
      `audit seq ${row.seq} points at production_log seq ${row.production_seq}, which does not match its action or does not exist`,
  );
  await found(
    `SELECT a.seq FROM ${schema}.audit_log a
     JOIN (SELECT *, lag(model_hash) OVER (ORDER BY seq) AS previous FROM ${schema}.production_log) p
       ON p.seq = a.production_seq
     WHERE a.action <> p.action OR a.to_hash <> p.model_hash
       OR a.from_hash IS DISTINCT FROM p.previous`,
    (row) => `audit seq ${row.seq} disagrees with its production_log row`,
  );
  await found(
    `WITH current AS (SELECT model_hash FROM ${schema}.production_log ORDER BY seq DESC LIMIT 1)
     SELECT s.model_hash, arg_max(s.status, s.seq) AS status FROM ${schema}.model_status_log s
     WHERE s.model_hash IN (SELECT model_hash FROM current)
     GROUP BY s.model_hash HAVING arg_max(s.status, s.seq) <> 'production'`,
    (row) => `production model ${row.model_hash} has newest status ${row.status}`,
  );
  return problems;
}
