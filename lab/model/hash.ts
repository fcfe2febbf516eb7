import { createHash } from 'node:crypto';
import type { Model } from './spec.ts';

/**
 * JSON with object keys sorted (by code unit) at every level and no whitespace; array order is
 * kept because it is meaningful. Keys holding undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of the canonical JSON of a parsed model (defaults filled in), so that two
 * spellings of the same model hash alike and any change of meaning changes the hash.
 */
export function modelHash(model: Model): string {
  return createHash('sha256').update(canonicalJson(model)).digest('hex');
}
