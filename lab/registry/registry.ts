import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { LabError } from '../errors.ts';
import { canonicalJson, modelHash } from '../model/hash.ts';
import { parseModel, type Model } from '../model/spec.ts';
import { inTransaction, isoTimestamp } from './sql.ts';

/**
 * The model registry, kept in the state database. A saved model version is immutable and named
 * by the hash of its content; what changes is its status, recorded as rows of
 * `model_status_log`. Production is not a flag on a model but the newest entry of the
 * append-only `production_log` (see `change.ts` for how it changes).
 *
 * A model's status is:
 * - `production` when it is the model of the newest `production_log` row;
 * - otherwise its newest `model_status_log` status, where `production` reads as `retired`: a
 *   model leaves production only by being replaced (promotion of another model, or rollback),
 *   and it is then retired (still on record, still a rollback target, promotable again);
 * - `retired` for a model that was production before status changes were recorded, else `draft`.
 */
export const MODEL_STATUSES = ['draft', 'candidate', 'production', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** The statuses a person sets directly; production changes only by promotion and rollback. */
export const SETTABLE_STATUSES = ['draft', 'candidate', 'retired'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export interface SavedModel {
  hash: string;
  name: string;
  model: Model;
  createdAt: string;
  createdBy: string;
  derivedFrom: string | null;
  status: ModelStatus;
}

export interface StatusChange {
  seq: number;
  hash: string;
  status: ModelStatus;
  at: string;
  by: string;
  reason: string;
}

export interface ModelRow {
  hash: string;
  name: string;
  spec: string;
  created_at: string;
  created_by: string;
  derived_from: string | null;
  status: ModelStatus;
}

export function toSaved(row: ModelRow): SavedModel {
  return {
    hash: row.hash,
    name: row.name,
    model: parseModel(row.spec),
    createdAt: row.created_at,
    createdBy: row.created_by,
    derivedFrom: row.derived_from,
    status: row.status,
  };
}

/** Models with their derived status (see the module comment); `where` filters `m`. */
function selectModels(schema: string, where: string): string {
  return `WITH current AS (
      SELECT model_hash FROM ${schema}.production_log ORDER BY seq DESC LIMIT 1),
    latest AS (
      SELECT model_hash, arg_max(status, seq) AS status FROM ${schema}.model_status_log
      GROUP BY model_hash)
    SELECT m.hash, m.name, m.spec, ${isoTimestamp('m.created_at')} AS created_at, m.created_by,
      m.derived_from,
      CASE
        WHEN m.hash IN (SELECT model_hash FROM current) THEN 'production'
        WHEN l.status = 'production' THEN 'retired'
        WHEN l.status IS NOT NULL THEN l.status
        WHEN m.hash IN (SELECT model_hash FROM ${schema}.production_log) THEN 'retired'
        ELSE 'draft'
      END AS status
    FROM ${schema}.models m LEFT JOIN latest l ON l.model_hash = m.hash
    WHERE ${where}
    ORDER BY m.created_at, m.hash`;
}

/** Appends a status change; the caller decides whether it is allowed. */
export async function recordStatus(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  status: ModelStatus,
  meta: { by: string; reason: string; now: Date },
): Promise<void> {
  await connection.run(
    `INSERT INTO ${schema}.model_status_log
     SELECT coalesce(max(seq), 0) + 1, $hash, $status, $at::TIMESTAMP, $by, $reason
     FROM ${schema}.model_status_log`,
    { hash, status, at: meta.now.toISOString(), by: meta.by, reason: meta.reason },
  );
}

/**
 * Saves a model version with status `draft` (or `candidate`). Saving the same content again
 * returns the existing version as it is (status and derivation unchanged) with `created: false`.
 * `derivedFrom` must name a saved model.
 */
export async function saveModel(
  connection: DuckDBConnection,
  schema: string,
  model: Model,
  meta: { by: string; derivedFrom?: string | null; status?: 'draft' | 'candidate'; now: Date },
): Promise<SavedModel & { created: boolean }> {
  const hash = modelHash(model);
  const existing = await getModel(connection, schema, hash);
  if (existing) return { ...existing, created: false };
  const derivedFrom = meta.derivedFrom ?? null;
  if (derivedFrom !== null && !(await getModel(connection, schema, derivedFrom))) {
    throw new LabError('invalid_request', `derived from ${derivedFrom}, which is not saved`);
  }
  await inTransaction(connection, () =>
    insertModel(connection, schema, model, {
      ...meta,
      derivedFrom,
      status: meta.status ?? 'draft',
    }),
  );
  return { ...(await getModel(connection, schema, hash))!, created: true };
}

/** Inserts a new model version and its first status; for use inside a caller's transaction. */
export async function insertModel(
  connection: DuckDBConnection,
  schema: string,
  model: Model,
  meta: { by: string; derivedFrom: string | null; status: ModelStatus; now: Date },
): Promise<string> {
  const hash = modelHash(model);
  await connection.run(
    `INSERT INTO ${schema}.models VALUES ($hash, $name, $spec, $at::TIMESTAMP, $by, $derived)`,
    {
      hash,
      name: model.name,
      spec: canonicalJson(model),
      at: meta.now.toISOString(),
      by: meta.by,
      derived: meta.derivedFrom,
    },
  );
  await recordStatus(connection, schema, hash, meta.status, {
    by: meta.by,
    reason: 'saved',
    now: meta.now,
  });
  return hash;
}

export async function getModel(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<SavedModel | null> {
  const [row] = await queryRows<ModelRow>(connection, selectModels(schema, 'm.hash = $hash'), {
    hash,
  });
  return row ? toSaved(row) : null;
}

/** Like `getModel`, but a missing model is an error naming the hash. */
export async function requireModel(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<SavedModel> {
  const saved = await getModel(connection, schema, hash);
  if (!saved) throw new LabError('invalid_request', `no saved model has hash ${hash}`);
  return saved;
}

/** Every saved model, oldest first, optionally only those with one status. */
export async function listModels(
  connection: DuckDBConnection,
  schema: string,
  filter: { status?: ModelStatus } = {},
): Promise<SavedModel[]> {
  const rows = await queryRows<ModelRow>(connection, selectModels(schema, 'true'));
  const models = rows.map(toSaved);
  return filter.status ? models.filter((model) => model.status === filter.status) : models;
}

/** The full hash of the one saved model whose hash starts with `prefix` (4+ hex digits). */
export async function resolveModelHash(
  connection: DuckDBConnection,
  schema: string,
  prefix: string,
): Promise<string> {
  const wanted = prefix.trim().toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(wanted)) {
    throw new LabError(
      'invalid_request',
      `a model hash is 4 to 64 hex digits (a prefix is enough), got "${prefix}"`,
    );
  }
  const rows = await queryRows<{ hash: string }>(
    connection,
    `SELECT hash FROM ${schema}.models WHERE starts_with(hash, $wanted) ORDER BY hash LIMIT 3`,
    { wanted },
  );
  if (rows.length === 0) throw new LabError('invalid_request', `no saved model has hash ${prefix}`);
  if (rows.length > 1) {
    throw new LabError(
      'invalid_request',
      `hash prefix ${prefix} is ambiguous: ${rows.map((row) => row.hash.slice(0, 12)).join(', ')}${rows.length > 2 ? ', ...' : ''}`,
    );
  }
  return rows[0]!.hash;
}

/**
 * Sets the status of a model that is not production to draft, candidate or retired. A
 * production model leaves production only when another one replaces it.
 */
export async function setStatus(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  status: SettableStatus,
  meta: { by: string; reason?: string; now: Date },
): Promise<SavedModel> {
  if (!(SETTABLE_STATUSES as readonly string[]).includes(status)) {
    throw new LabError(
      'invalid_request',
      `status must be one of ${SETTABLE_STATUSES.join(', ')} (production changes by promotion), got "${status}"`,
    );
  }
  const saved = await requireModel(connection, schema, hash);
  if (saved.status === 'production') {
    throw new LabError(
      'invalid_request',
      `model ${hash.slice(0, 12)} is production; promote another model or roll back instead`,
    );
  }
  if (saved.status === status) return saved;
  await recordStatus(connection, schema, hash, status, {
    by: meta.by,
    reason: meta.reason ?? '',
    now: meta.now,
  });
  return (await getModel(connection, schema, hash))!;
}

/** A model's recorded status changes, oldest first. */
export async function statusHistory(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<StatusChange[]> {
  const rows = await queryRows<{
    seq: bigint;
    model_hash: string;
    status: ModelStatus;
    at: string;
    by: string;
    reason: string;
  }>(
    connection,
    `SELECT seq, model_hash, status, ${isoTimestamp('changed_at')} AS at, changed_by AS by, reason
     FROM ${schema}.model_status_log WHERE model_hash = $hash ORDER BY seq`,
    { hash },
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    hash: row.model_hash,
    status: row.status,
    at: row.at,
    by: row.by,
    reason: row.reason,
  }));
}
