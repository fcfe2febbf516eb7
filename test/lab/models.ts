import { parseModel, type Model } from '../../lab/model/spec.ts';

/** Normalised value = raw value, for raw values in 0..100: lets a test set scores directly. */
export const IDENTITY = {
  method: 'thresholds',
  points: [
    [0, 0],
    [100, 100],
  ],
} as const;

export function entry(
  signal: string,
  weight: number,
  normalize: unknown = IDENTITY,
  direction: 'higher_is_better' | 'lower_is_better' = 'higher_is_better',
) {
  return { metric: `signal:${signal}:latest`, weight, direction, normalize };
}

/** A model over custom signals; components as [key, weight, entries]. */
export function signalModel(
  components: [string, number, ReturnType<typeof entry>[]][],
  extra: Record<string, unknown> = {},
): Model {
  return parseModel({
    name: 'test',
    bands: { red: 50, yellow: 75 },
    components: components.map(([key, weight, metrics]) => ({ key, weight, metrics })),
    ...extra,
  });
}
