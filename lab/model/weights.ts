import type { Model } from './spec.ts';

/**
 * The normalised weights for one segment (or the default for every segment without overrides):
 * component weights sum to 1, and the metric weights within each component sum to 1.
 */
export interface WeightProfile {
  /** null for the default profile. */
  segment: string | null;
  components: number[];
  /** [component][metric], in model order. */
  metrics: number[][];
}

const normalise = (weights: number[]) => {
  const sum = weights.reduce((total, weight) => total + weight, 0);
  return weights.map((weight) => weight / sum);
};

/** The default profile first, then one per segment with overrides, in the model's key order. */
export function weightProfiles(model: Model): WeightProfile[] {
  const profile = (segment: string | null): WeightProfile => {
    const override = segment === null ? undefined : model.segments[segment];
    const components = model.components.map(
      (component) => override?.components[component.key]?.weight ?? component.weight,
    );
    const metrics = model.components.map((component) => {
      const overrides = override?.components[component.key]?.metrics ?? {};
      return normalise(
        component.metrics.map((entry) => overrides[entry.metric]?.weight ?? entry.weight),
      );
    });
    return { segment, components: normalise(components), metrics };
  };
  return [profile(null), ...Object.keys(model.segments).map(profile)];
}
