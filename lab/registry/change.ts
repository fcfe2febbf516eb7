import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { LabError } from '../errors.ts';
import { modelHash } from '../model/hash.ts';
import type { Model } from '../model/spec.ts';
import { insertAudit, type AuditAction } from './audit.ts';
import { productionModel, type ProductionEntry } from './production.ts';
import { getModel, insertModel, recordStatus, type SavedModel } from './registry.ts';
import { inTransaction } from './sql.ts';

/**
 * Production changes: promotion (through the gate), rollback, and the initial default model.
 * Each is ONE transaction that writes the audit row, the `production_log` row (which is what
 * makes a model production) and the status rows, so a crash at any moment leaves the old
 * production model with its audit trail or the new one with its, never a mix and never neither.
 * Two changes made at once on different connections cannot both commit (see `schema.ts`); the
 * server should still run them one at a time.
 */

/** Points inside a production change, for tests that stop a process there. */
export type ProductionStep =
  'audit-written' | 'production-written' | 'statuses-written' | 'committed';

/** What the registry logs through; pino and Fastify loggers fit. */
export interface RegistryLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ChangeHooks {
  log?: RegistryLogger;
  /** Awaited at each step; tests use it to pause or crash a change midway. */
  onStep?: (step: ProductionStep) => Promise<void> | void;
}

export interface Change {
  action: Exclude<AuditAction, 'promote_refused'>;
  from: string | null;
  to: string;
  by: string;
  reason: string;
  gatePassed: boolean | null;
  overridden: boolean;
  figures: unknown;
  now: Date;
}

/**
 * Runs a production change in one transaction. When another change committed first (same
 * production_log or audit_log sequence number), the key violation becomes a clear error: nothing
 * of this change was written, and it can simply be tried again.
 */
export async function changeTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>) {
  try {
    return await inTransaction(connection, work);
  } catch (error) {
    if (
      error instanceof Error &&
      /duplicate key|constraint violation|conflict/i.test(error.message)
    ) {
      throw new LabError(
        'invalid_request',
        'another production change was committed at the same time; nothing was changed, try again',
        { cause: error.message },
      );
    }
    throw error;
  }
}

/** Who made a change: a non-empty name. */
export function requireBy(by: string): string {
  const trimmed = by.trim();
  if (!trimmed)
    throw new LabError('invalid_request', 'a production change needs to say who made it');
  return trimmed;
}

/** Writes one production change; the caller holds the transaction. */
export async function writeChange(
  connection: DuckDBConnection,
  schema: string,
  change: Change,
  onStep: ChangeHooks['onStep'],
): Promise<{ auditSeq: number; productionSeq: number }> {
  const [next] = await queryRows<{ seq: bigint }>(
    connection,
    `SELECT coalesce(max(seq), 0) + 1 AS seq FROM ${schema}.production_log`,
  );
  const productionSeq = Number(next!.seq);
  const auditSeq = await insertAudit(
    connection,
    schema,
    {
      by: change.by,
      action: change.action,
      fromHash: change.from,
      toHash: change.to,
      reason: change.reason,
      gatePassed: change.gatePassed,
      overridden: change.overridden,
      figures: change.figures,
      productionSeq,
    },
    change.now,
  );
  await onStep?.('audit-written');
  await connection.run(
    `INSERT INTO ${schema}.production_log VALUES ($seq, $hash, $at::TIMESTAMP, $by, $reason, $action)`,
    {
      seq: productionSeq,
      hash: change.to,
      at: change.now.toISOString(),
      by: change.by,
      reason: change.reason,
      action: change.action,
    },
  );
  await onStep?.('production-written');
  const meta = { by: change.by, reason: `${change.action}: ${change.reason}`, now: change.now };
  await recordStatus(connection, schema, change.to, 'production', meta);
  if (change.from !== null && change.from !== change.to) {
    await recordStatus(connection, schema, change.from, 'retired', meta);
  }
  await onStep?.('statuses-written');
  return { auditSeq, productionSeq };
}

/**
 * On a fresh state, registers the shipped default model as production (audited as `initial`).
 * Returns the production model either way.
 */
export async function ensureProduction(
  connection: DuckDBConnection,
  schema: string,
  fallback: Model,
  now: Date,
): Promise<SavedModel & { entry: ProductionEntry }> {
  const current = await productionModel(connection, schema);
  if (current) return current;
  const initial = changeTransaction(connection, async () => {
    const hash = modelHash(fallback);
    if (!(await getModel(connection, schema, hash))) {
      await insertModel(connection, schema, fallback, {
        by: 'vitals',
        derivedFrom: null,
        status: 'candidate',
        now,
      });
    }
    await writeChange(
      connection,
      schema,
      {
        action: 'initial',
        from: null,
        to: hash,
        by: 'vitals',
        reason: 'shipped default model on a fresh state',
        gatePassed: null,
        overridden: false,
        figures: null,
        now,
      },
      undefined,
    );
  });
  // Losing a race to another connection that set production first is fine: use what it set.
  await initial.catch(async (error: unknown) => {
    if (!(await productionModel(connection, schema))) throw error;
  });
  return (await productionModel(connection, schema))!;
}
