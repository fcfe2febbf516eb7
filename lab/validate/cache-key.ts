import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/hash.ts';
import { backtestSettingsSchema, parseSettings } from './settings.ts';

/**
 * Bumped whenever the engine's definitions or result shape change, so that results cached by an
 * older engine are not served as if they were computed by this one.
 */
export const BACKTEST_ENGINE_VERSION = 1;

/**
 * The key a backtest result is cached under: sha256 (hex) of the canonical JSON of the engine
 * version, the model hash, the data fingerprint and the settings, parsed first so that two
 * spellings of the same settings (defaults written out or left out, keys in another order) get
 * the same key. Invalid settings throw `invalid_request`.
 */
export function backtestCacheKey(
  modelHash: string,
  dataFingerprint: string,
  settings: unknown,
): string {
  const parsed = parseSettings(backtestSettingsSchema, settings);
  const text = canonicalJson({
    engine: BACKTEST_ENGINE_VERSION,
    modelHash,
    dataFingerprint,
    settings: parsed,
  });
  return createHash('sha256').update(text).digest('hex');
}
