import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../data/duckdb.ts';
import { LabError } from '../errors.ts';
import { canonicalJson, modelHash } from '../model/hash.ts';
import { parseModel, type Model } from '../model/spec.ts';

/**
 * The model registry, kept in the state database. A saved model version is immutable and named
 * by the hash of its content. Production is not a flag on a model but the newest entry of an
 * append-only log, so changing it is a single INSERT: a crash leaves the old entry or the new
 * one, never neither, and every past production model stays on record.
 */
export const MODEL_STATUSES = ['draft', 'candidate', 'production', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export interface SavedModel {
  hash: string;
  name: string;
  model: Model;
  createdAt: string;
  createdBy: string;
  derivedFrom: string | null;
}

export interface ProductionEntry {
  seq: number;
  hash: string;
  at: string;
  by: string;
  reason: string;
  action: 'promote' | 'rollback' | 'initial';
}

/** Creates the registry's tables in `schema` (an attached state database) when missing. */
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
    seq BIGINT NOT NULL,
    model_hash VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    action VARCHAR NOT NULL
  )`);
}

interface ModelRow {
  hash: string;
  name: string;
  spec: string;
  created_at: string;
  created_by: string;
  derived_from: string | null;
}

function toSaved(row: ModelRow): SavedModel {
  return {
    hash: row.hash,
    name: row.name,
    model: parseModel(row.spec),
    createdAt: row.created_at,
    createdBy: row.created_by,
    derivedFrom: row.derived_from,
  };
}

const MODEL_COLUMNS = `hash, name, spec, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
  created_by, derived_from`;

/** Saves a model version; saving the same content again returns the existing version. */
export async function saveModel(
  connection: DuckDBConnection,
  schema: string,
  model: Model,
  meta: { by: string; derivedFrom?: string | null; now: Date },
): Promise<SavedModel> {
  const hash = modelHash(model);
  const existing = await getModel(connection, schema, hash);
  if (existing) return existing;
  await connection.run(
    `INSERT INTO ${schema}.models VALUES ($hash, $name, $spec, $at::TIMESTAMP, $by, $derived)`,
    {
      hash,
      name: model.name,
      spec: canonicalJson(model),
      at: meta.now.toISOString(),
      by: meta.by,
      derived: meta.derivedFrom ?? null,
    },
  );
  return (await getModel(connection, schema, hash))!;
}

export async function getModel(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<SavedModel | null> {
  const [row] = await queryRows<ModelRow>(
    connection,
    `SELECT ${MODEL_COLUMNS} FROM ${schema}.models WHERE hash = $hash`,
    { hash },
  );
  return row ? toSaved(row) : null;
}

export async function listModels(
  connection: DuckDBConnection,
  schema: string,
): Promise<SavedModel[]> {
  const rows = await queryRows<ModelRow>(
    connection,
    `SELECT ${MODEL_COLUMNS} FROM ${schema}.models ORDER BY created_at, hash`,
  );
  return rows.map(toSaved);
}

/** The newest production entry, or null on a registry that never had one. */
export async function productionEntry(
  connection: DuckDBConnection,
  schema: string,
): Promise<ProductionEntry | null> {
  const [row] = await queryRows<{
    seq: bigint;
    model_hash: string;
    at: string;
    by: string;
    reason: string;
    action: ProductionEntry['action'];
  }>(
    connection,
    `SELECT seq, model_hash, strftime(changed_at, '%Y-%m-%dT%H:%M:%SZ') AS at, changed_by AS by, reason, action
     FROM ${schema}.production_log ORDER BY seq DESC LIMIT 1`,
  );
  if (!row) return null;
  return {
    seq: Number(row.seq),
    hash: row.model_hash,
    at: row.at,
    by: row.by,
    reason: row.reason,
    action: row.action,
  };
}

/** The production model with its log entry, or null when none was ever set. */
export async function productionModel(
  connection: DuckDBConnection,
  schema: string,
): Promise<(SavedModel & { entry: ProductionEntry }) | null> {
  const entry = await productionEntry(connection, schema);
  if (!entry) return null;
  const saved = await getModel(connection, schema, entry.hash);
  if (!saved) {
    throw new LabError(
      'invalid_request',
      `production names model ${entry.hash}, which is not saved`,
    );
  }
  return { ...saved, entry };
}

/** Makes a saved model production in one INSERT into the log. */
export async function setProduction(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  meta: { by: string; reason: string; action: ProductionEntry['action']; now: Date },
): Promise<ProductionEntry> {
  if (!(await getModel(connection, schema, hash))) {
    throw new LabError('invalid_request', `no saved model has hash ${hash}`);
  }
  await connection.run(
    `INSERT INTO ${schema}.production_log
     SELECT coalesce(max(seq), 0) + 1, $hash, $at::TIMESTAMP, $by, $reason, $action
     FROM ${schema}.production_log`,
    { hash, at: meta.now.toISOString(), by: meta.by, reason: meta.reason, action: meta.action },
  );
  return (await productionEntry(connection, schema))!;
}

/**
 * On a fresh state, registers the shipped default model as production. Returns the production
 * model either way.
 */
export async function ensureProduction(
  connection: DuckDBConnection,
  schema: string,
  fallback: Model,
  now: Date,
): Promise<SavedModel & { entry: ProductionEntry }> {
  const current = await productionModel(connection, schema);
  if (current) return current;
  const saved = await saveModel(connection, schema, fallback, { by: 'vitals', now });
  await setProduction(connection, schema, saved.hash, {
    by: 'vitals',
    reason: 'shipped default model on a fresh state',
    action: 'initial',
    now,
  });
  return (await productionModel(connection, schema))!;
}
