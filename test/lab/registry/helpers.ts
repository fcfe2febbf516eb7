import type { DuckDBConnection } from '@duckdb/node-api';
import { modelHash } from '../../../lab/model/hash.ts';
import type { Model } from '../../../lab/model/spec.ts';
import { openStateDatabase, storeBacktest, type OpenState } from '../../../lab/registry/index.ts';
import { tempDir } from '../../helpers/app.ts';
import { entry, signalModel } from '../models.ts';

export const SCHEMA = 'state';
export const FINGERPRINT = 'f'.repeat(64);
/** Valid backtest settings (lab/validate's schema), as the gate is given them. */
export const SETTINGS = { from: '2025-04-01', to: '2026-01-01', every: 30, horizon: 90 };

/** A fresh state folder opened as the command line opens it; closed and removed afterwards. */
export async function withState<T>(
  work: (state: OpenState, dir: string) => Promise<T>,
): Promise<T> {
  const { dir, cleanup } = await tempDir('vitals-registry-');
  const state = await openStateDatabase(dir);
  try {
    return await work(state, dir);
  } finally {
    state.close();
    await cleanup();
  }
}

/** A distinct valid model per `name` and `weight` (both are part of the content hash). */
export function model(name: string, weight = 1): Model {
  return signalModel([['usage', 1, [entry('logins', weight), entry('seats', 1)]]], { name });
}

/** A clock that ticks one minute per call, so rows order by time as they do by sequence. */
export function ticking(start = '2026-04-01T10:00:00Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 60_000));
}

/** Stores a backtest result with an AUC interval, as the backtest engine would. */
export async function storeAuc(
  connection: DuckDBConnection,
  hash: string,
  auc: [estimate: number, low: number, high: number],
  extra: { fingerprint?: string; settings?: unknown; result?: Record<string, unknown> } = {},
): Promise<string> {
  const fingerprint = extra.fingerprint ?? FINGERPRINT;
  const settings = extra.settings ?? SETTINGS;
  const stored = await storeBacktest(
    connection,
    SCHEMA,
    {
      modelHash: hash,
      dataFingerprint: fingerprint,
      settings,
      result: { auc: { estimate: auc[0], low: auc[1], high: auc[2] }, ...extra.result },
    },
    new Date('2026-04-01T09:00:00Z'),
  );
  return stored.key;
}

export { modelHash };
