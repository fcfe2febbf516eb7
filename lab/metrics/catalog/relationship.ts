import { aggregate, defineMetric } from '../define.ts';
import type { MetricDef } from '../types.ts';

const NPS = "t.kind = 'nps'";
const tables = ['surveys'] as const;

export const RELATIONSHIP_METRICS: readonly MetricDef[] = [
  defineMetric({
    name: 'nps_latest',
    description: 'The latest NPS response (0-10) in the last 365 days.',
    family: 'relationship',
    unit: 'NPS 0-10',
    tables,
    seasonal: false,
    aggregates: { latest: aggregate('surveys', 365, 'arg_max(t.score, t.date)', NPS) },
    value: (a) => a.latest,
  }),
  defineMetric({
    name: 'nps_change',
    description:
      'The latest NPS response minus the one before it, both in the last 365 days (NULL with fewer than two).',
    family: 'relationship',
    unit: 'NPS points',
    tables,
    seasonal: false,
    // max_by(.., n) lists the scores of the n latest responses, latest first.
    aggregates: { last2: aggregate('surveys', 365, 'max_by(t.score, t.date, 2)', NPS) },
    value: (a) => `CASE WHEN len(${a.last2}) = 2 THEN ${a.last2}[1] - ${a.last2}[2] END`,
  }),
  defineMetric({
    name: 'survey_response_rate_365d',
    description:
      'Share of the last four 91-day periods (days 0-90, 91-181, 182-272, 273-363 before T) with at least one survey response. The data holds responses only, not invitations, so periods stand in for survey rounds.',
    family: 'relationship',
    unit: 'ratio',
    tables,
    seasonal: false,
    aggregates: { periods: aggregate('surveys', 364, 'count(DISTINCT (d.as_of - t.date) // 91)') },
    value: (a) => `coalesce(${a.periods}, 0) / 4`,
  }),
];
