import { describe, expect, it } from 'vitest';
import { defaultModels } from '../../lab/model/defaults.ts';
import { modelHash } from '../../lab/model/hash.ts';

describe('shipped default models', () => {
  it('loads and validates balanced with the agreed weights and bands', () => {
    const models = defaultModels();
    expect(models.map((model) => model.name)).toEqual(['balanced']);
    const [balanced] = models;
    expect(balanced!.components.map((c) => [c.key, c.weight])).toEqual([
      ['usage', 30],
      ['support', 20],
      ['engagement', 15],
      ['financial', 20],
      ['relationship', 15],
    ]);
    expect(balanced!.bands).toEqual({ red: 50, yellow: 75 });
    expect(balanced!.missing).toBe('renormalize');
  });

  it('is read afresh and hashes stably', () => {
    const [a] = defaultModels();
    const [b] = defaultModels();
    expect(a).not.toBe(b);
    expect(modelHash(a!)).toBe(modelHash(b!));
  });
});
