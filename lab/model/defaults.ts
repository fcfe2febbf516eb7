import { readFileSync } from 'node:fs';
import { parseModel, type Model } from './spec.ts';

/** The models shipped with Vitals, by file name under ./models. */
export const DEFAULT_MODEL_FILES = ['balanced.json', 'balanced-seasonal.json'] as const;

/**
 * The shipped default models, read and validated on every call (a broken file fails loudly here,
 * not at scoring time). The first one is the production model of a fresh installation.
 */
export function defaultModels(): Model[] {
  return DEFAULT_MODEL_FILES.map((file) =>
    parseModel(readFileSync(new URL(`./models/${file}`, import.meta.url), 'utf8')),
  );
}
