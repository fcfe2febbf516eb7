import { describe, expect, it } from 'vitest';
import { defaultModels } from '../../lab/model/defaults.ts';
import { modelHash } from '../../lab/model/hash.ts';

describe('shipped default models', () => {
  it('loads and validates balanced with the agreed weights and bands', () => {
    const models = defaultModels();
    expect(models.map((model) => model.name)).toEqual(['balanced', 'balanced-seasonal']);
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

  it('ships balanced-seasonal: balanced with its usage metrics seasonally adjusted', () => {
    const [balanced, seasonal] = defaultModels();
    const strip = (model: typeof balanced) =>
      model!.components.map((c) => ({
        ...c,
        metrics: c.metrics.map(({ seasonal_adjust: _adjust, ...rest }) => rest),
      }));
    expect(strip(seasonal)).toEqual(strip(balanced));
    expect(seasonal!.bands).toEqual(balanced!.bands);
    const adjusted = seasonal!.components.flatMap((c) =>
      c.metrics.filter((m) => m.seasonal_adjust).map((m) => `${c.key}/${m.metric}`),
    );
    expect(adjusted).toEqual([
      'usage/active_user_ratio_30d',
      'usage/logins_trend_90d',
      'usage/feature_breadth_30d',
    ]);
  });

  it('is read afresh and hashes stably', () => {
    const [a] = defaultModels();
    const [b] = defaultModels();
    expect(a).not.toBe(b);
    expect(modelHash(a!)).toBe(modelHash(b!));
  });
});
