import { parseModel, type Model, type ModelMetric } from '../model/spec.ts';

export const BASELINE_NAME = 'equal-weights';

/**
 * The equal-weights baseline of a comparison: every metric any of the models uses, once, with
 * equal weight in a single component; each metric's direction (and seasonal adjustment) as in the
 * first model that uses it; every metric ranked by percentile within its segment; bands and the
 * missing-value policy of the first model. A weighting that cannot beat this has not earned its
 * weights.
 */
export function equalWeightsBaseline(models: readonly Model[]): Model {
  const first = models[0];
  if (!first) throw new RangeError('equalWeightsBaseline: give at least one model');
  const entries = new Map<string, ModelMetric>();
  for (const model of models) {
    for (const component of model.components) {
      for (const entry of component.metrics) {
        if (entries.has(entry.metric)) continue;
        entries.set(entry.metric, {
          metric: entry.metric,
          weight: 1,
          direction: entry.direction,
          normalize: { method: 'percentile', within: 'segment' },
          seasonal_adjust: entry.seasonal_adjust,
        });
      }
    }
  }
  return parseModel({
    name: BASELINE_NAME,
    description: `Equal weights over the ${entries.size} metrics of ${models.map((m) => m.name).join(', ')}, each ranked by percentile within its segment.`,
    bands: first.bands,
    missing: first.missing,
    components: [{ key: 'equal', weight: 1, metrics: [...entries.values()] }],
  });
}
